import type { PolicyStatement } from "../iam/document";

/** Compiled once per pattern: the rules ask every role about every queue, with the same few patterns. */
const compiled = new Map<string, RegExp>();

/**
 * Whether IAM statements allow an action on a resource ARN, with IAM's wildcards (`*`, `?`) in actions
 * and resources, NotAction and NotResource. Conditions are not evaluated: an Allow counts whatever its
 * conditions (the rules ask what a principal could ever do), a Deny only when it has none.
 */
function glob(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const key = `${caseInsensitive ? "i" : "s"}${pattern}`;
  let regex = compiled.get(key);
  if (regex === undefined) {
    const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    regex = new RegExp(`^${escaped}$`, caseInsensitive ? "i" : "");
    compiled.set(key, regex);
  }
  return regex.test(value);
}

function coversAction(s: PolicyStatement, action: string): boolean {
  if (s.actions.length > 0) return s.actions.some((a) => glob(a, action, true));
  if (s.notActions.length > 0) return !s.notActions.some((a) => glob(a, action, true));
  return false;
}

function coversResource(s: PolicyStatement, arn: string): boolean {
  if (s.resources.length > 0) return s.resources.some((r) => glob(r, arn, false));
  if (s.notResources.length > 0) return !s.notResources.some((r) => glob(r, arn, false));
  return false;
}

export function statementCovers(s: PolicyStatement, action: string, arn: string): boolean {
  return coversAction(s, action) && coversResource(s, arn);
}

export function allows(statements: readonly PolicyStatement[], action: string, arn: string): boolean {
  const denied = statements.some((s) => s.effect === "Deny" && Object.keys(s.conditions).length === 0 && statementCovers(s, action, arn));
  return !denied && statements.some((s) => s.effect === "Allow" && statementCovers(s, action, arn));
}
