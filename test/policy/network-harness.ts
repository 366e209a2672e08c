/**
 * Crafted resources for the network policy tests (the generic snapshot edits and the policy runner are
 * in test/support).
 */
import type { ResourceState } from "../../src/offline/snapshot/types";
import type { Json } from "../support/snapshot-edit";

export function without(resources: readonly ResourceState[], ...targets: ResourceState[]): ResourceState[] {
  return resources.filter((r) => !targets.includes(r));
}

/** A crafted resource as the engine records one: props as inputs and outputs, links as property dependencies. */
export function craft(type: string, name: string, props: Json, links: Record<string, ResourceState | ResourceState[]> = {}): ResourceState {
  const propertyDependencies = Object.fromEntries(Object.entries(links).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map((r) => r.urn)]));
  return { urn: `urn:pulumi:dev::fitness-platform::${type}::${name}`, custom: true, type, id: `${name}-id`, inputs: props, outputs: props, propertyDependencies };
}

export const designTags = (zone: string, component = "test") => ({
  project: "fitness-platform",
  environment: "dev",
  zone,
  component,
  "data-class": "internal",
  "managed-by": "pulumi",
});
