/**
 * Runs stack policies over snapshot resources the way the engine hands them to a policy pack after an
 * update (outputs as props, dependencies resolved to resources), and edits snapshots into crafted
 * violations. Used by the network policy tests.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { PlatformStackPolicy } from "../../policy/framework/metadata";
import type { ResourceState } from "../../src/offline/snapshot/types";

export type Json = Record<string, unknown>;

class NotApplicable extends Error {}

export function policyResources(resources: readonly ResourceState[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  for (const r of resources) {
    byUrn.set(r.urn, {
      type: r.type,
      urn: r.urn,
      name: r.urn.split("::").pop() as string,
      props: (r.outputs ?? r.inputs ?? {}) as Json,
      opts: { protect: r.protect ?? false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
      dependencies: [],
      propertyDependencies: {},
      // Typed narrowing is not used by the network policies; nothing matches a typed class here.
      isType: () => false,
      asType: () => undefined,
    });
  }
  for (const r of resources) {
    const pr = byUrn.get(r.urn) as PolicyResource;
    pr.dependencies = (r.dependencies ?? []).flatMap((u) => byUrn.get(u) ?? []);
    pr.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([k, urns]) => [k, urns.flatMap((u) => byUrn.get(u) ?? [])]));
    if (r.parent !== undefined) pr.parent = byUrn.get(r.parent);
  }
  return [...byUrn.values()];
}

/** The policy's violation messages; a policy that declares itself not applicable reports none. */
export function evaluate(policy: PlatformStackPolicy, resources: readonly ResourceState[], config: Json = {}): string[] {
  const messages: string[] = [];
  const validate = (policy.policy as StackValidationPolicy).validateStack;
  if (validate === undefined) throw new Error(`${policy.meta.id} has no stack validation`);
  try {
    void validate(
      {
        resources: policyResources(resources),
        stackTags: new Map(),
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
          throw new NotApplicable(reason);
        },
      },
      (message) => messages.push(message),
    );
  } catch (err) {
    if (!(err instanceof NotApplicable)) throw err;
  }
  return messages;
}

export function find(resources: readonly ResourceState[], type: string, name: string): ResourceState {
  const r = resources.find((x) => x.type === type && x.urn.endsWith(`::${name}`));
  if (r === undefined) throw new Error(`no ${type} ${name} in the snapshot`);
  return r;
}

/** Edits a resource's props the same way in inputs and outputs. */
export function edit(resource: ResourceState, change: (props: Json) => void): void {
  for (const props of [resource.inputs, resource.outputs]) if (props !== undefined) change(props as Json);
}

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
