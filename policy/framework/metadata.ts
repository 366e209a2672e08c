import type { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

/**
 * What every rule of the pack carries besides its check, so that a report can trace a violation to the
 * architecture decision it protects and to the public controls an auditor already knows.
 */
export type Severity = "critical" | "high" | "medium";

export const DECISIONS = ["D1", "D2", "D3", "D4", "D5", "D6", "D7"] as const;
export type Decision = (typeof DECISIONS)[number];

/** Condensed from the architecture decision record (docs: architecture.md, section 2). */
export const DECISION_TITLES: Readonly<Record<Decision, string>> = {
  D1: "Microservices, each with its own identity, data and queues",
  D2: "Asynchronous integration through topics and queues",
  D3: "Synchronous REST only through the DMZ edge and declared calls",
  D4: "Cloud machines operated by a DevOps-as-a-Service provider",
  D5: "Critical data on our own database hosts; logs in cloud storage",
  D6: "DMZ for every external connection; no direct internet access inside",
  D7: "Backups of the critical data",
};

/** Public control ids, grouped by the catalogue they come from. */
export interface ControlMapping {
  /** AWS Security Hub Foundational Security Best Practices, e.g. "S3.1". */
  readonly fsbp?: readonly string[];
  /** CIS AWS Foundations Benchmark v3, e.g. "2.1.4". */
  readonly cis?: readonly string[];
  /** Checkov check ids, e.g. "CKV_AWS_53". */
  readonly checkov?: readonly string[];
  /** Kubernetes Pod Security Standards fields, e.g. "spec.securityContext.runAsNonRoot". */
  readonly pss?: readonly string[];
  /** Anything else worth naming (Kyverno policies, NSA/CISA guidance ...). */
  readonly other?: readonly string[];
}

export interface PolicyMetadata {
  /** Our id (e.g. "NET-01"); also the policy's name under the Pulumi engine and its config key. */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly decisions: readonly Decision[];
  readonly controls: ControlMapping;
  readonly description: string;
  readonly remediation: string;
  /** The policy's own level; per-stack config overrides it, the pack default applies when absent. */
  readonly enforcementLevel?: EnforcementLevel;
}

export interface PlatformResourcePolicy {
  readonly kind: "resource";
  readonly meta: PolicyMetadata;
  /** The object handed to `PolicyPack`, and evaluated unchanged by the offline auditor. */
  readonly policy: ResourceValidationPolicy;
}

export interface PlatformStackPolicy {
  readonly kind: "stack";
  readonly meta: PolicyMetadata;
  readonly policy: StackValidationPolicy;
}

export type PlatformPolicy = PlatformResourcePolicy | PlatformStackPolicy;

const CATALOGUES: ReadonlyArray<[keyof ControlMapping, string]> = [
  ["fsbp", "FSBP"],
  ["cis", "CIS"],
  ["checkov", ""],
  ["pss", "PSS"],
  ["other", ""],
];

/** Control ids as a report shows them: "FSBP S3.1", "CIS 2.1.4", "CKV_AWS_53". */
export function controlLabels(controls: ControlMapping): string[] {
  const labels: string[] = [];
  for (const [key, prefix] of CATALOGUES) {
    for (const id of controls[key] ?? []) labels.push(prefix === "" ? id : `${prefix} ${id}`);
  }
  return labels;
}
