/**
 * `aws.iam.getPolicyDocument` rendered as AWS does, so that policies in the snapshot are the real JSON
 * the program would deploy (auditors and policy checks read them). Lists of one become a string, as in
 * the provider's output; multi-value lists are sorted so that output is stable.
 */
type Json = Record<string, unknown>;

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function oneOrMany(values: string[]): string | string[] {
  const sorted = [...new Set(values)].sort();
  return sorted.length === 1 ? (sorted[0] as string) : sorted;
}

function principals(value: unknown): Json | string | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const out: Record<string, string[]> = {};
  for (const p of value as Json[]) {
    const type = typeof p.type === "string" ? p.type : "AWS";
    out[type] = [...(out[type] ?? []), ...list(p.identifiers)];
  }
  if (Object.keys(out).length === 1 && out["*"] !== undefined) return "*";
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, oneOrMany(v)]));
}

function conditions(value: unknown): Json | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const out: Record<string, Record<string, string | string[]>> = {};
  for (const c of value as Json[]) {
    const test = String(c.test);
    out[test] = { ...(out[test] ?? {}), [String(c.variable)]: oneOrMany(list(c.values)) };
  }
  return out;
}

function statement(raw: Json): Json {
  const out: Json = {};
  if (typeof raw.sid === "string" && raw.sid !== "") out.Sid = raw.sid;
  out.Effect = typeof raw.effect === "string" ? raw.effect : "Allow";
  const fields: Array<[string, unknown]> = [
    ["Action", list(raw.actions).length > 0 ? oneOrMany(list(raw.actions)) : undefined],
    ["NotAction", list(raw.notActions).length > 0 ? oneOrMany(list(raw.notActions)) : undefined],
    ["Resource", list(raw.resources).length > 0 ? oneOrMany(list(raw.resources)) : undefined],
    ["NotResource", list(raw.notResources).length > 0 ? oneOrMany(list(raw.notResources)) : undefined],
    ["Principal", principals(raw.principals)],
    ["NotPrincipal", principals(raw.notPrincipals)],
    ["Condition", conditions(raw.conditions)],
  ];
  for (const [key, value] of fields) if (value !== undefined) out[key] = value;
  return out;
}

function parseDocuments(value: unknown): Json[] {
  return list(value).flatMap((text) => {
    try {
      const doc = JSON.parse(text) as Json;
      return Array.isArray(doc.Statement) ? (doc.Statement as Json[]) : doc.Statement ? [doc.Statement as Json] : [];
    } catch {
      return [];
    }
  });
}

export function renderPolicyDocument(inputs: Json): { json: string; minifiedJson: string } {
  const own = Array.isArray(inputs.statements) ? (inputs.statements as Json[]).map(statement) : [];
  // Source documents come first; override documents replace statements with the same Sid.
  let statements = [...parseDocuments(inputs.sourcePolicyDocuments), ...own];
  for (const override of parseDocuments(inputs.overridePolicyDocuments)) {
    const at = statements.findIndex((s) => s.Sid !== undefined && s.Sid === override.Sid);
    statements = at >= 0 ? statements.map((s, k) => (k === at ? override : s)) : [...statements, override];
  }
  const doc: Json = { Version: typeof inputs.version === "string" ? inputs.version : "2012-10-17" };
  if (typeof inputs.policyId === "string") doc.Id = inputs.policyId;
  doc.Statement = statements;
  return { json: JSON.stringify(doc, null, 2), minifiedJson: JSON.stringify(doc) };
}
