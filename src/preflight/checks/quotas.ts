/**
 * The account's On-Demand vCPU quotas cover the stack's peak: every instance at once, node groups at
 * their maximum plus the update surge, Auto Scaling groups at their maximum, and the restore drill.
 *
 * Quota codes (Service Quotas, service code `ec2`; names as Service Quotas lists them, e.g. in the AWS
 * CLI reference example for `get-aws-default-service-quota`, and the per-region quota listings):
 * - L-1216C47A "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances" (vCPUs);
 * - L-74FC7D96 F, L-DB2E81BA G and VT, L-1945791B Inf, L-417A185B P, L-7295265B X,
 *   L-43DA4232 High Memory, L-6E869C2A DL, L-2C3B7624 Trn, L-F7808C92 HPC (all vCPUs).
 * Dedicated Instances (tenancy `dedicated`, the prod DB hosts) have no quota of their own: Service
 * Quotas' EC2 list has only "Running Dedicated <family> Hosts" (a count of hosts, per family, e.g.
 * L-F13A970A for r6i), so they count against the On-Demand vCPU quota of their class. Instances on
 * Dedicated Hosts (tenancy `host`) need a host each at most; that quota is found by its name.
 */
import { GetAWSDefaultServiceQuotaCommand, GetServiceQuotaCommand, ListServiceQuotasCommand } from "@aws-sdk/client-service-quotas";
import { askOptional } from "../ask";
import type { AwsClients } from "../clients";
import type { CapacityItem, Check, Finding } from "../types";
import { describeInstanceTypes, type InstanceTypeFacts } from "./instance-types";

export interface QuotaClass {
  readonly code: string;
  readonly name: string;
}

/** Longest prefixes first: `dl1` is DL, not D; `inf2` is Inf, not I; `trn1` is Trn, not T. */
const CLASSES: ReadonlyArray<readonly [RegExp, QuotaClass]> = [
  [/^u-/, { code: "L-43DA4232", name: "Running On-Demand High Memory instances" }],
  [/^dl/, { code: "L-6E869C2A", name: "Running On-Demand DL instances" }],
  [/^trn/, { code: "L-2C3B7624", name: "Running On-Demand Trn instances" }],
  [/^inf/, { code: "L-1945791B", name: "Running On-Demand Inf instances" }],
  [/^hpc/, { code: "L-F7808C92", name: "Running On-Demand HPC instances" }],
  [/^(vt|g)/, { code: "L-DB2E81BA", name: "Running On-Demand G and VT instances" }],
  [/^f/, { code: "L-74FC7D96", name: "Running On-Demand F instances" }],
  [/^p/, { code: "L-417A185B", name: "Running On-Demand P instances" }],
  [/^x/, { code: "L-7295265B", name: "Running On-Demand X instances" }],
  [/^[acdhimrtz]/, { code: "L-1216C47A", name: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances" }],
];

export function quotaClass(instanceType: string): QuotaClass | undefined {
  return CLASSES.find(([pattern]) => pattern.test(instanceType))?.[1];
}

export const instanceFamily = (instanceType: string): string => instanceType.split(".")[0];
export const dedicatedHostQuotaName = (family: string): string => `Running Dedicated ${family} Hosts`;

export interface QuotaEvidence {
  readonly instanceTypes: Readonly<Record<string, InstanceTypeFacts | null>>;
  /** Quota code → applied value (the default where none was applied). */
  readonly vcpuQuotas: Readonly<Record<string, number | null>>;
  /** Family → its Dedicated Host quota (hosts), when a `host` tenancy item needs one. */
  readonly hostQuotas: Readonly<Record<string, { readonly code: string; readonly value: number } | null>>;
}

const NAME = "quotas";

async function quotaValue(clients: AwsClients, code: string): Promise<number | null> {
  const applied = new GetServiceQuotaCommand({ ServiceCode: "ec2", QuotaCode: code });
  const out = await askOptional(clients.quotas, applied, ["NoSuchResourceException"], () => clients.quotas.send(applied));
  if (out?.Quota?.Value !== undefined) return out.Quota.Value;
  const fallback = new GetAWSDefaultServiceQuotaCommand({ ServiceCode: "ec2", QuotaCode: code });
  const def = await askOptional(clients.quotas, fallback, ["NoSuchResourceException"], () => clients.quotas.send(fallback));
  return def?.Quota?.Value ?? null;
}

async function hostQuotas(clients: AwsClients, families: readonly string[]): Promise<Record<string, { code: string; value: number } | null>> {
  const out: Record<string, { code: string; value: number } | null> = Object.fromEntries(families.map((f) => [f, null]));
  if (families.length === 0) return out;
  let token: string | undefined;
  do {
    const command = new ListServiceQuotasCommand({ ServiceCode: "ec2", NextToken: token });
    const page = await askOptional(clients.quotas, command, [], () => clients.quotas.send(command));
    for (const q of page?.Quotas ?? []) {
      const family = families.find((f) => q.QuotaName === dedicatedHostQuotaName(f));
      if (family !== undefined && q.QuotaCode !== undefined && q.Value !== undefined) out[family] = { code: q.QuotaCode, value: q.Value };
    }
    token = page?.NextToken;
  } while (token !== undefined);
  return out;
}

function largest(item: CapacityItem, types: QuotaEvidence["instanceTypes"]): { type: string; vcpus: number } | undefined {
  let best: { type: string; vcpus: number } | undefined;
  for (const t of item.instanceTypes) {
    const vcpus = types[t]?.vcpus;
    if (vcpus !== undefined && (best === undefined || vcpus > best.vcpus)) best = { type: t, vcpus };
  }
  return best;
}

export const quotaCheck: Check<QuotaEvidence> = {
  name: NAME,
  async collect(facts, { clients }) {
    const instanceTypes = await describeInstanceTypes(clients, facts.capacity.flatMap((c) => c.instanceTypes));
    const codes = [...new Set(facts.capacity.filter((c) => c.tenancy !== "host").flatMap((c) => c.instanceTypes.map((t) => quotaClass(t)?.code)).filter((c): c is string => c !== undefined))].sort();
    const vcpuQuotas: Record<string, number | null> = {};
    for (const code of codes) vcpuQuotas[code] = await quotaValue(clients, code);
    const families = [...new Set(facts.capacity.filter((c) => c.tenancy === "host").flatMap((c) => c.instanceTypes.map(instanceFamily)))].sort();
    return { instanceTypes, vcpuQuotas, hostQuotas: await hostQuotas(clients, families) };
  },
  evaluate(facts, evidence) {
    const findings: Finding[] = [];
    const need = new Map<string, { vcpus: number; users: string[] }>();
    const hosts = new Map<string, { count: number; users: string[] }>();
    for (const item of facts.capacity) {
      const unknown = item.instanceTypes.filter((t) => evidence.instanceTypes[t] === null || evidence.instanceTypes[t] === undefined);
      for (const t of unknown) findings.push({ check: NAME, severity: "error", problem: `instance type ${t} (${item.purpose}) is not offered in ${facts.region}`, action: "choose an instance type the region offers" });
      const pick = largest(item, evidence.instanceTypes);
      if (pick === undefined) continue;
      if (item.tenancy === "host") {
        const family = instanceFamily(pick.type);
        const entry = hosts.get(family) ?? { count: 0, users: [] };
        hosts.set(family, { count: entry.count + item.count, users: [...entry.users, item.purpose] });
        continue;
      }
      const cls = quotaClass(pick.type);
      if (cls === undefined) {
        findings.push({ check: NAME, severity: "warning", problem: `instance type ${pick.type} (${item.purpose}) has no On-Demand vCPU quota preflight knows`, action: "check its quota in Service Quotas by hand, and add its class to src/preflight/checks/quotas.ts" });
        continue;
      }
      const entry = need.get(cls.code) ?? { vcpus: 0, users: [] };
      need.set(cls.code, { vcpus: entry.vcpus + pick.vcpus * item.count, users: [...entry.users, `${item.count} × ${pick.type} ${item.purpose}`] });
    }
    for (const [code, { vcpus, users }] of [...need.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const cls = CLASSES.find(([, c]) => c.code === code)?.[1];
      const value = evidence.vcpuQuotas[code];
      if (value === null || value === undefined) {
        findings.push({ check: NAME, severity: "error", problem: `quota ${code} (${cls?.name ?? code}) could not be read in ${facts.region}`, action: "check it in Service Quotas" });
      } else if (value < vcpus) {
        findings.push({ check: NAME, severity: "error", problem: `quota ${code} (${cls?.name ?? code}) is ${value} vCPUs in ${facts.region}; the stack's peak needs ${vcpus} (${users.join("; ")})`, action: `request an increase of ${code} to at least ${vcpus} in Service Quotas` });
      }
    }
    for (const [family, { count, users }] of [...hosts.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const quota = evidence.hostQuotas[family];
      if (quota === null || quota === undefined) {
        findings.push({ check: NAME, severity: "error", problem: `no "${dedicatedHostQuotaName(family)}" quota exists in ${facts.region} (${users.join("; ")})`, action: "choose an instance family that Dedicated Hosts support" });
      } else if (quota.value < count) {
        findings.push({ check: NAME, severity: "error", problem: `quota ${quota.code} (${dedicatedHostQuotaName(family)}) is ${quota.value}; the stack may need ${count} (${users.join("; ")})`, action: `request an increase of ${quota.code} to ${count}` });
      }
    }
    return findings;
  },
};
