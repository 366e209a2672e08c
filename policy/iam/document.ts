import { isRecord, list, text } from "../framework/props";
import { scopesPrincipal } from "./conditions";

/**
 * IAM policy documents (identity policies, bucket policies, key policies) in one normalised shape,
 * so S3, KMS and IAM rules judge statements the same way.
 */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  /** `*` or `AWS:*` for anyone; otherwise `<kind>:<value>`, e.g. `AWS:arn:aws:iam::123456789012:root`. */
  readonly principals: readonly string[];
  readonly hasNotPrincipal: boolean;
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  /** operator -> condition key (lower case) -> values as strings. */
  readonly conditions: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

export type ParsedDocument = { readonly statements: readonly PolicyStatement[] } | { readonly error: string };

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "boolean" || typeof value === "number") return [String(value)];
  return list(value).flatMap((v) => (typeof v === "string" || typeof v === "boolean" || typeof v === "number" ? [String(v)] : []));
}

function principalsOf(value: unknown): string[] {
  if (value === undefined) return [];
  if (value === "*") return ["*"];
  if (!isRecord(value)) return strings(value);
  const result: string[] = [];
  for (const [kind, v] of Object.entries(value)) {
    for (const p of strings(v)) result.push(p === "*" && kind === "AWS" ? "*" : `${kind}:${p}`);
  }
  return result;
}

function conditionsOf(value: unknown): Record<string, Record<string, string[]>> {
  const result: Record<string, Record<string, string[]>> = {};
  if (!isRecord(value)) return result;
  for (const [operator, body] of Object.entries(value)) {
    if (!isRecord(body)) continue;
    const keys: Record<string, string[]> = {};
    for (const [key, v] of Object.entries(body)) keys[key.toLowerCase()] = strings(v);
    result[operator] = keys;
  }
  return result;
}

/** Parses a policy given as JSON text or as an object; `undefined` when there is none. */
export function parsePolicyDocument(value: unknown): ParsedDocument | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  let doc: unknown = value;
  if (typeof value === "string") {
    try {
      doc = JSON.parse(value);
    } catch {
      return { error: "the policy is not valid JSON" };
    }
  }
  if (!isRecord(doc)) return { error: "the policy is not a JSON object" };
  const raw = doc["Statement"];
  const items = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const statements: PolicyStatement[] = [];
  for (const item of items) {
    if (!isRecord(item)) return { error: "a statement is not an object" };
    const effect = item["Effect"];
    if (effect !== "Allow" && effect !== "Deny") return { error: `a statement has Effect ${JSON.stringify(effect)}` };
    const sid = text(item["Sid"]);
    statements.push({
      ...(sid === undefined ? {} : { sid }),
      effect,
      principals: principalsOf(item["Principal"]),
      hasNotPrincipal: item["NotPrincipal"] !== undefined,
      actions: strings(item["Action"]),
      notActions: strings(item["NotAction"]),
      resources: strings(item["Resource"]),
      notResources: strings(item["NotResource"]),
      conditions: conditionsOf(item["Condition"]),
    });
  }
  return { statements };
}

export function hasWildcardPrincipal(statement: PolicyStatement): boolean {
  return statement.principals.some((p) => p === "*" || p === "AWS:*");
}

/** A Deny to anyone when `aws:SecureTransport` is false (what it covers is for the caller to judge). */
export function deniesAnyoneWithoutTls(statement: PolicyStatement): boolean {
  if (statement.effect !== "Deny" || !hasWildcardPrincipal(statement)) return false;
  return ["Bool", "BoolIfExists"].some((op) => (statement.conditions[op]?.["aws:securetransport"] ?? []).some((v) => v === "false"));
}

/**
 * An Allow to anyone, or to everyone but someone, without a condition that scopes it to our account,
 * organisation, network or a service's resource (judged by operator and value: iam/conditions.ts).
 */
export function isOpenAllow(statement: PolicyStatement): boolean {
  if (statement.effect !== "Allow") return false;
  if (!hasWildcardPrincipal(statement) && !statement.hasNotPrincipal) return false;
  return !scopesPrincipal(statement.conditions);
}

export function describeStatement(statement: PolicyStatement, index: number): string {
  return statement.sid === undefined ? `statement ${index + 1}` : `statement "${statement.sid}"`;
}
