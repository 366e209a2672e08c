import { z } from "zod";
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
    archivePushQueueMaxMiB: positiveInt(1_048_576),
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
