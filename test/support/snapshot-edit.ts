/** Edits a copy of a synthesized snapshot into crafted violations, as a changed program would record them. */
import type { ResourceState } from "../../src/offline/snapshot/types";

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- snapshots are free-form JSON

export function find(resources: readonly ResourceState[], type: string, name: string): ResourceState {
  const r = resources.find((x) => x.type === type && x.urn.endsWith(`::${name}`));
  if (r === undefined) throw new Error(`no ${type} ${name} in the snapshot`);
  return r;
}

/** Edits a resource's props the same way in inputs and outputs. */
export function edit(resource: ResourceState, change: (props: Json) => void): void {
  for (const props of [resource.inputs, resource.outputs]) if (props !== undefined) change(props as Json);
}

/** Sets (or, with undefined, removes) a property in inputs and outputs; its property dependencies stay. */
export function setProp(r: ResourceState, key: string, value: unknown): void {
  for (const side of [r.inputs, r.outputs]) {
    if (side === undefined) continue;
    if (value === undefined) delete side[key];
    else side[key] = value;
  }
}

/** The resources without the named one (which must exist). */
export function without(resources: ResourceState[], type: string, name: string): ResourceState[] {
  const target = find(resources, type, name);
  return resources.filter((r) => r !== target);
}
