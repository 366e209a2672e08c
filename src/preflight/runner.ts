/**
 * Runs every check against the account: collect (AWS, read-only), then evaluate (pure). A call the
 * role may not make becomes a finding naming the missing action; missing credentials and anything
 * unexpected propagate (the CLI turns them into exit 2 and 3).
 */
import { AccessDeniedError } from "./aws-errors";
import { CHECKS } from "./checks";
import type { Check, CheckDeps, Finding, PreflightFacts } from "./types";

const SEVERITY_ORDER = { error: 0, warning: 1 } as const;

async function runOne(check: Check<unknown>, facts: PreflightFacts, deps: CheckDeps): Promise<Finding[]> {
  try {
    const evidence = await check.collect(facts, deps);
    return check.evaluate(facts, evidence, { accountId: deps.accountId, now: deps.now });
  } catch (err) {
    if (err instanceof AccessDeniedError) {
      return [{ check: check.name, severity: "error", problem: `could not check: the caller may not call ${err.action}`, action: "attach preflightPolicyDocument() (src/preflight/permissions.ts) to the role that runs preflight" }];
    }
    throw err;
  }
}

/** All findings, errors first, then in check order; stable for the same answers. */
export async function runChecks(facts: PreflightFacts, deps: CheckDeps, checks: ReadonlyArray<Check<unknown>> = CHECKS): Promise<Finding[]> {
  const results = await Promise.all(checks.map((check) => runOne(check, facts, deps)));
  const order = new Map(checks.map((c, i) => [c.name, i]));
  return results
    .flat()
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_ORDER[a.f.severity] - SEVERITY_ORDER[b.f.severity] || (order.get(a.f.check) ?? 0) - (order.get(b.f.check) ?? 0) || a.i - b.i)
    .map(({ f }) => f);
}
