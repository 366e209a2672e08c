import { BACKUP_METRIC_NAMESPACE } from "./layout";

/**
 * The backup alarms of one database host, as data. They read the metrics `fitness-pgbackrest` emits
 * (src/backups/host-script.ts); a host that stops reporting alarms too (missing data is breaching where
 * silence would mean no backups).
 */
export interface BackupAlarmPlan {
  readonly id: string;
  readonly name: string;
  readonly metricName: "JobFailed" | "JobSucceeded" | "ArchiveFailing" | "ArchiveQueueBytes" | "WalDropped";
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: "Sum" | "Maximum";
  readonly comparisonOperator: "GreaterThanOrEqualToThreshold" | "LessThanThreshold";
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly treatMissingData: "breaching" | "notBreaching";
  readonly description: string;
}

export const BACKUP_ALARM_NAMESPACE = BACKUP_METRIC_NAMESPACE;

export function planBackupAlarms(domain: string, namePrefix: string, archivePushQueueMaxMiB: number): BackupAlarmPlan[] {
  const host = { Host: domain };
  const halfQueue = (archivePushQueueMaxMiB * 1024 * 1024) / 2;
  const runbook = "docs/runbooks/restore.md";
  return [
    {
      id: `${domain}-job-failed`,
      name: `${namePrefix}-${domain}-backup-job-failed`,
      metricName: "JobFailed",
      dimensions: host,
      statistic: "Sum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      periodSeconds: 300,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
      description: `A pgBackRest job (backup, verify, check, passphrase) failed on ${domain}: journalctl -u 'fitness-pgbackrest*' on the host; ${runbook}.`,
    },
    {
      id: `${domain}-no-backup`,
      name: `${namePrefix}-${domain}-no-recent-backup`,
      metricName: "JobSucceeded",
      dimensions: { ...host, Job: "backup" },
      statistic: "Sum",
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      // Backups run daily: 26 hours without a successful one (timer dead, host down, metrics lost) alarms.
      periodSeconds: 3600,
      evaluationPeriods: 26,
      treatMissingData: "breaching",
      description: `No successful pgBackRest backup of ${domain} for 26 hours; ${runbook}.`,
    },
    {
      id: `${domain}-archive-failing`,
      name: `${namePrefix}-${domain}-wal-archive-failing`,
      metricName: "ArchiveFailing",
      dimensions: host,
      statistic: "Maximum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      periodSeconds: 300,
      evaluationPeriods: 3,
      treatMissingData: "breaching",
      description: `WAL archiving of ${domain} fails (or its monitor is silent) for 15 minutes: WAL piles up in pg_wal toward archive-push-queue-max; ${runbook}.`,
    },
    {
      id: `${domain}-archive-queue`,
      name: `${namePrefix}-${domain}-wal-archive-queue-half-full`,
      metricName: "ArchiveQueueBytes",
      dimensions: host,
      statistic: "Maximum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: halfQueue,
      periodSeconds: 300,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
      description: `Unarchived WAL of ${domain} reached half of archive-push-queue-max (${archivePushQueueMaxMiB} MiB): at the limit pgBackRest drops WAL and PITR gets a gap; ${runbook}.`,
    },
    {
      id: `${domain}-wal-dropped`,
      name: `${namePrefix}-${domain}-wal-dropped`,
      metricName: "WalDropped",
      dimensions: host,
      statistic: "Sum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      periodSeconds: 300,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
      description: `pgBackRest DROPPED WAL of ${domain} (archive queue over its limit): point-in-time recovery has a gap until the full backup the monitor started completes; ${runbook}.`,
    },
  ];
}
