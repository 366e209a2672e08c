import type { PlatformPolicy } from "../../policy/framework/metadata";
import { runAudit } from "../../src/offline/audit/runner";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";

/**
 * Shared by the DMZ policy tests: evaluate one policy through the offline auditor (the same path as
 * `npm run audit`), and edit snapshots into crafted violations.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- snapshots are free-form JSON

export async function violations(policy: PlatformPolicy, snapshot: StackExport, resources: ResourceState[], now?: Date): Promise<string[]> {
  const result = await runAudit(
    { version: 3, deployment: { ...snapshot.deployment, resources } },
    { policies: [policy], ...(now === undefined ? {} : { now }) },
  );
  const unchecked = result.violations.filter((v) => v.kind !== "violation");
  if (unchecked.length > 0) throw new Error(`unchecked: ${unchecked.map((v) => v.message).join("; ")}`);
  return result.violations.map((v) => v.message).sort();
}

export function find(resources: ResourceState[], type: string, name: string): ResourceState {
  const r = resources.find((x) => x.type === type && x.urn.endsWith(`::${name}`));
  if (r === undefined) throw new Error(`no ${type} ${name} in the snapshot`);
  return r;
}

/** Edits a resource's props the same way in inputs and outputs. */
export function edit(resource: ResourceState, change: (props: Json) => void): void {
  for (const props of [resource.inputs, resource.outputs]) if (props !== undefined) change(props as Json);
}

export function without(resources: ResourceState[], type: string, name: string): ResourceState[] {
  const target = find(resources, type, name);
  return resources.filter((r) => r !== target);
}

/** Points a property at other resources, in the value and in the property dependencies. */
export function relink(resource: ResourceState, property: string, targets: readonly ResourceState[], value: (ids: string[]) => unknown): void {
  edit(resource, (p) => {
    p[property] = value(targets.map((t) => t.id as string));
  });
  resource.propertyDependencies = { ...resource.propertyDependencies, [property]: targets.map((t) => t.urn) };
}

export const tagOf = (r: ResourceState, key: string): string | undefined => ((r.inputs?.tags ?? {}) as Record<string, string>)[key];

export const SUBNET = "aws:ec2/subnet:Subnet";

export function subnetsOfZone(resources: ResourceState[], zone: string): ResourceState[] {
  return resources.filter((r) => r.type === SUBNET && tagOf(r, "zone") === zone);
}
