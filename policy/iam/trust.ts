import { narrowedBy, scopesPrincipal, specificValue, TRUST_SCOPING_KEYS } from "./conditions";
import type { PolicyStatement } from "./document";

/**
 * Who a role's trust policy (`assumeRolePolicy`) lets assume it. Problems, each with its own finding key:
 * - any principal (`*`, `AWS: *`, an ARN with a wildcard account) without a condition pinning the
 *   caller to our account or organisation;
 * - an AWS account other than the trusted ones (config) without a condition that scopes the trust:
 *   sts:ExternalId (the confused-deputy guard), aws:PrincipalOrgID/OrgPaths, a literal aws:PrincipalArn
 *   or aws:SourceIdentity;
 * - an OIDC provider (web identity) without a `<provider>:sub` condition naming the subject (for
 *   GitHub: the organisation, `repo:<org>/...`), so any token of that provider would do;
 * - NotPrincipal, which trusts everyone but the few it names.
 */
export interface TrustProblem {
  readonly principal: string;
  readonly problem: string;
}

/** The account of an AWS principal (`123456789012`, `arn:aws:iam::123456789012:root`, a role ARN). */
function accountOf(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  const parts = principal.split(":");
  return parts.length >= 6 && parts[0] === "arn" ? parts[4] : undefined;
}

function webIdentitySubjectScoped(provider: string, statement: PolicyStatement): boolean {
  const host = provider.replace(/^arn:[^:]+:iam::[^:]*:oidc-provider\//, "").toLowerCase();
  const subKey = `${host}:sub`;
  return narrowedBy(statement.conditions, (k) => k === subKey) && subjectsSpecific(host, statement, subKey);
}

function subjectsSpecific(host: string, statement: PolicyStatement, subKey: string): boolean {
  const values = Object.values(statement.conditions).flatMap((keys) => keys[subKey] ?? []);
  if (host === "token.actions.githubusercontent.com") return values.every((v) => /^repo:[^*?/:]+\/./.test(v));
  return values.every((v) => specificValue(subKey, v) && !/^[*?]/.test(v));
}

export function trustProblems(statement: PolicyStatement, trustedAccounts: ReadonlySet<string>): TrustProblem[] {
  if (statement.effect !== "Allow") return [];
  const problems: TrustProblem[] = [];
  if (statement.hasNotPrincipal) problems.push({ principal: "NotPrincipal", problem: "trusts every principal but those NotPrincipal names" });
  for (const principal of statement.principals) {
    const [kind, ...rest] = principal.split(":");
    const value = rest.join(":");
    if (principal === "*" || (kind === "AWS" && (value === "*" || /^[*?]+$/.test(accountOf(value) ?? "")))) {
      if (!scopesPrincipal(statement.conditions)) problems.push({ principal, problem: "lets any AWS principal assume the role" });
      continue;
    }
    if (kind === "AWS") {
      const account = accountOf(value);
      if (account !== undefined && trustedAccounts.has(account)) continue;
      if (!narrowedBy(statement.conditions, (k) => TRUST_SCOPING_KEYS.has(k))) {
        problems.push({ principal, problem: `trusts account ${account ?? value} without a scoping condition (sts:ExternalId, aws:PrincipalOrgID or a literal aws:PrincipalArn)` });
      }
      continue;
    }
    if (kind === "Federated" && !value.includes(":saml-provider/") && !webIdentitySubjectScoped(value, statement)) {
      problems.push({ principal, problem: "trusts web identities of the provider without a condition naming the subject (<provider>:sub)" });
    }
  }
  return problems;
}
