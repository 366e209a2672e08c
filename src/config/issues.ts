import type { z } from "zod";

/** One configuration problem, before it is formatted into its one-line message. */
export interface ConfigIssue {
  /** Where the value lives: `fitness-platform:network` for stack config, or the catalog's file path. */
  readonly source: string;
  readonly path: readonly PropertyKey[];
  readonly value: unknown;
  /** What is allowed (or what is wrong), in words. */
  readonly allowed: string;
  /** Secret config values are never echoed. */
  readonly secret?: boolean;
}

export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

export function formatPath(source: string, path: readonly PropertyKey[]): string {
  let text = source;
  for (const key of path) {
    text += typeof key === "number" ? `[${key}]` : `${text.endsWith(":") || text.endsWith(": ") ? "" : "."}${String(key)}`;
  }
  return text;
}

function showValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function formatIssue(stack: string, issue: ConfigIssue): string {
  const value = issue.secret ? "[secret]" : showValue(issue.value);
  return `stack "${stack}": ${formatPath(issue.source, issue.path)} = ${value}: ${issue.allowed}`;
}

/** Keys a (possibly wrapped) zod object accepts, to name them when a key is unknown. */
function knownKeys(schema: z.ZodType | undefined): string[] | undefined {
  let current: unknown = schema;
  for (let i = 0; i < 5 && current; i++) {
    const def = (current as { def?: { type?: string; innerType?: unknown; shape?: Record<string, unknown> } }).def;
    if (!def) return undefined;
    if (def.type === "object" && def.shape) return Object.keys(def.shape);
    current = def.innerType;
  }
  return undefined;
}

/** The sub-schema at a data path, following objects, arrays, records and optional/default wrappers. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: unknown = schema;
  for (const key of path) {
    for (let i = 0; i < 5; i++) {
      const def = (current as { def?: { type?: string; innerType?: unknown } }).def;
      if (def && (def.type === "optional" || def.type === "default" || def.type === "nullable")) current = def.innerType;
      else break;
    }
    const def = (current as { def?: { type?: string; shape?: Record<string, unknown>; element?: unknown; valueType?: unknown } })
      .def;
    if (!def) return undefined;
    if (def.type === "object" && def.shape) current = def.shape[String(key)];
    else if (def.type === "array") current = def.element;
    else if (def.type === "record") current = def.valueType;
    else return undefined;
  }
  return current as z.ZodType | undefined;
}

/** Turns zod's issues into ours, with the value that was given and what would have been allowed. */
export function fromZodIssues(
  source: string,
  schema: z.ZodType,
  input: unknown,
  zodIssues: readonly z.core.$ZodIssue[],
  secret = false,
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of zodIssues) {
    if (issue.code === "unrecognized_keys") {
      const keys = knownKeys(schemaAt(schema, issue.path));
      for (const key of issue.keys) {
        out.push({
          source,
          path: [...issue.path, key],
          value: valueAt(input, [...issue.path, key]),
          allowed: `unknown key (a typo?); allowed keys here: ${keys ? keys.join(", ") : "see the schema"}`,
          secret,
        });
      }
      continue;
    }
    out.push({ source, path: issue.path, value: valueAt(input, issue.path), allowed: describe(issue), secret });
  }
  return out;
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.message.startsWith("allowed:")) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return `allowed: ${issue.expected === "object" ? "a mapping" : `a ${issue.expected}`}`;
    case "invalid_value":
      return `allowed: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return issue.origin === "array"
        ? `allowed: at least ${String(issue.minimum)} entries`
        : issue.origin === "string"
          ? `allowed: at least ${String(issue.minimum)} characters`
          : `allowed: >= ${String(issue.minimum)}`;
    case "too_big":
      return issue.origin === "array" ? `allowed: at most ${String(issue.maximum)} entries` : `allowed: <= ${String(issue.maximum)}`;
    default:
      return `allowed: ${issue.message}`;
  }
}
