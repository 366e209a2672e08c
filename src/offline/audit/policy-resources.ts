import type { PolicyResource } from "@pulumi/policy";
import { isProviderType } from "../snapshot/graph";
import type { ResourceState } from "../snapshot/types";
import { parseProviderReference, parseUrn } from "../snapshot/urn";
import { deserialize } from "./values";

/**
 * A snapshot's live resources as a stack policy sees them (outputs, else inputs; linked to parent,
 * dependencies and property dependencies; the provider's inputs), for readers outside the audit that
 * must judge exactly as the policies' own facts do, such as the picture's backup flows
 * (policy/backups/coverage.ts backupPaths). Plain values: nothing here is unknown or secret to a reader
 * that only follows references.
 */
export function policyResources(resources: readonly ResourceState[]): PolicyResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r] as const));
  const live = resources.filter((r) => !isProviderType(r.type) && r.delete !== true);
  const made = new Map<string, PolicyResource>();
  for (const state of live) {
    const props = propsOf(state);
    const provider = providerOf(state, byUrn);
    const resource = {
      type: state.type,
      props,
      urn: state.urn,
      name: nameOf(state.urn),
      opts: { protect: state.protect === true, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
      dependencies: [],
      propertyDependencies: {},
      isType: (resourceClass: object) => (resourceClass as { __pulumiType?: unknown }).__pulumiType === state.type,
      asType: (resourceClass: object) => ((resourceClass as { __pulumiType?: unknown }).__pulumiType === state.type ? props : undefined),
      ...(provider === undefined ? {} : { provider }),
    } as unknown as PolicyResource;
    made.set(state.urn, resource);
  }
  for (const state of live) {
    const resource = made.get(state.urn) as PolicyResource;
    const linked = (urns: readonly string[] | undefined): PolicyResource[] => (urns ?? []).map((u) => made.get(u)).filter((r): r is PolicyResource => r !== undefined);
    if (state.parent !== undefined && made.has(state.parent)) resource.parent = made.get(state.parent);
    resource.dependencies = linked(state.dependencies);
    for (const [key, urns] of Object.entries(state.propertyDependencies ?? {})) resource.propertyDependencies[key] = linked(urns);
  }
  return [...made.values()];
}

function propsOf(state: ResourceState): Record<string, unknown> {
  const outputs = state.outputs !== undefined && Object.keys(state.outputs).length > 0 ? state.outputs : (state.inputs ?? {});
  const props = deserialize(outputs) as Record<string, unknown>;
  if (!("id" in props) && state.id !== undefined && state.custom) props["id"] = state.id;
  return props;
}

function providerOf(state: ResourceState, byUrn: ReadonlyMap<string, ResourceState>): PolicyResource["provider"] {
  if (state.provider === undefined) return undefined;
  try {
    const provider = byUrn.get(parseProviderReference(state.provider).urn);
    return provider === undefined ? undefined : { type: provider.type, props: deserialize(provider.inputs ?? {}) as Record<string, unknown>, urn: provider.urn, name: nameOf(provider.urn) };
  } catch {
    return undefined;
  }
}

function nameOf(urn: string): string {
  try {
    return parseUrn(urn).name;
  } catch {
    return urn;
  }
}
