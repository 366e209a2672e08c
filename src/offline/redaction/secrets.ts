import { findSecrets } from "../../../policy/ec2/secret-scan";
import { SECRET_SIG_KEY, SECRET_SIG_VALUE } from "../snapshot/types";
import { mdText, oneLine } from "./markdown";

/**
 * No secret value in any file, report or log line, whatever the input. Two defences:
 *
 * 1. On read, a snapshot's secret objects that carry their value (`pulumi stack export --show-secrets`
 *    writes `{"4dabf…": "1b47…", "plaintext": "<JSON>"}`; the engine's own form is `value`) are turned
 *    into the ciphertext form every other export has, so nothing downstream ever holds the plaintext.
 *    The plaintexts are remembered here.
 * 2. On write, every writer's text passes through `maskSecrets`: any remembered plaintext, and any value
 *    the secret scanner (policy/ec2/secret-scan.ts) flags by its key or its content, is replaced by
 *    `[secret]`, in its raw, JSON-escaped, XML-escaped and Markdown-escaped spellings.
 *
 * The registry is per process: each command reads its inputs, then writes.
 */
export const MASK = "[secret]";

/** Shorter values (`1`, `on`, `dev`) would mask ordinary words everywhere; no real secret is that short. */
const MIN_MASKED_LENGTH = 6;

const remembered = new Set<string>();
/** Texts rememberFlaggedValues has scanned already (per process, like `remembered`). */
const scanned = new Set<string>();

function remember(value: string): void {
  const trimmed = value.trim();
  if (trimmed.length >= MIN_MASKED_LENGTH) remembered.add(trimmed);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function rememberLeaves(value: unknown): void {
  if (typeof value === "string") remember(value);
  else if (Array.isArray(value)) value.forEach(rememberLeaves);
  else if (isObject(value)) Object.values(value).forEach(rememberLeaves);
  else if (typeof value === "number" && Math.abs(value) >= 100_000) remember(String(value));
}

/**
 * Replaces, in place and iteratively (snapshots may be large), every secret object's plaintext by a
 * ciphertext marker, remembering the plaintext. Returns the same document.
 */
export function concealPlaintextSecrets<T>(doc: T): T {
  const stack: unknown[] = [doc];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const item of node) if (typeof item === "object" && item !== null) stack.push(item);
      continue;
    }
    if (!isObject(node)) continue;
    if (node[SECRET_SIG_KEY] === SECRET_SIG_VALUE && ("plaintext" in node || "value" in node)) {
      const plaintext = node["plaintext"];
      if (typeof plaintext === "string") {
        remember(plaintext);
        try {
          rememberLeaves(JSON.parse(plaintext) as unknown);
        } catch {
          // Not JSON: the raw text is remembered already.
        }
      }
      if ("value" in node) rememberLeaves(node["value"]);
      delete node["plaintext"];
      delete node["value"];
      node["ciphertext"] = "[plaintext removed when read]";
      continue;
    }
    for (const value of Object.values(node)) if (typeof value === "object" && value !== null) stack.push(value);
  }
  return doc;
}

/** Keys whose literal value is a credential (a name, an ARN or a reference to one is not). */
const SECRET_KEY = /(^|[^a-z])(pass(word)?|passwd|pwd|secret|token|api[_-]?key|private[_-]?key|client[_-]?secret|credentials?)$/i;
/** A Pulumi type token (`aws:secretsmanager/secret:Secret`): a name, though it reads like `secret: Secret`. */
const PULUMI_TYPE = /^[a-z][a-z0-9-]*:[A-Za-z0-9._/-]*:[A-Za-z0-9]+$/;
const REFERENCE = /^(arn:|urn:pulumi:|\$\{|\{\{|resolve:|ssm:|secretsmanager:|[a-z0-9-]+\/[a-z0-9/_-]+$)/i;

/**
 * Remembers what the scanner flags in a document: values under credential-like keys, and every line
 * of a string in which the scanner finds a secret (a private key, an access key, `password=...`).
 */
export function rememberFlaggedValues(doc: unknown): void {
  // Keys and values on two stacks, in the order one stack of pairs would visit them (the order values are
  // remembered in is the order of equal-length masks), without a pair per node.
  const keys: string[] = [""];
  const nodes: unknown[] = [doc];
  while (nodes.length > 0) {
    const key = keys.pop() as string;
    const node = nodes.pop();
    if (typeof node === "string") {
      // A URN names a resource (`…secretsmanager/secret:Secret::x` reads like `secret: x` to the scanner); it is never a secret.
      if (node.startsWith("urn:pulumi:") || PULUMI_TYPE.test(node)) continue;
      if (isSecretKey(key) && !REFERENCE.test(node)) remember(node);
      // The scan depends on the text alone: a text seen before (outputs repeat inputs) was scanned then.
      if (node.length >= MIN_MASKED_LENGTH && !scanned.has(node)) {
        scanned.add(node);
        const lines = node.split("\n");
        for (const finding of findSecrets(node)) remember(lines[finding.line - 1] ?? "");
      }
    } else if (Array.isArray(node)) {
      for (const item of node) {
        keys.push(key);
        nodes.push(item);
      }
    } else if (isObject(node)) {
      for (const k of Object.keys(node)) {
        keys.push(k);
        nodes.push(node[k]);
      }
    }
  }
}

/** SECRET_KEY's verdict per key: a document repeats a few hundred keys over and over. */
const secretKeys = new Map<string, boolean>();

function isSecretKey(key: string): boolean {
  let verdict = secretKeys.get(key);
  if (verdict === undefined) {
    verdict = SECRET_KEY.test(key);
    secretKeys.set(key, verdict);
  }
  return verdict;
}

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Every spelling of a value a writer may produce. */
function spellings(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  return [...new Set([value, json, JSON.stringify(json).slice(1, -1), xmlEscape(value), xmlEscape(json), mdText(value), oneLine(value)])];
}

/** The spellings of every remembered value, longest value first; rebuilt only when a value was remembered since. */
let masks: { readonly size: number; readonly spellings: readonly string[] } = { size: 0, spellings: [] };

function maskSpellings(): readonly string[] {
  if (masks.size !== remembered.size) {
    // Longest first, so a secret that contains another is masked whole.
    const values = [...remembered].sort((a, b) => b.length - a.length);
    masks = { size: remembered.size, spellings: values.flatMap(spellings) };
  }
  return masks.spellings;
}

/** The text with every remembered secret replaced by `[secret]`. */
export function maskSecrets(text: string): string {
  if (remembered.size === 0) return text;
  let out = text;
  for (const spelling of maskSpellings()) if (out.includes(spelling)) out = out.split(spelling).join(MASK);
  return out;
}
