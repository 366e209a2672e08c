import type { EnforcementLevel } from "@pulumi/policy";
import type { Decision, Severity } from "../../../policy/framework/metadata";

/** What an audit found, in the shape every report renders (sorted, so reports are deterministic). */
export type ReportedLevel = "mandatory" | "advisory";

export interface ViolationRecord {
  readonly policy: string;
  readonly title: string;
  readonly level: ReportedLevel;
  readonly severity: Severity;
  /** "violation": the rule failed; "unchecked": a value it needs is unknown (preview) or encrypted. */
  readonly kind: "violation" | "unchecked";
  readonly urn?: string;
  readonly type?: string;
  readonly name?: string;
  readonly message: string;
  /** The finding's key, which a waiver names (its own key, else the message; policy/framework/findings.ts). */
  readonly finding: string;
  readonly remediation: string;
  readonly decisions: readonly Decision[];
  readonly controls: readonly string[];
}

export interface PolicyRecord {
  readonly id: string;
  /** The policy's name under the Pulumi engine (the same as the id). */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly kind: "resource" | "stack";
  readonly severity: Severity;
  readonly decisions: readonly Decision[];
  readonly controls: readonly string[];
  readonly remediation: string;
  /** Resolved: policy config, then "all", then the policy's own level, then the pack default. */
  readonly enforcementLevel: EnforcementLevel;
  /**
   * The resources in the rule's scope and how they fared. In scope: the resources whose configuration
   * the rule read while judging (a resource policy that returns at a type check reads nothing), plus
   * any it reported on; never simply the stack's size. Each counts once: failed (an open violation),
   * else unchecked (a value unknown during preview), else waived (only waived findings), else passed.
   */
  readonly scope: ScopeCounts;
  /** Open violations (findings), not resources. */
  readonly violations: number;
  readonly unchecked: number;
  /** Findings suppressed by a waiver. */
  readonly waived: number;
  readonly notApplicable?: string;
}

export interface ScopeCounts {
  readonly resources: number;
  readonly passed: number;
  readonly failed: number;
  readonly waived: number;
  readonly unchecked: number;
}

export interface WaiverRecord {
  readonly policy: string;
  readonly resource: string;
  /** The finding key the waiver accepts; absent on an invalid waiver that names none. */
  readonly finding?: string;
  readonly reason?: string;
  readonly approver?: string;
  readonly expiry?: string;
  readonly ticket?: string;
  /** applied: it suppressed a violation; unused: valid but nothing to suppress; invalid: see problems. */
  readonly status: "applied" | "unused" | "invalid";
  readonly problems: readonly string[];
  readonly suppressed: ReadonlyArray<{ readonly urn?: string; readonly message: string; readonly finding: string }>;
}

export interface DecisionSummary {
  readonly decision: Decision;
  readonly title: string;
  readonly policies: readonly string[];
  readonly mandatory: number;
  readonly advisory: number;
}

export interface ControlSummary {
  /** As reports show it alone ("CIS 1.10"). */
  readonly control: string;
  /** Its id within the framework ("1.10"). */
  readonly id: string;
  /** Its public page (the control's own for FSBP, else the framework's). */
  readonly url?: string;
  readonly policies: readonly string[];
  readonly mandatory: number;
  readonly advisory: number;
}

/** Controls grouped by the public catalogue (and version) they come from, naturally sorted (frameworks.ts). */
export interface FrameworkSummary {
  readonly key: string;
  readonly name: string;
  readonly version?: string;
  readonly url?: string;
  readonly controls: readonly ControlSummary[];
}

export interface ReachabilityReport {
  readonly zones: readonly string[];
  /** One cell per zone pair that has any flow (direct hops), e.g. { from: "dmz", to: "app", flows: "tcp/8080" }. */
  readonly cells: ReadonlyArray<{ readonly from: string; readonly to: string; readonly flows: string }>;
  /** Why the matrix is missing, when it is. */
  readonly unavailable?: string;
}

/** Backups (D7): every critical host against PITR, snapshots and cross-region copies (policy/backups/coverage.ts). */
export interface BackupCoverageReport {
  readonly rows: ReadonlyArray<{ readonly host: string; readonly pitr: string; readonly snapshots: string; readonly crossRegion: string }>;
  /** Why the matrix is missing, when it is. */
  readonly unavailable?: string;
}

export interface AuditResult {
  readonly tool: { readonly name: string; readonly version: string };
  /** The git revision of the inputs (`--commit`, else detected from the checkout; commit.ts), or "unknown". */
  readonly commit: string;
  readonly pack: { readonly name: string; readonly version: string };
  readonly input: { readonly source: string; readonly format: "stack-export" | "preview"; readonly resources: number; readonly stack?: string; readonly project?: string };
  /** The day waivers and expiries were judged against (YYYY-MM-DD, UTC). */
  readonly date: string;
  readonly summary: {
    readonly passed: boolean;
    readonly mandatory: number;
    readonly advisory: number;
    readonly unchecked: number;
    readonly waived: number;
    readonly byDecision: readonly DecisionSummary[];
    readonly byFramework: readonly FrameworkSummary[];
  };
  readonly policies: readonly PolicyRecord[];
  readonly violations: readonly ViolationRecord[];
  readonly waivers: readonly WaiverRecord[];
  readonly reachability: ReachabilityReport;
  readonly backupCoverage: BackupCoverageReport;
  /** Config keys naming no policy of the pack, and similar notes that do not fail the audit. */
  readonly notes: readonly string[];
}
