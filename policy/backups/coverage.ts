import type { PolicyResource } from "@pulumi/policy";
import { tagsOf } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { attachedVolumes, bucketName, bucketProtection, criticalHosts, isAtLeastDaily, planRules, regionOfArn, selectionsCovering, writableBuckets } from "./facts";

/**
 * The audit report's backup matrix: every critical host against point-in-time recovery, snapshots and
 * cross-region copies, from the same facts BKP-01..04 judge (so the matrix and the verdicts agree).
 */
export interface BackupCoverageRow {
  readonly host: string;
  readonly pitr: string;
  readonly snapshots: string;
  readonly crossRegion: string;
}

export function backupCoverage(resources: readonly PolicyResource[]): BackupCoverageRow[] {
  const index = new StackIndex(resources);
  return criticalHosts(index)
    .map((host): BackupCoverageRow => {
      const repos = writableBuckets(index, host).filter((b) => {
        const p = bucketProtection(index, b);
        return p.versioned && p.lockEnabled && p.kmsCmk;
      });
      const pitr = repos.length > 0 ? `yes (${repos.map((b) => bucketName(b) ?? b.name).join(", ")})` : "NO";
      const rules = attachedVolumes(index, host)
        .flatMap(({ volume }) => (volume === undefined ? [] : selectionsCovering(index, volume)))
        .flatMap((c) => (c.plan === undefined ? [] : planRules(c.plan)));
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
