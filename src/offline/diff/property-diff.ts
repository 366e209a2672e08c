import { create, type Delta } from "jsondiffpatch";
import { isSecretValue } from "../snapshot/secrets";
import { isRecord } from "./resource-facts";

/**
 * Changed property paths between two property bags, in Pulumi's path syntax (`a.b[0]["data-class"]`).
 *
 * Lists are compared as collections of named things, not by position (jsondiffpatch with an object
 * hash): an item is the same item when its identity (`name`, `sid`, `port`/`protocol`, `key`, ...) is
 * the same, so inserting a service into a NetworkPolicy shows one added peer, not a dozen shifted
 * lines. Order alone is not a change: the lists that matter here are sets to their providers
 * (Terraform `TypeSet`: subnet ids, security group rules) or merge-keyed lists to Kubernetes.
 *
 * A secret is a leaf: reported as changed when it differs (ciphertext, or plaintext in a
 * `--show-secrets` export), its content never shown. Non-secret values are shown in full when they are
 * scalars; long or multi-line texts are summarised by length so a user-data never floods a comment.
 */
export type ChangeKind = "added" | "removed" | "changed";

export interface PropertyChange {
  readonly path: string;
  readonly kind: ChangeKind;
  readonly secret: boolean;
  /** Display form of the old and new value (JSON); objects and lists as compact JSON when short. */
  readonly before?: string;
  readonly after?: string;
}

/** How `pulumi preview --json` writes a value that is not known until apply. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const MAX_DISPLAY_LENGTH = 200;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Fields that name an item of a list, most specific first (IAM `Sid`, Kubernetes `name`, tags' `key`, ports). */
const IDENTITY_FIELDS = ["sid", "Sid", "name", "key", "Key", "path", "host", "id"] as const;
const PORT_FIELDS = ["port", "containerPort", "fromPort", "toPort", "protocol", "ipProtocol"] as const;

/** A secret is replaced by a token unique to its content, so the diff sees it as one opaque scalar. */
const SECRET_TOKEN = "\u0000secret:";

const differ = create({
  objectHash: (item: object, index?: number): string => identityOf(item) ?? `$$index:${index ?? 0}`,
  arrays: { detectMove: true, includeValueOnMove: false },
});

export function diffProperties(before: unknown, after: unknown): PropertyChange[] {
  const secrets = new Map<string, string>();
  const a = withSecretTokens(before, secrets);
  const b = withSecretTokens(after, secrets);
  const delta = differ.diff(a, b);
  const changes: PropertyChange[] = [];
  if (delta !== undefined) walk("", delta, a, b, changes);
  return changes.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

export function joinPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (IDENTIFIER.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/**
 * Whether a Pulumi property path (as `ignoreChanges` and `replaceOnChanges` take them, `*` wildcards
 * included) covers a changed path: the same property or anything beneath it.
 */
export function pathCovers(pattern: string, changed: string): boolean {
  if (pattern === "*") return true;
  const segments = pathSegments(pattern);
  const target = pathSegments(changed);
  if (segments.length > target.length) return false;
  return segments.every((s, i) => s === "*" || s === target[i]);
}

function pathSegments(path: string): string[] {
  const out: string[] = [];
  const re = /([^.[\]]+)|\[("(?:[^"\\]|\\.)*"|[^\]]*)\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2]);
  }
  return out;
}

function identityOf(item: object): string | undefined {
  if (typeof item === "string" && (item as string).startsWith(SECRET_TOKEN)) return item as string;
  if (!isRecord(item)) return undefined;
  for (const field of IDENTITY_FIELDS) {
    const value = item[field];
    if (typeof value === "string" || typeof value === "number") return `${field}=${String(value)}`;
  }
  const ports = PORT_FIELDS.filter((f) => item[f] !== undefined).map((f) => `${f}=${JSON.stringify(item[f])}`);
  if (ports.length > 0) return ports.join(",");
  // Without a name, an item is what it contains: equal items match wherever they are.
  return JSON.stringify(item);
}

function withSecretTokens(value: unknown, secrets: Map<string, string>): unknown {
  if (isSecretValue(value)) {
    const text = JSON.stringify(value);
    let token = secrets.get(text);
    if (token === undefined) {
      token = `${SECRET_TOKEN}${secrets.size}`;
      secrets.set(text, token);
    }
    return token;
  }
  if (Array.isArray(value)) return value.map((v) => withSecretTokens(v, secrets));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSecretTokens(v, secrets)]));
  return value;
}

function isSecretToken(value: unknown): boolean {
  return typeof value === "string" && value.startsWith(SECRET_TOKEN);
}

/** Turns a jsondiffpatch delta into property changes (see jsondiffpatch docs/deltas.md for the format). */
function walk(path: string, delta: Delta, before: unknown, after: unknown, out: PropertyChange[]): void {
  if (Array.isArray(delta)) {
    leaf(path, delta, out);
    return;
  }
  if (!isRecord(delta)) return;
  if ((delta as Record<string, unknown>)._t === "a") {
    walkList(path, delta as Record<string, unknown>, Array.isArray(before) ? before : [], Array.isArray(after) ? after : [], out);
    return;
  }
  for (const [key, sub] of Object.entries(delta)) {
    walk(joinPath(path, key), sub as Delta, isRecord(before) ? before[key] : undefined, isRecord(after) ? after[key] : undefined, out);
  }
}

/**
 * An array delta: items inserted (`i: [v]`), removed (`_i: [v, 0, 0]`), moved (`_i: ["", j, 3]`, order
 * only: skipped) or changed in place (`i: {...}`). An unnamed object is matched by its content, so an
 * edited one shows as removed plus added: such pairs are diffed with each other instead.
 */
function walkList(path: string, delta: Record<string, unknown>, oldList: unknown[], newList: unknown[], out: PropertyChange[]): void {
  const removed: number[] = [];
  const added: number[] = [];
  for (const [key, sub] of Object.entries(delta)) {
    if (key === "_t" || !Array.isArray(sub)) continue;
    if (key.startsWith("_") && sub.length === 3 && sub[1] === 0 && sub[2] === 0 && isUnnamed(oldList[Number(key.slice(1))])) removed.push(Number(key.slice(1)));
    if (!key.startsWith("_") && sub.length === 1 && isUnnamed(newList[Number(key)])) added.push(Number(key));
  }
  const pairs = Math.min(removed.length, added.length);
  const paired = new Set([...removed.slice(0, pairs).map((i) => `_${i}`), ...added.slice(0, pairs).map(String)]);
  for (let n = 0; n < pairs; n += 1) {
    const from = oldList[removed[n] as number];
    const to = newList[added[n] as number];
    const inner = differ.diff(from, to);
    if (inner !== undefined) walk(joinPath(path, added[n] as number), inner, from, to, out);
  }
  for (const [key, sub] of Object.entries(delta)) {
    if (key === "_t" || paired.has(key)) continue;
    const index = Number(key.startsWith("_") ? key.slice(1) : key);
    // A move is order only: not a change of a set.
    if (Array.isArray(sub) && sub.length === 3 && sub[2] === 3) continue;
    walk(joinPath(path, index), sub as Delta, oldList[index], newList[index], out);
  }
}

function isUnnamed(item: unknown): boolean {
  return isRecord(item) && identityOf(item) === JSON.stringify(item);
}

function leaf(path: string, delta: unknown[], out: PropertyChange[]): void {
  if (delta.length === 1) push(path, "added", undefined, delta[0], out);
  else if (delta.length === 2) push(path, "changed", delta[0], delta[1], out);
  else if (delta.length === 3 && delta[1] === 0 && delta[2] === 0) push(path, "removed", delta[0], undefined, out);
}

function push(path: string, kind: ChangeKind, before: unknown, after: unknown, out: PropertyChange[]): void {
  if (isSecretToken(before) || isSecretToken(after) || containsSecret(before) || containsSecret(after)) {
    out.push({ path, kind, secret: true });
    return;
  }
  const change: { -readonly [K in keyof PropertyChange]: PropertyChange[K] } = { path, kind, secret: false };
  const shownBefore = display(before);
  const shownAfter = display(after);
  if (shownBefore !== undefined) change.before = shownBefore;
  if (shownAfter !== undefined) change.after = shownAfter;
  out.push(change);
}

function containsSecret(value: unknown): boolean {
  if (isSecretToken(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecret);
  if (isRecord(value)) return Object.values(value).some(containsSecret);
  return false;
}

/** What a reviewer reads: the value as JSON, or its size when it is too long or spans lines. */
export function display(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === UNKNOWN_VALUE) return "(known after apply)";
  const text = JSON.stringify(value);
  if (text === undefined) return undefined;
  if (typeof value === "string" && (value.includes("\n") || text.length > MAX_DISPLAY_LENGTH)) {
    return `(text, ${value.split("\n").length} lines, ${value.length} characters)`;
  }
  if (text.length > MAX_DISPLAY_LENGTH) return Array.isArray(value) ? `(list of ${value.length})` : `(object with ${Object.keys(value as object).length} keys)`;
  return text;
}
