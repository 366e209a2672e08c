/**
 * Runs stack policies over snapshot resources the way the engine hands them to a policy pack after an
 * update (outputs as props, dependencies resolved to resources), without the auditor around them.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { PlatformStackPolicy } from "../../policy/framework/metadata";
import type { ResourceState } from "../../src/offline/snapshot/types";

type Json = Record<string, unknown>;

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
      // The stack policies do not use typed narrowing; nothing matches a typed class here.
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
