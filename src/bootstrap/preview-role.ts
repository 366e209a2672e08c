import type { PolicyDocument } from "../conventions/iam-policy";
import { preflightPolicyDocument as preflightReadOnly } from "../preflight/permissions";

/**
 * `npm run preflight`'s read-only permissions: the preview role runs preflight against the real
 * account before every deploy, so the document preflight derives from the SDK commands it sends
 * (src/preflight/permissions.ts) is attached to the preview role as the inline policy `preflight`.
 */
export function preflightPolicyDocument(): PolicyDocument | undefined {
  return preflightReadOnly();
}
