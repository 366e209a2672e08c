import { gunzipSync } from "node:zlib";

/**
 * Finds what looks like a secret in user data. Findings name the kind and the line, never the value:
 * the point is to keep secrets out of written files, so reports must not quote them either.
 * Base64 blobs (cloud-init parts, certificates) and gzip payloads are decoded and scanned in turn.
 */
export interface SecretFinding {
  readonly kind: string;
  readonly line: number;
}

const PATTERNS: ReadonlyArray<[string, RegExp]> = [
  ["a private key", /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----/],
  ["an AWS access key id", /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/],
  ["an AWS secret access key", /aws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+=]{40}\b/i],
  ["a GitHub token", /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
  ["a Slack token", /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/],
];

/** `password=...`, `secret: ...` with a literal value (variables, command substitutions and ARNs are fine). */
const LITERAL_ASSIGNMENT = /(?<![A-Za-z0-9])(pass(?:word)?|passwd|pwd|secret|token|api[_-]?key|cipher-pass)(?![A-Za-z0-9_])["']?(\s*)([=:])(\s*)["']?([^\s"'`]+)/gi;
/**
 * Environment-style assignments whose name says secret: PGPASSWORD=, MYSQL_PWD=, REDIS_PASSWORD=,
 * DB_PASS=, API_TOKEN=, AWS_SECRET_ACCESS_KEY=, AWS_SESSION_TOKEN=, CLIENT_SECRET= ... (the word may be
 * glued to a prefix, as libpq's PGPASSWORD and MySQL's MYSQL_PWD are).
 */
const ENV_ASSIGNMENT = /(?<![A-Za-z0-9_])((?:export\s+)?[A-Za-z][A-Za-z0-9_]*?(?:PASSWORD|PASSWD|PWD|PASS|PASSPHRASE|SECRET|SECRET_KEY|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?))\s*=\s*["']?([^\s"'`;]+)/gi;
/** `scheme://user:password@host`: credentials embedded in a URI (database URLs, proxies, Git remotes). */
const URI_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"'`]+:([^\s@"'`/]+)@[^\s"'`]/gi;
/** A ~/.pgpass entry (`host:port:database:user:password`) on a line that mentions pgpass. */
const PGPASS_ENTRY = /(?:^|[\s"'])[^\s:"']+:(?:\d+|\*):[^\s:"']+:[^\s:"']+:([^\s"'$`][^\s"']{3,})/;
/**
 * Keys that name a secret word but hold no secret: etcd's `initial-cluster-token` only tells clusters
 * apart during bootstrap (etcd configuration flags), and is written into every member's config.
 */
const NON_SECRET_KEYS = /(?:^|[^A-Za-z0-9_-])(?:initial-cluster-token|initial_cluster_token)\s*[=:]/i;
const HARMLESS_VALUE = /^(\$|<|%|\{\{|arn:|ssm:|secretsmanager:|resolve:|file:|\/|null$|none$|true$|false$|yes$|no$|required$|optional$|prompt$|\*+$)/i;

const TOKEN = /[A-Za-z0-9+/_=-]{24,}/g;
/** Public material whose base64 bodies look random: certificates, public keys (PEM and OpenSSH). */
const PUBLIC_MATERIAL = /-----BEGIN (CERTIFICATE|TRUSTED CERTIFICATE|PUBLIC KEY|RSA PUBLIC KEY|X509 CRL|CERTIFICATE REQUEST)-----[\s\S]*?-----END \1-----|\b(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+/g;
const BASE64_BLOB = /^[A-Za-z0-9+/]+={0,2}$/;

function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function lineOf(textValue: string, index: number): number {
  return textValue.slice(0, index).split("\n").length;
}

/** Decodes a base64 blob into text worth scanning (printable, or gzip of printable), if it is one. */
function decodeBlob(blob: string): string | undefined {
  if (blob.length < 16 || blob.length % 4 !== 0 || !BASE64_BLOB.test(blob)) return undefined;
  let bytes = Buffer.from(blob, "base64");
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      return undefined;
    }
  }
  const decoded = bytes.toString("utf8");
  let printable = 0;
  for (const ch of decoded) {
    const code = ch.charCodeAt(0);
    if (code === 9 || code === 10 || code === 13 || (code >= 32 && code <= 126)) printable++;
  }
  return printable >= decoded.length * 0.95 ? decoded : undefined;
}

function looksRandom(token: string): boolean {
  if (/^[0-9a-f]+$/i.test(token)) return false; // digests, ids
  if (!/[A-Z]/.test(token) || !/[a-z]/.test(token) || !/[0-9]/.test(token)) return false;
  if (/[a-z]{8,}|[A-Z]{8,}/.test(token)) return false; // words and CamelCase names
  return entropy(token) >= 4.2;
}

export function findSecrets(content: string, ignore: readonly RegExp[] = [], depth = 0): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const [kind, pattern] of PATTERNS) {
    const m = pattern.exec(content);
    if (m !== null) findings.push({ kind, line: lineOf(content, m.index) });
  }
  for (const m of content.matchAll(LITERAL_ASSIGNMENT)) {
    const value = m[5] ?? "";
    // `PASSWORD :'name'` is a psql variable, not a key-value pair (YAML and JSON put no space before the colon).
    const psqlVariable = m[3] === ":" && (m[2] ?? "") !== "" && (m[4] ?? "") === "";
    if (psqlVariable || value.length < 4 || HARMLESS_VALUE.test(value) || ignore.some((r) => r.test(m[0]))) continue;
    if (NON_SECRET_KEYS.test(content.slice(content.lastIndexOf("\n", m.index) + 1, m.index + m[0].length))) continue;
    findings.push({ kind: `a literal ${(m[1] ?? "password").toLowerCase()} value`, line: lineOf(content, m.index) });
  }
  // One finding per assignment: the generic pattern above already names `DB_PASSWORD=...` on its line.
  const assignmentLines = new Set(findings.map((f) => f.line));
  for (const m of content.matchAll(ENV_ASSIGNMENT)) {
    const value = m[2] ?? "";
    if (value.length < 4 || HARMLESS_VALUE.test(value) || ignore.some((r) => r.test(m[0])) || assignmentLines.has(lineOf(content, m.index))) continue;
    const name = (m[1] ?? "").replace(/^export\s+/i, "");
    findings.push({ kind: `a literal value for ${name}`, line: lineOf(content, m.index) });
  }
  for (const m of content.matchAll(URI_CREDENTIALS)) {
    const password = m[1] ?? "";
    if (HARMLESS_VALUE.test(password) || ignore.some((r) => r.test(m[0]))) continue;
    findings.push({ kind: "a URI with embedded credentials", line: lineOf(content, m.index) });
  }
  content.split("\n").forEach((line, i) => {
    const m = /pgpass/i.test(line) ? PGPASS_ENTRY.exec(line) : null;
    if (m !== null && !ignore.some((r) => r.test(m[0]))) findings.push({ kind: "a .pgpass entry with a literal password", line: i + 1 });
  });
  // Blank out public material (keeping line numbers) before looking for random-looking tokens.
  const scannable = content.replace(PUBLIC_MATERIAL, (block) => block.replace(/[^\n]/g, " "));
  for (const m of scannable.matchAll(TOKEN)) {
    const token = m[0];
    if (ignore.some((r) => r.test(token))) continue;
    const decoded = depth < 3 ? decodeBlob(token) : undefined;
    if (decoded !== undefined) {
      // A readable payload (cloud-init part, certificate, script) is judged by its content.
      for (const f of findSecrets(decoded, ignore, depth + 1)) findings.push({ kind: `${f.kind} (base64-encoded)`, line: lineOf(content, m.index) });
      continue;
    }
    if (token.length <= 64 && looksRandom(token)) findings.push({ kind: "a high-entropy token", line: lineOf(content, m.index) });
  }
  return findings;
}

/**
 * Credential material recognisable on its own, without a name saying so: keys and tokens of known
 * formats and URIs with embedded credentials. For values whose name is judged separately (container
 * environment variables, ConfigMap entries).
 */
export function findCredentials(content: string): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const [kind, pattern] of PATTERNS) {
    const m = pattern.exec(content);
    if (m !== null) findings.push({ kind, line: lineOf(content, m.index) });
  }
  for (const m of content.matchAll(URI_CREDENTIALS)) {
    if (!HARMLESS_VALUE.test(m[1] ?? "")) findings.push({ kind: "a URI with embedded credentials", line: lineOf(content, m.index) });
  }
  return findings;
}

/** Whether a literal is a reference or placeholder rather than a value (`$(VAR)`, `${VAR}`, an ARN ...). */
export function isHarmlessValue(value: string): boolean {
  return value.length < 4 || HARMLESS_VALUE.test(value);
}

/** User data as the instance sees it: base64 fields decoded, gzip payloads inflated. */
export function decodeUserData(value: string, base64: boolean): string {
  let bytes = base64 ? Buffer.from(value, "base64") : Buffer.from(value, "utf8");
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      // Not really gzip: scan the bytes as they are.
    }
  }
  return bytes.toString("utf8");
}
