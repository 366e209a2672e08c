/**
 * A principal the stack creates must exist before a policy that names it is written: KMS answers
 * MalformedPolicyDocumentException, and IAM/S3/SQS/SNS "Invalid principal", for an ARN that does not
 * exist yet (issue 13, item 1). Pulumi creates resources in parallel unless one depends on the other,
 * so the policy's resource must depend, directly or through others, on the principal's resource.
 */
import type { ResourceState } from "../offline/snapshot/types";
import { namedPrincipals, type NamedPrincipal } from "./policy-principals";

export interface UnorderedPrincipal extends NamedPrincipal {
  /** The resource that creates the principal, which the policy's resource does not wait for. */
  readonly creator: string;
}

/**
 * The IAM principals EKS access entries name: "an access entry includes the ARN of one, and only one,
 * existing IAM principal" (Amazon EKS User Guide, "Create access entries"), so they must exist before
 * the entry exactly like a policy's principals.
 */
export function accessEntryPrincipals(resources: readonly ResourceState[]): NamedPrincipal[] {
  return resources
    .filter((r) => r.type === "aws:eks/accessEntry:AccessEntry" && typeof r.inputs?.principalArn === "string")
    .map((r) => ({ urn: r.urn, property: "principalArn", kind: "AWS", principal: String(r.inputs?.principalArn) }));
}

/** Named principals created by the stack whose policy resource does not (transitively) depend on their creator. */
export function principalsNamedBeforeCreated(resources: readonly ResourceState[]): UnorderedPrincipal[] {
  const creatorOf = new Map<string, string>();
  for (const r of resources) {
    const arn = r.outputs?.arn;
    // Read resources (`external`) exist before the stack runs; only those it creates can come too late.
    if (typeof arn === "string" && r.external !== true) creatorOf.set(arn, r.urn);
  }
  const depsOf = new Map<string, readonly string[]>();
  for (const r of resources) {
    const direct = new Set([...(r.dependencies ?? []), ...Object.values(r.propertyDependencies ?? {}).flat()]);
    depsOf.set(r.urn, [...direct]);
  }
  const closure = new Map<string, ReadonlySet<string>>();
  const reach = (urn: string): ReadonlySet<string> => {
    const known = closure.get(urn);
    if (known !== undefined) return known;
    const seen = new Set<string>();
    const stack = [...(depsOf.get(urn) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(depsOf.get(next) ?? []));
    }
    closure.set(urn, seen);
    return seen;
  };
  const out: UnorderedPrincipal[] = [];
  for (const named of [...namedPrincipals(resources), ...accessEntryPrincipals(resources)]) {
    const creator = creatorOf.get(named.principal);
    if (creator === undefined || creator === named.urn) continue;
    if (!reach(named.urn).has(creator)) out.push({ ...named, creator });
  }
  return out;
}
