import { createHash } from "node:crypto";
import type { ResourceState, StackExport } from "../snapshot/types";
import { parseProviderReference } from "../snapshot/urn";
import type { DefaultProvider, Recorder, Registration } from "./recorder";
import { engineOutputs, markSecret, seal } from "./seal";
import type { PulumiConfig } from "./stack-config";

/** Fixed, so that the same program and config always give the same bytes. */
export const MANIFEST_TIME = "1970-01-01T00:00:00Z";

/** Packages built on Terraform providers report the id among their outputs, as real exports show. */
const BRIDGED_PACKAGES = new Set(["aws", "random", "tls"]);

function uniqueSorted(list: readonly string[]): string[] {
  return [...new Set(list)].sort();
}

function nonEmpty<T extends object>(value: T): T | undefined {
  return Object.keys(value).length > 0 ? value : undefined;
}

function customOutputs(reg: Registration): Record<string, unknown> {
  let outputs = engineOutputs(reg.outputs, reg.inputs, reg.additionalSecretOutputs);
  if (reg.id !== undefined && BRIDGED_PACKAGES.has(reg.type.split(":")[0] ?? "")) outputs = { ...outputs, id: reg.id };
  return outputs;
}

function resourceState(reg: Registration, plaintexts: Set<string>): ResourceState {
  const propertyDependencies: Record<string, string[]> = {};
  for (const key of Object.keys(reg.propertyDependencies).sort()) {
    propertyDependencies[key] = uniqueSorted(reg.propertyDependencies[key] ?? []);
  }
  const inputs = seal(reg.inputs, reg.urn, "inputs", plaintexts) as Record<string, unknown>;
  const outputs = seal(reg.custom ? customOutputs(reg) : reg.outputs, reg.urn, "outputs", plaintexts) as Record<string, unknown>;
  return {
    urn: reg.urn,
    custom: reg.custom,
    id: reg.custom ? reg.id : undefined,
    type: reg.type,
    inputs: nonEmpty(inputs),
    outputs: nonEmpty(outputs),
    parent: reg.parent,
    protect: reg.protect || undefined,
    external: reg.external || undefined,
    dependencies: reg.dependencies.length > 0 ? uniqueSorted(reg.dependencies) : undefined,
    provider: reg.provider,
    propertyDependencies: nonEmpty(propertyDependencies),
    additionalSecretOutputs: reg.additionalSecretOutputs.length > 0 ? uniqueSorted(reg.additionalSecretOutputs) : undefined,
    importID: reg.importId,
    customTimeouts: reg.options.customTimeouts,
    retainOnDelete: reg.retainOnDelete || undefined,
    deletedWith: reg.deletedWith,
    sourcePosition: reg.sourcePosition,
    ignoreChanges: reg.options.ignoreChanges.length > 0 ? reg.options.ignoreChanges : undefined,
    replaceOnChanges: reg.options.replaceOnChanges.length > 0 ? reg.options.replaceOnChanges : undefined,
  };
}

/** A default provider is configured from the stack's `<package>:*` keys, as the engine does it. */
function defaultProviderState(provider: DefaultProvider, config: PulumiConfig, plaintexts: Set<string>): ResourceState {
  const secret = new Set(config.secretKeys);
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config.values)) {
    if (!key.startsWith(`${provider.pkg}:`)) continue;
    props[key.slice(provider.pkg.length + 1)] = secret.has(key) ? markSecret(value) : value;
  }
  if (provider.version !== "") props.version = provider.version;
  return {
    urn: provider.urn,
    custom: true,
    id: provider.id,
    type: `pulumi:providers:${provider.pkg}`,
    inputs: nonEmpty(seal(props, provider.urn, "inputs", plaintexts) as Record<string, unknown>),
    outputs: nonEmpty(seal(props, provider.urn, "outputs", plaintexts) as Record<string, unknown>),
  };
}

/** The smallest string first (`<`, as the URN order is defined); a sorted array's inserts were quadratic at 4,000 resources. */
class MinHeap {
  private readonly items: string[] = [];

  push(value: string): void {
    const items = this.items;
    let at = items.length;
    items.push(value);
    while (at > 0) {
      const up = (at - 1) >> 1;
      if ((items[up] as string) <= value) break;
      items[at] = items[up] as string;
      at = up;
    }
    items[at] = value;
  }

  pop(): string | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && (items[right] as string) < (items[left] as string) ? right : left;
      if ((items[child] as string) >= last) break;
      items[at] = items[child] as string;
      at = child;
    }
    items[at] = last;
    return top;
  }
}

/**
 * Resources in an order the engine accepts (parents, providers and dependencies before dependants),
 * ties broken by URN, so the order never depends on how the program's promises happened to settle.
 */
function topologicalOrder(resources: ResourceState[]): ResourceState[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r] as const));
  const waitingOn = new Map<string, number>();
  const dependants = new Map<string, string[]>();
  for (const r of resources) {
    const before = new Set<string>([...(r.dependencies ?? []), ...(r.parent !== undefined ? [r.parent] : [])]);
    if (r.provider !== undefined) before.add(parseProviderReference(r.provider).urn);
    const known = [...before].filter((u) => byUrn.has(u) && u !== r.urn);
    waitingOn.set(r.urn, known.length);
    for (const u of known) {
      const list = dependants.get(u);
      if (list === undefined) dependants.set(u, [r.urn]);
      else list.push(r.urn);
    }
  }
  const ready = new MinHeap();
  for (const r of resources) if (waitingOn.get(r.urn) === 0) ready.push(r.urn);
  const ordered: ResourceState[] = [];
  for (let urn = ready.pop(); urn !== undefined; urn = ready.pop()) {
    ordered.push(byUrn.get(urn) as ResourceState);
    for (const next of dependants.get(urn) ?? []) {
      const left = (waitingOn.get(next) ?? 0) - 1;
      waitingOn.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  // A cycle cannot come from a valid program; keep whatever is left rather than dropping it.
  const placed = new Set(ordered.map((r) => r.urn));
  return [...ordered, ...resources.filter((r) => !placed.has(r.urn)).sort((a, b) => (a.urn < b.urn ? -1 : 1))];
}

export function buildSnapshot(args: { recorder: Recorder; config: PulumiConfig; engineVersion: string }): {
  snapshot: StackExport;
  plaintexts: Set<string>;
} {
  const plaintexts = new Set<string>();
  for (const key of args.config.secretKeys) {
    const value = args.config.values[key] ?? "";
    plaintexts.add(value);
    for (const placeholder of value.match(/offline-secret-[0-9a-f]{16}/g) ?? []) plaintexts.add(placeholder);
  }
  const resources = [
    ...[...args.recorder.defaultProviders.values()].map((p) => defaultProviderState(p, args.config, plaintexts)),
    ...[...args.recorder.registrations.values()].map((r) => resourceState(r, plaintexts)),
  ];
  const version = `offline-engine (@pulumi/pulumi ${args.engineVersion})`;
  return {
    plaintexts,
    snapshot: {
      version: 3,
      deployment: {
        manifest: { time: MANIFEST_TIME, magic: createHash("sha256").update(version).digest("hex"), version },
        secrets_providers: {
          type: "offline",
          state: { note: "ciphertexts are placeholders written by the offline engine; no secret value is stored" },
        },
        resources: topologicalOrder(resources),
      },
    },
  };
}
