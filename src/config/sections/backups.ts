import { z } from "zod";
import { maxGapDays } from "../../backups/schedule";
import { awsRegion, onCalendar, positiveInt } from "./primitives";

/** D7: point-in-time recovery (pgBackRest) plus volume snapshots (AWS Backup) for every critical host. */
export const backupsSchema = z.strictObject({
  pitr: z.strictObject({
    fullSchedule: onCalendar,
    differentialSchedule: onCalendar,
    verifySchedule: onCalendar,
    retentionFullCount: positiveInt(52),
    /** Days the WAL archive and backups are kept; the bucket's object lock is at least this long. */
    retentionDays: positiveInt(3650),
    /** WAL waiting in pg_wal beyond this is dropped (PITR gap): alarms fire at half of it (docs/runbooks/restore.md). */
    archivePushQueueMaxMiB: z.number().int().min(256, { message: "allowed: 256..1048576 MiB" }).max(1_048_576, { message: "allowed: 256..1048576 MiB" }),
    /** pgBackRest's parallel compress/transfer processes for backups. */
    processMax: positiveInt(16).default(2),
  })
  .superRefine((p, ctx) => {
    // A differential restores only with its full: the lifecycle may remove a full once it is retentionDays old.
    const gap = maxGapDays(p.fullSchedule);
    if (p.retentionDays <= gap) {
      ctx.addIssue({ code: "custom", path: ["retentionDays"], message: `allowed: more than the ${gap} day(s) between full backups (fullSchedule), so point-in-time recovery covers at least one day` });
    }
  }),
  snapshots: z.strictObject({
    dailyRetentionDays: positiveInt(3650),
    weeklyRetentionDays: positiveInt(3650).optional(),
    monthlyRetentionDays: positiveInt(3650).optional(),
  }),
  objectLockMode: z.enum(["GOVERNANCE", "COMPLIANCE"], { message: "allowed: GOVERNANCE, COMPLIANCE" }),
  vaultLock: z.strictObject({
    mode: z.enum(["governance", "compliance"], { message: "allowed: governance, compliance" }),
    /** Compliance mode becomes immutable once this grace period ends. */
    changeableForDays: z.number().int().min(3, { message: "allowed: 3..36500" }).max(36500),
  }),
  crossRegion: z.strictObject({
    enabled: z.boolean(),
    region: awsRegion,
  }),
});
export type BackupsConfig = z.infer<typeof backupsSchema>;
