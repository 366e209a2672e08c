import type { StackExport } from "../snapshot/types";

/**
 * Policy results that changed between base and head. The diff does not evaluate policies itself: it
 * is handed an audit function (the policy pack's offline runner), so the one source of truth for the
 * rules stays in the policy pack.
 */
export interface PolicyFinding {
  readonly policy: string;
  /** Enforcement level as the audit resolved it: mandatory, advisory, ... */
  readonly level: string;
  readonly urn?: string;
  readonly message: string;
  /** The finding's key, the one a waiver names (policy/framework/findings.ts); defaults to the message. */
  readonly finding?: string;
}

export type AuditFunction = (snapshot: StackExport) => Promise<readonly PolicyFinding[]> | readonly PolicyFinding[];

export interface PolicyResultChanges {
  readonly evaluated: boolean;
  /** Why the audit could not run, when it could not. */
  readonly error?: string;
  readonly introduced: readonly PolicyFinding[];
  readonly resolved: readonly PolicyFinding[];
  readonly unchanged: number;
}

export const NOT_EVALUATED: PolicyResultChanges = { evaluated: false, introduced: [], resolved: [], unchanged: 0 };

export async function policyResultChanges(audit: AuditFunction | undefined, base: StackExport, head: StackExport): Promise<PolicyResultChanges> {
  if (audit === undefined) return NOT_EVALUATED;
  let before: readonly PolicyFinding[];
  let after: readonly PolicyFinding[];
  try {
    before = await audit(base);
    after = await audit(head);
  } catch (error) {
    return { ...NOT_EVALUATED, error: (error as Error).message.split("\n")[0] };
  }
  const beforeKeys = new Set(before.map(findingKey));
  const afterKeys = new Set(after.map(findingKey));
  return {
    evaluated: true,
    introduced: sortFindings(after.filter((f) => !beforeKeys.has(findingKey(f)))),
    resolved: sortFindings(before.filter((f) => !afterKeys.has(findingKey(f)))),
    unchanged: after.filter((f) => beforeKeys.has(findingKey(f))).length,
  };
}

/** One finding per policy, resource and finding key: a waiver of one finding never hides another. */
function findingKey(finding: PolicyFinding): string {
  return `${finding.policy}\0${finding.urn ?? ""}\0${finding.finding ?? finding.message}`;
}

const LEVEL_ORDER = ["mandatory", "remediate", "advisory"];

function sortFindings(findings: readonly PolicyFinding[]): PolicyFinding[] {
  const rank = (level: string): number => {
    const at = LEVEL_ORDER.indexOf(level);
    return at < 0 ? LEVEL_ORDER.length : at;
  };
  return [...new Map(findings.map((f) => [findingKey(f), f])).values()].sort(
    (a, b) => rank(a.level) - rank(b.level) || a.policy.localeCompare(b.policy) || (a.urn ?? "").localeCompare(b.urn ?? "") || a.message.localeCompare(b.message),
  );
}
