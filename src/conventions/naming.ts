import { nameProblem, S3_BUCKET_NAME } from "./aws-limits";

/**
 * Physical names: `<project>-<stack>-<component>-<thing>`, derived here and nowhere else so that
 * every resource of a stack can be found (and audited) by its prefix.
 */
export interface NameScope {
  readonly project: string;
  readonly stack: string;
}

const SEGMENT = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function physicalName(scope: NameScope, component: string, thing?: string): string {
  const parts = [scope.project, scope.stack, component, ...(thing === undefined ? [] : [thing])];
  for (const part of parts) {
    if (!SEGMENT.test(part)) {
      throw new Error(`name segment "${part}" must be lower-case letters, digits and single hyphens`);
    }
  }
  return parts.join("-");
}

/** Names AWS caps at a length (ALB, target group: 32) are shortened with a stable hash suffix. */
export function boundedName(name: string, maxLength: number): string {
  if (name.length <= maxLength) return name;
  let hash = 0;
  for (const ch of name) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) >>> 0;
  const suffix = hash.toString(36).padStart(7, "0").slice(0, 7);
  return `${name.slice(0, maxLength - suffix.length - 1).replace(/-+$/, "")}-${suffix}`;
}

/** Every S3 general purpose bucket naming rule (src/conventions/aws-limits.ts, with its source). */
export function isValidBucketName(name: string): boolean {
  return nameProblem(S3_BUCKET_NAME, name) === undefined;
}

const ACCOUNT_ID = /^\d{12}$/;

/**
 * The one name of every S3 bucket: `[<prefix>]<project>-<stack>-<component>-<thing>-<account>`. Bucket
 * names are global across all AWS accounts, so the account id makes them ours (no BucketAlreadyExists
 * because someone else took the name) and stable (the same stack in the same account gets the same
 * name). Too long a name keeps its prefix and the account id and shortens the middle with a stable
 * hash; `prefix` is for names AWS dictates the start of (WAF log buckets: `aws-waf-logs-`).
 */
export function bucketName(scope: NameScope & { readonly accountId: string }, component: string, thing?: string, prefix = ""): string {
  if (!ACCOUNT_ID.test(scope.accountId)) throw new Error(`bucket names need the 12-digit account id, got "${scope.accountId}"`);
  const suffix = `-${scope.accountId}`;
  const middle = boundedName(physicalName(scope, component, thing), 63 - prefix.length - suffix.length);
  const name = `${prefix}${middle}${suffix}`;
  if (!isValidBucketName(name)) {
    throw new Error(`bucket name "${name}" ${nameProblem(S3_BUCKET_NAME, name) ?? "is not a valid S3 name"}`);
  }
  return name;
}
