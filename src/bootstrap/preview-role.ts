import type { PolicyDocument } from "../conventions/iam-policy";

/**
 * ATTACHMENT POINT for `npm run preflight`'s read-only permissions (src/preflight/, another change):
 * the preview role runs preflight against the real account, so whatever policy document preflight
 * exports for that is returned here and attached to the preview role as the inline policy
 * `preflight`. Until it is wired, the preview role has AWS's ReadOnlyAccess and the state policy only.
 */
export function preflightPolicyDocument(): PolicyDocument | undefined {
  return undefined;
}
