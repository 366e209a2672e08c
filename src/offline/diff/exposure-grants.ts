import type { ResourceState } from "../snapshot/types";
import { isRecord, nameOf, propsOf, tagsOf, type Props, type SnapshotIndex } from "./resource-facts";

/**
 * Exposure that is not an open CIDR: who may act (principals in trust and resource policies, EKS
 * access entries, pod identities), what the internet may call (public routes of the edge), and which
 * ports a rule admits (a widened range). Each is a fact with a stable key; the diff warns about keys
 * head has and base had not. Rules are compared themselves, so widening a range the audit waives is
 * new exposure here whatever the waiver says.
 */
export interface GrantFact {
  readonly rule: "new-principal" | "public-route" | "widened-ports";
  readonly key: string;
  readonly resource: ResourceState;
  readonly message: string;
}

const POLICY_INPUTS: Readonly<Record<string, string>> = {
  "aws:iam/role:Role": "assumeRolePolicy",
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
  "aws:sqs/queuePolicy:QueuePolicy": "policy",
  "aws:sns/topicPolicy:TopicPolicy": "policy",
  "aws:kms/key:Key": "policy",
  "aws:backup/vaultPolicy:VaultPolicy": "policy",
  "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
  "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
};

/** Principals allowed by trust and resource policies, EKS access entries and pod identity associations. */
export function principalFacts(index: SnapshotIndex): GrantFact[] {
  const facts: GrantFact[] = [];
  for (const resource of index.resources) {
    const props = propsOf(resource);
    const field = POLICY_INPUTS[resource.type];
    if (field !== undefined) {
      for (const principal of allowedPrincipals(props[field])) {
        const verb = resource.type === "aws:iam/role:Role" ? "may be assumed by" : "grants access to";
        facts.push({ rule: "new-principal", key: `${resource.urn}|${principal}`, resource, message: `\`${nameOf(resource.urn)}\` ${verb} ${principal}` });
      }
    }
    if (resource.type === "aws:eks/accessEntry:AccessEntry" && typeof props.principalArn === "string") {
      facts.push({ rule: "new-principal", key: `${resource.urn}|${props.principalArn}`, resource, message: `EKS access entry admits \`${props.principalArn}\`` });
    }
    if (resource.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation" && typeof props.serviceAccount === "string") {
      const who = `${String(props.namespace)}/${props.serviceAccount}`;
      facts.push({ rule: "new-principal", key: `${resource.urn}|${who}|${String(props.roleArn)}`, resource, message: `service account \`${who}\` assumes \`${String(props.roleArn)}\`` });
    }
  }
  return facts;
}

function allowedPrincipals(document: unknown): string[] {
  const doc = typeof document === "string" ? parseJson(document) : document;
  if (!isRecord(doc)) return [];
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const out = new Set<string>();
  for (const statement of statements) {
    if (!isRecord(statement) || statement.Effect !== "Allow") continue;
    const principal = statement.Principal;
    if (principal === "*") out.add("`*` (anyone)");
    if (!isRecord(principal)) continue;
    for (const [kind, values] of Object.entries(principal)) {
      for (const value of Array.isArray(values) ? values : [values]) if (typeof value === "string") out.add(`${kind} \`${value}\``);
    }
  }
  return [...out].sort();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Host and path prefixes the edge forwards from the internet: Ingress rules and Gateway API HTTPRoutes. */
export function publicRouteFacts(index: SnapshotIndex): GrantFact[] {
  const facts: GrantFact[] = [];
  for (const resource of index.resources) {
    const spec = propsOf(resource).spec;
    if (!isRecord(spec)) continue;
    if (resource.type.endsWith(":Ingress")) {
      for (const rule of list(spec.rules)) {
        const host = typeof rule.host === "string" ? rule.host : "*";
        for (const p of list(isRecord(rule.http) ? rule.http.paths : undefined)) {
          const route = `${host}${typeof p.path === "string" ? p.path : "/"}`;
          facts.push({ rule: "public-route", key: `route|${route}`, resource, message: `public route \`${route}\` (\`${nameOf(resource.urn)}\`)` });
        }
      }
    }
    if (resource.type.endsWith(":HTTPRoute")) {
      const hosts = Array.isArray(spec.hostnames) ? spec.hostnames.filter((h): h is string => typeof h === "string") : ["*"];
      for (const rule of list(spec.rules)) {
        for (const match of list(rule.matches)) {
          const path = isRecord(match.path) && typeof match.path.value === "string" ? match.path.value : "/";
          for (const host of hosts) {
            facts.push({ rule: "public-route", key: `route|${host}${path}`, resource, message: `public route \`${host}${path}\` (\`${nameOf(resource.urn)}\`)` });
          }
        }
      }
    }
  }
  return facts;
}

type Range = readonly [number, number];

/** Port ranges per security-group rule identity (group, direction, protocol, peer). */
function portGrants(index: SnapshotIndex): Map<string, { resource: ResourceState; label: string; ranges: Range[] }> {
  const grants = new Map<string, { resource: ResourceState; label: string; ranges: Range[] }>();
  const add = (resource: ResourceState, group: string, direction: string, protocol: unknown, peer: string, from: unknown, to: unknown): void => {
    const proto = String(protocol ?? "-1").toLowerCase();
    const all = proto === "-1" || proto === "all";
    const range: Range = all ? [0, 65535] : [Number(from ?? 0), Number(to ?? from ?? 65535)];
    const key = `${group}|${direction}|${all ? "all" : proto}|${peer}`;
    const entry = grants.get(key) ?? { resource, label: `${nameOf(group)} ${direction} ${all ? "all" : proto} ${direction === "ingress" ? "from" : "to"} ${peer}`, ranges: [] };
    entry.ranges.push(range);
    grants.set(key, entry);
  };
  for (const resource of index.resources) {
    const p = propsOf(resource);
    const groupOf = (id: unknown): string => index.resolve(id)?.urn ?? String(id);
    if (resource.type === "aws:ec2/securityGroup:SecurityGroup") {
      for (const direction of ["ingress", "egress"] as const) {
        for (const rule of list(p[direction])) for (const peer of peers(rule, ["cidrBlocks", "ipv6CidrBlocks", "securityGroups", "prefixListIds"])) add(resource, resource.urn, direction, rule.protocol, peer, rule.fromPort, rule.toPort);
      }
    } else if (resource.type === "aws:ec2/securityGroupRule:SecurityGroupRule") {
      for (const peer of peers(p, ["cidrBlocks", "ipv6CidrBlocks", "sourceSecurityGroupId", "prefixListIds"])) add(resource, groupOf(p.securityGroupId), String(p.type), p.protocol, peer, p.fromPort, p.toPort);
    } else if (resource.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" || resource.type === "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule") {
      const direction = resource.type.includes("Ingress") ? "ingress" : "egress";
      for (const peer of peers(p, ["cidrIpv4", "cidrIpv6", "referencedSecurityGroupId", "prefixListId"])) add(resource, groupOf(p.securityGroupId), direction, p.ipProtocol, peer, p.fromPort, p.toPort);
    }
  }
  return grants;
}

function peers(rule: Props, fields: readonly string[]): string[] {
  const out: string[] = [];
  for (const field of fields) {
    const value = rule[field];
    for (const v of Array.isArray(value) ? value : [value]) if (typeof v === "string" && v !== "") out.push(v);
  }
  if (rule.self === true) out.push("itself");
  return out;
}

const ANYWHERE = new Set(["0.0.0.0/0", "::/0"]);

/**
 * Rules that existed in base and admit more ports in head: the ports added, per rule. Rules open to
 * anywhere are left to open-security-group, whose facts name the ports (a wider range is a new fact).
 */
export function widenedPorts(base: SnapshotIndex, head: SnapshotIndex): GrantFact[] {
  const before = portGrants(base);
  const facts: GrantFact[] = [];
  for (const [key, now] of portGrants(head)) {
    const was = before.get(key);
    if (was === undefined || ANYWHERE.has(key.slice(key.lastIndexOf("|") + 1))) continue;
    const added = subtract(merge(now.ranges), merge(was.ranges));
    if (added.length === 0) continue;
    const shown = (ranges: Range[]): string => ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(", ");
    const zone = tagsOf(now.resource).zone;
    facts.push({
      rule: "widened-ports",
      key: `widened|${key}|${shown(added)}`,
      resource: now.resource,
      message: `security group ${now.label}: ports widened from ${shown(merge(was.ranges))} to ${shown(merge(now.ranges))}${zone === undefined ? "" : ` (zone ${zone})`}`,
    });
  }
  return facts;
}

function merge(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function subtract(ranges: readonly Range[], minus: readonly Range[]): Range[] {
  let rest: Range[] = [...ranges];
  for (const [c, d] of minus) {
    rest = rest.flatMap(([a, b]): Range[] => {
      if (d < a || c > b) return [[a, b]];
      const parts: Range[] = [];
      if (c > a) parts.push([a, c - 1]);
      if (d < b) parts.push([d + 1, b]);
      return parts;
    });
  }
  return rest;
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}
