import type { PolicyResource } from "@pulumi/policy";
import { peekTexts, tagsOf, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { attachedVolumes, bucketName, bucketProtection, criticalHosts, isAtLeastDaily, planRules, regionOfArn, selectionsCovering, T, writableBuckets, type PlanRuleFacts } from "./facts";

/**
 * The audit report's backup matrix and the architecture picture's backup flows: every critical host
 * against point-in-time recovery, snapshots and cross-region copies, from the same facts BKP-01..04
 * judge (so the matrix, the picture and the verdicts agree). `backupPaths` is the one reader of how
 * the selections and the pgBackRest grants match each host; the matrix and the picture both read it.
 */
export interface BackupCoverageRow {
  readonly host: string;
  readonly pitr: string;
  readonly snapshots: string;
  readonly crossRegion: string;
}

export interface HostBackupPaths {
  readonly host: PolicyResource;
  /** Buckets the host's role may write into that are usable pgBackRest repositories: versioned, Object Lock, CMK. */
  readonly repositories: readonly PolicyResource[];
  /** Per attached data volume, the selections that pick it (BKP-01's matching), their plans' rules and target vaults. */
  readonly snapshots: ReadonlyArray<{
    readonly volume: PolicyResource;
    readonly selection: PolicyResource;
    readonly plan: PolicyResource | undefined;
    readonly rules: readonly PlanRuleFacts[];
    /** Vaults of the stack the plan's rules write to (targetVaultName) or copy into (copy actions' ARNs). */
    readonly vaults: readonly PolicyResource[];
  }>;
}

function vaultsOf(index: StackIndex, plan: PolicyResource | undefined): PolicyResource[] {
  if (plan === undefined) return [];
  const vaults = index.ofType(T.vault);
  const named = new Set(planRules(plan).flatMap((r) => (r.targetVault === undefined ? [] : [r.targetVault])));
  const copies = new Set(planRules(plan).flatMap((r) => r.copyDestinations));
  return vaults.filter((v) => {
    const name = peekTexts(v.props, "name")[0] ?? text(v.props["id"]);
    const arn = peekTexts(v.props, "arn")[0];
    return (name !== undefined && named.has(name)) || (arn !== undefined && copies.has(arn));
  });
}

export function backupPaths(index: StackIndex): HostBackupPaths[] {
  return criticalHosts(index).map((host) => ({
    host,
    repositories: writableBuckets(index, host).filter((b) => {
      const p = bucketProtection(index, b);
      return p.versioned && p.lockEnabled && p.kmsCmk;
    }),
    snapshots: attachedVolumes(index, host).flatMap(({ volume }) =>
      volume === undefined
        ? []
        : selectionsCovering(index, volume).map(({ selection, plan }) => ({ volume, selection, plan, rules: plan === undefined ? [] : planRules(plan), vaults: vaultsOf(index, plan) })),
    ),
  }));
}

export function backupCoverage(resources: readonly PolicyResource[]): BackupCoverageRow[] {
  const index = new StackIndex(resources);
  return backupPaths(index)
    .map(({ host, repositories: repos, snapshots: covered }): BackupCoverageRow => {
      const pitr = repos.length > 0 ? `yes (${repos.map((b) => bucketName(b) ?? b.name).join(", ")})` : "NO";
      const rules = covered.flatMap((c) => c.rules);
      const snapshots =
        rules.length === 0
          ? "NO"
          : [...new Set(rules.map((r) => `${r.name} ${r.deleteAfter ?? "∞"} d`))].join(", ") + (rules.some((r) => isAtLeastDaily(r.schedule)) ? "" : " (none daily)");
      const copyRegions = [...new Set(rules.flatMap((r) => r.copyDestinations.map((d) => regionOfArn(d) ?? "?")))];
      const replicated = repos.some((b) => bucketProtection(index, b).replicated);
      const parts = [copyRegions.length > 0 ? `snapshots → ${copyRegions.join(", ")}` : "", replicated ? "repository replicated" : ""].filter(Boolean);
      return { host: tagsOf(host.props)["Name"] ?? host.name, pitr, snapshots, crossRegion: parts.length > 0 ? `yes (${parts.join("; ")})` : "no" };
    })
    .sort((a, b) => a.host.localeCompare(b.host));
}
