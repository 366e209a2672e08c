/**
 * Whether a statement's conditions really narrow it, judged by operator and value, not by the mere
 * presence of a key. Semantics from the IAM JSON policy reference (condition operators, "...IfExists",
 * "Null", multivalued ForAllValues/ForAnyValue, ArnEquals/ArnLike wildcards per ARN component):
 * - only positive matches narrow: StringEquals/Like (and IgnoreCase), ArnEquals/Like; a negated
 *   operator (StringNotEquals ...) names what is excluded, so everything else stays allowed;
 * - `...IfExists` passes when the key is absent from the request (a direct call carries no
 *   aws:SourceArn), `Null` only tests presence, and `ForAllValues:` passes on an empty key: none narrows;
 * - every value must be specific: a literal 12-digit account, an org id, a VPC or endpoint id, an ARN
 *   whose account (or, for S3, bucket) is literal; `*`, `arn:aws:iam::*` and the like match anyone.
 * Condition blocks are ANDed, the values of one key ORed: one narrowing key is enough, and a key
 * narrows only when all its values are specific.
 */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

const POSITIVE_OPERATORS = new Set(["stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"]);

/** Keys that pin who is calling (for a wildcard principal) to our account, organisation, network or a service's resource. */
export const PRINCIPAL_SCOPING_KEYS: ReadonlySet<string> = new Set([
  "aws:sourcearn",
  "aws:sourceaccount",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalaccount",
  "aws:principalarn",
  "aws:sourcevpce",
  "aws:sourcevpc",
  "kms:calleraccount",
]);

/** Keys that narrow Resource "*" to tagged, own-account, passed-through or service-mediated resources. */
export const RESOURCE_SCOPING_KEY = /^(aws:resourcetag\/|aws:requesttag\/|ec2:resourcetag\/|aws:sourcearn$|aws:sourceaccount$|aws:resourceaccount$|kms:viaservice$|kms:calleraccount$|iam:passedtoservice$|ec2:createaction$|elasticloadbalancing:createaction$|ec2:vpc$|aws:calledvia$|secretsmanager:secretid$|ssm:resourcetag\/)/;

/** Keys that scope trust in another account (cross-account role assumption). */
export const TRUST_SCOPING_KEYS: ReadonlySet<string> = new Set(["sts:externalid", "aws:principalorgid", "aws:principalorgpaths", "aws:principalarn", "aws:sourceidentity"]);

const WILDCARD = /[*?]/;

function wildcardOnly(value: string): boolean {
  return value.replace(/[*?]/g, "").trim() === "";
}

function literalAccount(value: string): boolean {
  return /^\d{12}$/.test(value);
}

/** An ARN (or ARN pattern) that names a definite account, or a definite S3 bucket. */
function specificArn(value: string): boolean {
  const parts = value.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return false;
  const [, partition = "", service = "", , account = ""] = parts;
  const resource = parts.slice(5).join(":");
  if (WILDCARD.test(partition) || service === "" || WILDCARD.test(service)) return false;
  if (account !== "") return literalAccount(account);
  // Account-less ARNs (S3 buckets, service-owned resources): the resource must start with a literal name.
  return resource !== "" && !/^[*?]/.test(resource);
}

/** Whether `value` is specific enough for condition key `key` (lower case). */
export function specificValue(key: string, value: string): boolean {
  if (value.trim() === "" || wildcardOnly(value)) return false;
  if (/^(aws:(principal|source|resource)account|kms:calleraccount)$/.test(key)) return literalAccount(value);
  if (/^aws:(principal|source)orgid$/.test(key)) return /^o-[a-z0-9]{10,32}$/.test(value);
  if (/^aws:(principal|source)orgpaths$/.test(key)) return /^o-[a-z0-9]{10,32}\/r-[a-z0-9]{4,32}\//.test(value);
  if (/^aws:(principal|source)arn$/.test(key)) return specificArn(value);
  if (key === "aws:sourcevpc") return /^vpc-[0-9a-f]+$/.test(value);
  if (key === "aws:sourcevpce") return /^vpce-[0-9a-f]+$/.test(value);
  if (key === "kms:viaservice") return /^[a-z0-9-]+\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(value);
  if (key === "sts:externalid") return !WILDCARD.test(value) && value.length >= 2;
  if (key === "aws:calledvia" || key === "iam:passedtoservice") return !WILDCARD.test(value);
  // Tags, ids and other keys: anything but a value that matches everything.
  return true;
}

interface Operator {
  readonly base: string;
  readonly ifExists: boolean;
  readonly set: "any" | "all" | undefined;
}

function parseOperator(raw: string): Operator {
  let rest = raw;
  let set: Operator["set"];
  const qualifier = /^(ForAnyValue|ForAllValues):/i.exec(rest);
  if (qualifier !== null) {
    set = (qualifier[1] as string).toLowerCase() === "forallvalues" ? "all" : "any";
    rest = rest.slice(qualifier[0].length);
  }
  const ifExists = /IfExists$/i.test(rest);
  if (ifExists) rest = rest.slice(0, -"IfExists".length);
  return { base: rest.toLowerCase(), ifExists, set };
}

/** Whether one operator/key/values entry restricts the statement to specific values of `key`. */
export function narrows(operator: string, key: string, values: readonly string[]): boolean {
  const op = parseOperator(operator);
  if (op.ifExists || op.set === "all" || !POSITIVE_OPERATORS.has(op.base)) return false;
  return values.length > 0 && values.every((v) => specificValue(key, v));
}

/** Whether some condition on a key accepted by `accepts` narrows the statement. */
export function narrowedBy(conditions: ConditionBlock, accepts: (key: string) => boolean): boolean {
  return Object.entries(conditions).some(([operator, keys]) => Object.entries(keys).some(([key, values]) => accepts(key) && narrows(operator, key, values)));
}

export function scopesPrincipal(conditions: ConditionBlock): boolean {
  return narrowedBy(conditions, (k) => PRINCIPAL_SCOPING_KEYS.has(k));
}

export function scopesResource(conditions: ConditionBlock): boolean {
  return narrowedBy(conditions, (k) => RESOURCE_SCOPING_KEY.test(k));
}

/** MFA required outright (`Bool aws:MultiFactorAuthPresent true`, not IfExists: a long-term key carries no MFA key). */
export function requiresMfa(conditions: ConditionBlock): boolean {
  return Object.entries(conditions).some(([operator, keys]) => {
    const op = parseOperator(operator);
    return op.base === "bool" && !op.ifExists && (keys["aws:multifactorauthpresent"] ?? []).length > 0 && (keys["aws:multifactorauthpresent"] ?? []).every((v) => v === "true");
  });
}
