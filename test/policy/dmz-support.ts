import type { PlatformPolicy } from "../../policy/framework/metadata";
import { runAudit } from "../../src/offline/audit/runner";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { edit } from "../support/snapshot-edit";

/**
 * Shared by the DMZ policy tests: evaluate one policy through the offline auditor (the same path as
 * `npm run audit`), and edit snapshots into crafted violations.
 */
export async function violations(policy: PlatformPolicy, snapshot: StackExport, resources: ResourceState[], now?: Date): Promise<string[]> {
  const result = await runAudit(
    { version: 3, deployment: { ...snapshot.deployment, resources } },
    { policies: [policy], ...(now === undefined ? {} : { now }) },
  );
  const unchecked = result.violations.filter((v) => v.kind !== "violation");
  if (unchecked.length > 0) throw new Error(`unchecked: ${unchecked.map((v) => v.message).join("; ")}`);
  return result.violations.map((v) => v.message).sort();
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
