import type { ResourceState, StackExport } from "./types";
import { ROOT_STACK_TYPE } from "./urn";

/** Lookups over a snapshot's resources that every reader (summary, audit, diff, picture) needs. */
export interface SnapshotGraph {
  readonly resources: readonly ResourceState[];
  readonly byUrn: ReadonlyMap<string, ResourceState>;
  /** The root `pulumi:pulumi:Stack` resource, when the snapshot has one. */
  readonly stack: ResourceState | undefined;
  children(urn: string): ResourceState[];
  /** The nearest ancestor that is a component (the root stack does not count). */
  componentOf(resource: ResourceState): ResourceState | undefined;
}

export function isProviderType(type: string): boolean {
  return type.startsWith("pulumi:providers:");
}

export function graphOf(snapshot: StackExport): SnapshotGraph {
  const resources = snapshot.deployment.resources.filter((r) => r.delete !== true);
  const byUrn = new Map(resources.map((r) => [r.urn, r] as const));
  const children = new Map<string, ResourceState[]>();
  for (const r of resources) {
    if (r.parent === undefined) continue;
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  return {
    resources,
    byUrn,
    stack: resources.find((r) => r.type === ROOT_STACK_TYPE),
    children: (urn) => [...(children.get(urn) ?? [])],
    componentOf(resource) {
      const seen = new Set<string>();
      let parentUrn = resource.parent;
      while (parentUrn !== undefined && !seen.has(parentUrn)) {
        seen.add(parentUrn);
        const parent = byUrn.get(parentUrn);
        if (parent === undefined || parent.type === ROOT_STACK_TYPE) return undefined;
        if (!parent.custom) return parent;
        parentUrn = parent.parent;
      }
      return undefined;
    },
  };
}
