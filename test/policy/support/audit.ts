import type { PlatformPolicy } from "../../../policy/framework/metadata";
import { closingPolicies } from "../../../policy/governance/policies";
import { runAudit, type AuditOptions, type AuditResult, type ViolationRecord } from "../../../src/offline/audit";
import type { StackExport } from "../../../src/offline/snapshot/types";
import type { FixtureStack } from "./fixture-stack";

/** A fixed day, so waiver expiry checks do not depend on when the tests run. */
export const TODAY = new Date("2030-06-15T12:00:00Z");

/** Audits with the given policies (plus GOV-01, which closes every run) on the fixed day. */
export function audit(
  stack: FixtureStack | StackExport,
  policies: readonly PlatformPolicy[],
  options: Omit<AuditOptions, "policies"> = {},
): Promise<AuditResult> {
  const snapshot = "toExport" in stack ? stack.toExport() : stack;
  const withClosing = [...policies, ...closingPolicies.filter((c) => !policies.includes(c))];
  return runAudit(snapshot, { now: TODAY, ...options, policies: withClosing });
}

export function findings(result: AuditResult, policy: string): ViolationRecord[] {
  return result.violations.filter((v) => v.policy === policy);
}

export function messages(result: AuditResult, policy: string): string[] {
  return findings(result, policy).map((v) => v.message);
}
