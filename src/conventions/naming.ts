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
