import type { PolicyResource } from "@pulumi/policy";
import { isRecord, tagsOf } from "./props";

/**
 * The environment a resource belongs to, from its `environment` tag. Only an explicit `dev` relaxes a
 * control: an untagged resource, or one of an environment the pack does not know, is judged by prod's
 * rules (like `durabilityOf` in src/conventions), so a missing tag can never wave a violation through.
 */
export function environmentTag(resource: PolicyResource): string | undefined {
  return isRecord(resource.props) ? tagsOf(resource.props)["environment"] : undefined;
}

/** The environment whose rules apply: `dev` only when tagged so, else `prod`. */
export function environmentOf(resource: PolicyResource): "dev" | "prod" {
  return environmentTag(resource) === "dev" ? "dev" : "prod";
}

export function isProd(resource: PolicyResource): boolean {
  return environmentOf(resource) === "prod";
}
