import type { BackupsConfig } from "../config/sections/backups";

/**
 * Volume snapshots with AWS Backup (D7), as data: the plan's rules and the selection. The selection is
 * by tag (`data-class=critical`) over EBS volumes, so a new critical host's data volume is covered
 * without a code change; root volumes (tagged internal) are rebuilt from the AMI instead.
 */
export interface SnapshotRule {
  readonly name: "daily" | "weekly" | "monthly";
  /** AWS Backup cron (UTC), after the nightly pgBackRest backups. */
  readonly schedule: string;
  readonly deleteAfterDays: number;
  /** Copy each recovery point to the second region's vault (prod). */
  readonly copyToReplica: boolean;
}

export interface SnapshotPlan {
  readonly rules: readonly SnapshotRule[];
  readonly selection: { readonly resources: readonly string[]; readonly tagKey: string; readonly tagValue: string };
  readonly vaultLock: { readonly mode: "governance" | "compliance"; readonly minRetentionDays: number; readonly maxRetentionDays: number; readonly changeableForDays?: number };
  readonly crossRegion?: { readonly region: string };
}

export const CRITICAL_TAG = { key: "data-class", value: "critical" } as const;

export function planSnapshots(config: BackupsConfig): SnapshotPlan {
  const s = config.snapshots;
  const copy = config.crossRegion.enabled;
  const rules: SnapshotRule[] = [{ name: "daily", schedule: "cron(0 3 * * ? *)", deleteAfterDays: s.dailyRetentionDays, copyToReplica: copy }];
  if (s.weeklyRetentionDays !== undefined) rules.push({ name: "weekly", schedule: "cron(0 4 ? * SUN *)", deleteAfterDays: s.weeklyRetentionDays, copyToReplica: copy });
  if (s.monthlyRetentionDays !== undefined) rules.push({ name: "monthly", schedule: "cron(0 5 1 * ? *)", deleteAfterDays: s.monthlyRetentionDays, copyToReplica: copy });
  const days = rules.map((r) => r.deleteAfterDays);
  return {
    rules,
    selection: { resources: ["arn:aws:ec2:*:*:volume/*"], tagKey: CRITICAL_TAG.key, tagValue: CRITICAL_TAG.value },
    // The lock admits exactly the retentions the plan uses: nobody can shorten one (or delete early).
    vaultLock: {
      mode: config.vaultLock.mode,
      minRetentionDays: Math.min(...days),
      maxRetentionDays: Math.max(...days),
      ...(config.vaultLock.mode === "compliance" ? { changeableForDays: config.vaultLock.changeableForDays } : {}),
    },
    ...(copy ? { crossRegion: { region: config.crossRegion.region } } : {}),
  };
}
