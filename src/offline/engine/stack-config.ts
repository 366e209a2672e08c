import { hexFrom } from "./deterministic";

/** Config as the Pulumi CLI hands it to a program: `namespace:key` → string, plus the secret keys. */
export interface PulumiConfig {
  readonly values: Record<string, string>;
  readonly secretKeys: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSecure(value: unknown): value is { secure: string } {
  return isRecord(value) && Object.keys(value).length === 1 && typeof value.secure === "string";
}

/** Keys without a namespace belong to the project, as `pulumi config set <key>` does it. */
function fullKey(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/**
 * Encrypted values cannot be decrypted offline (and must not be): each becomes a stable placeholder,
 * and its key is marked secret so the program treats it exactly as it would the real value.
 */
function secretPlaceholder(stack: string, key: string, where: string): string {
  return `offline-secret-${hexFrom(16, stack, key, where)}`;
}

/** Replaces `secure:` leaves; reports whether any was found. */
function replaceSecure(stack: string, key: string, value: unknown, where: string, found: { secret: boolean }): unknown {
  if (isSecure(value)) {
    found.secret = true;
    return secretPlaceholder(stack, key, where);
  }
  if (Array.isArray(value)) return value.map((v, i) => replaceSecure(stack, key, v, `${where}[${i}]`, found));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceSecure(stack, key, v, `${where}.${k}`, found)]));
  }
  return value;
}

/** Project-level config entries may be `{ type, default, description, secret }` declarations. */
function projectDefault(value: unknown): unknown {
  if (isRecord(value) && ("default" in value || "type" in value || "description" in value)) return value.default;
  return value;
}

/**
 * Turns the YAML `config:` maps (project defaults, then the stack file, then overrides) into what the
 * CLI passes to the language host: strings, with structured values JSON-encoded.
 */
export function toPulumiConfig(args: {
  project: string;
  stack: string;
  projectConfig: Readonly<Record<string, unknown>>;
  stackConfig: Readonly<Record<string, unknown>>;
  overrides?: Readonly<Record<string, string>>;
}): PulumiConfig {
  const merged = new Map<string, unknown>();
  for (const [key, value] of Object.entries(args.projectConfig)) {
    const v = projectDefault(value);
    if (v !== undefined) merged.set(fullKey(args.project, key), v);
  }
  for (const [key, value] of Object.entries(args.stackConfig)) merged.set(fullKey(args.project, key), value);
  for (const [key, value] of Object.entries(args.overrides ?? {})) merged.set(fullKey(args.project, key), value);

  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const key of [...merged.keys()].sort()) {
    const found = { secret: false };
    const value = replaceSecure(args.stack, key, merged.get(key), "", found);
    if (value === null || value === undefined) continue;
    values[key] = typeof value === "object" ? JSON.stringify(value) : String(value);
    if (found.secret) secretKeys.push(key);
  }
  return { values, secretKeys };
}
