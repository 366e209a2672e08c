import { readBoundedText } from "../../config/bounded-file";
import { InputError } from "../../config/input-error";
import { CONFIG_JSON_LIMITS, parseJson } from "../../config/json-reader";
import type { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";
import type { PlatformPolicy } from "../../../policy/framework/metadata";

/**
 * Policy pack configuration, read and reconciled as the Pulumi CLI does for `--policy-pack-config`:
 * each key is a policy name (or "all"), its value an enforcement level or an object with an optional
 * `enforcementLevel` and the policy's properties; schema defaults come first, then "all", then the
 * policy's own entry; properties are checked against the policy's config schema.
 */
export type PolicyPackConfigFile = Readonly<Record<string, unknown>>;

export interface PolicyConfig {
  readonly enforcementLevel: EnforcementLevel | undefined;
  readonly properties: Readonly<Record<string, unknown>>;
}

export class PolicyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PolicyConfigError";
  }
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

function level(source: string, key: string, value: unknown): EnforcementLevel {
  if (typeof value === "string" && (LEVELS as readonly string[]).includes(value)) return value as EnforcementLevel;
  throw new PolicyConfigError(`${source}: ${key}: ${describe(value)} is not an enforcement level; allowed: ${LEVELS.join(", ")}`);
}

export function parsePolicyConfig(raw: unknown, source: string): Map<string, PolicyConfig> {
  if (!isObject(raw)) throw new PolicyConfigError(`${source}: expected an object of policy names, found ${describe(raw)}`);
  const result = new Map<string, PolicyConfig>();
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === "string") {
      result.set(key, { enforcementLevel: level(source, key, value), properties: {} });
    } else if (isObject(value)) {
      const { enforcementLevel, ...properties } = value;
      result.set(key, {
        enforcementLevel: enforcementLevel === undefined ? undefined : level(source, `${key}.enforcementLevel`, enforcementLevel),
        properties,
      });
    } else {
      throw new PolicyConfigError(`${source}: ${key}: ${describe(value)} is not valid; must be an enforcement level or an object`);
    }
  }
  return result;
}

export function readPolicyConfig(file: string): Map<string, PolicyConfig> {
  let raw: unknown;
  try {
    const text = readBoundedText(file, CONFIG_JSON_LIMITS.maxBytes, "policy configuration");
    if (text.trim() === "") return new Map();
    raw = parseJson(text, file, CONFIG_JSON_LIMITS);
  } catch (err) {
    if (err instanceof InputError) throw new PolicyConfigError(err.message);
    throw err;
  }
  return parsePolicyConfig(raw, file);
}

type Schema = NonNullable<PolicyConfigSchema["properties"]>[string] | boolean;

/** The subset of JSON schema the pack's config schemas use. */
function validate(value: unknown, schema: Schema, where: string, errors: string[]): void {
  if (typeof schema === "boolean") {
    if (!schema) errors.push(`${where}: not allowed`);
    return;
  }
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const typeOk = (t: string): boolean =>
    (t === "string" && typeof value === "string") ||
    (t === "number" && typeof value === "number") ||
    (t === "integer" && Number.isInteger(value)) ||
    (t === "boolean" && typeof value === "boolean") ||
    (t === "array" && Array.isArray(value)) ||
    (t === "object" && isObject(value)) ||
    (t === "null" && value === null);
  if (types.length > 0 && !types.some(typeOk)) {
    errors.push(`${where}: expected ${types.join(" or ")}, found ${describe(value)}`);
    return;
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${where}: ${describe(value)} is not one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${where}: ${value} is below the minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${where}: ${value} is above the maximum ${schema.maximum}`);
  }
  if (typeof value === "string" && schema.minLength !== undefined && value.length < schema.minLength) {
    errors.push(`${where}: shorter than ${schema.minLength} characters`);
  }
  if (Array.isArray(value) && schema.items !== undefined && !Array.isArray(schema.items)) {
    const items = schema.items;
    value.forEach((v, i) => validate(v, items, `${where}[${i}]`, errors));
  }
  if (isObject(value)) {
    for (const key of schema.required ?? []) if (!(key in value)) errors.push(`${where}: ${key} is required`);
    for (const [key, sub] of Object.entries(schema.properties ?? {})) if (key in value) validate(value[key], sub, `${where}.${key}`, errors);
  }
}

export interface ReconciledConfig {
  /** Per policy: the resolved level inputs and the properties its getConfig() returns. */
  readonly policies: ReadonlyMap<string, PolicyConfig>;
  /** Keys that name no policy of the pack (the CLI ignores them too). */
  readonly unknownKeys: readonly string[];
}

export function reconcile(policies: readonly PlatformPolicy[], given: ReadonlyMap<string, PolicyConfig>, source: string): ReconciledConfig {
  const all = given.get("all");
  const result = new Map<string, PolicyConfig>();
  const errors: string[] = [];
  for (const { policy } of policies) {
    const properties: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
      if (typeof schema !== "boolean" && schema.default !== undefined) properties[key] = structuredClone(schema.default);
    }
    const own = given.get(policy.name);
    Object.assign(properties, own?.properties ?? {});
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
      if (key in properties) validate(properties[key], schema, `${policy.name}.${key}`, errors);
    }
    for (const key of policy.configSchema?.required ?? []) if (!(key in properties)) errors.push(`${policy.name}: ${key} is required`);
    result.set(policy.name, { enforcementLevel: own?.enforcementLevel ?? all?.enforcementLevel, properties });
  }
  if (errors.length > 0) throw new PolicyConfigError(`${source}: ${errors.join("; ")}`);
  const names = new Set(policies.map((p) => p.policy.name));
  const unknownKeys = [...given.keys()].filter((k) => k !== "all" && !names.has(k)).sort();
  return { policies: result, unknownKeys };
}
