import { isSecretValue } from "../snapshot/secrets";
import type { ResourceState, StackExport } from "../snapshot/types";
import { graphOf, isProviderType, type SnapshotGraph } from "../snapshot/graph";
import { parseUrn, ROOT_STACK_TYPE } from "../snapshot/urn";

/**
 * Read-only facts about the resources of one snapshot that the diff and the picture both need:
 * lookups by URN and by cloud id, tags, the owning component. Tolerant of partial real exports.
 */
export type Props = Readonly<Record<string, unknown>>;

/** What the program declared. Exports that carry only outputs (rare) fall back to them. */
export function propsOf(resource: ResourceState): Props {
  return resource.inputs ?? resource.outputs ?? {};
}

/** The resource's tags: a `tags` map, or the `[{key, value}]` list of autoscaling groups; secret values skipped. */
export function tagsOf(resource: ResourceState): Readonly<Record<string, string>> {
  const tags: Record<string, string> = {};
  for (const source of [resource.outputs?.tagsAll, resource.outputs?.tags, resource.inputs?.tags]) {
    if (Array.isArray(source)) {
      for (const entry of source) {
        if (isRecord(entry) && typeof entry.key === "string" && typeof entry.value === "string") tags[entry.key] = entry.value;
      }
    } else if (isRecord(source) && !isSecretValue(source)) {
      for (const [key, value] of Object.entries(source)) if (typeof value === "string") tags[key] = value;
    }
  }
  return tags;
}

export function nameOf(urn: string): string {
  try {
    return parseUrn(urn).name;
  } catch {
    return urn;
  }
}

export function stackOf(snapshot: StackExport): string | undefined {
  for (const resource of snapshot.deployment.resources) {
    try {
      return parseUrn(resource.urn).stack;
    } catch {
      // keep looking: a malformed URN in a hand-edited export should not hide the stack name
    }
  }
  return undefined;
}

export interface ComponentRef {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
}

/** The snapshot graph plus a lookup by cloud id or ARN, which is how inputs refer to other resources. */
export class SnapshotIndex {
  readonly graph: SnapshotGraph;
  readonly byUrn: ReadonlyMap<string, ResourceState>;
  readonly resources: readonly ResourceState[];
  readonly stack: string;
  private readonly byCloudId = new Map<string, ResourceState>();

  constructor(snapshot: StackExport) {
    this.graph = graphOf(snapshot);
    this.byUrn = this.graph.byUrn;
    this.resources = this.graph.resources;
    this.stack = stackOf(snapshot) ?? "stack";
    for (const resource of this.resources) {
      if (!resource.custom || isProviderType(resource.type)) continue;
      for (const key of [resource.id, resource.outputs?.id, resource.outputs?.arn]) {
        if (typeof key === "string" && key !== "" && !this.byCloudId.has(key)) this.byCloudId.set(key, resource);
      }
    }
  }

  /** The resource an input refers to by its cloud id or ARN, if it is in this snapshot. */
  resolve(reference: unknown): ResourceState | undefined {
    return typeof reference === "string" ? this.byCloudId.get(reference) : undefined;
  }

  /** The nearest enclosing component resource; top-level resources belong to the stack itself. */
  componentOf(resource: ResourceState): ComponentRef {
    const component = this.graph.componentOf(resource);
    if (component === undefined) return { urn: this.graph.stack?.urn ?? "", type: ROOT_STACK_TYPE, name: this.stack };
    return { urn: component.urn, type: component.type, name: nameOf(component.urn) };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
