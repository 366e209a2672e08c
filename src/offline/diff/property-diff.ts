import { isSecretValue } from "../snapshot/secrets";
import { isRecord } from "./resource-facts";

/**
 * Changed property paths between two property bags, in Pulumi's path syntax (`a.b[0]["data-class"]`).
 * A secret is a leaf: it is reported as changed when it differs (ciphertext, or plaintext in a
 * `--show-secrets` export), and its content is never shown. Only short scalar values are shown at
 * all, so a long user-data never floods a comment.
 */
export type ChangeKind = "added" | "removed" | "changed";

export interface PropertyChange {
  readonly path: string;
  readonly kind: ChangeKind;
  readonly secret: boolean;
  /** Display form of the old and new value (JSON), only for short, non-secret scalars. */
  readonly before?: string;
  readonly after?: string;
}

/** How `pulumi preview --json` writes a value that is not known until apply. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const MAX_DISPLAY_LENGTH = 60;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function diffProperties(before: unknown, after: unknown): PropertyChange[] {
  const changes: PropertyChange[] = [];
  walk("", before, after, changes);
  return changes;
}

export function joinPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (IDENTIFIER.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function walk(path: string, a: unknown, b: unknown, out: PropertyChange[]): void {
  if (a === undefined && b === undefined) return;
  if (isSecretValue(a) || isSecretValue(b)) {
    // Compared whole (ciphertext, or the plaintext of a `--show-secrets` export), never displayed.
    if (isSecretValue(a) && isSecretValue(b) && JSON.stringify(a) === JSON.stringify(b)) return;
    out.push({ path, kind: kindOf(a, b), secret: true });
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) walk(joinPath(path, key), a[key], b[key], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i += 1) walk(joinPath(path, i), a[i], b[i], out);
    return;
  }
  if (sameValue(a, b)) return;
  out.push({ path, kind: kindOf(a, b), secret: false, before: display(a), after: display(b) });
}

function kindOf(a: unknown, b: unknown): ChangeKind {
  if (a === undefined) return "added";
  if (b === undefined) return "removed";
  return "changed";
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Objects against arrays or scalars, or structures that only differ deeper, were handled above.
  return JSON.stringify(a) === JSON.stringify(b);
}

function display(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === UNKNOWN_VALUE) return "(known after apply)";
  if (value !== null && typeof value === "object") return undefined;
  const text = JSON.stringify(value);
  if (text === undefined || text.length > MAX_DISPLAY_LENGTH || /\\n/.test(text)) return undefined;
  return text;
}
