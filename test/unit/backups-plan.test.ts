/** The backups plan: bucket lifecycle and lock, snapshot rules, grants, alarms, config checks. */
import { bucketName } from "../../src/conventions/naming";
import { describe, expect, it } from "vitest";
import { planBackupAlarms } from "../../src/backups/alarms";
import { hostBackupPolicy, restorePolicy } from "../../src/backups/grants";
import { DESTRUCTIVE_S3_ACTIONS, planRepository } from "../../src/backups/repository-plan";
import { planSnapshots } from "../../src/backups/snapshot-plan";
import { backupsSchema, type BackupsConfig } from "../../src/config/sections/backups";

const naming = {
  name: (c: string, t?: string) => ["fitness-platform", "prod", c, ...(t === undefined ? [] : [t])].join("-"),
  bucketName: (c: string, t?: string) => bucketName({ project: "fitness-platform", stack: "prod", accountId: "222222222222" }, c, t),
};
const prod: BackupsConfig = backupsSchema.parse({
  pitr: { fullSchedule: "Sun *-*-* 01:00:00", differentialSchedule: "Mon..Sat *-*-* 01:00:00", verifySchedule: "Sat *-*-* 04:00:00", retentionFullCount: 5, retentionDays: 35, archivePushQueueMaxMiB: 16384 },
  snapshots: { dailyRetentionDays: 35, weeklyRetentionDays: 90, monthlyRetentionDays: 365 },
  objectLockMode: "COMPLIANCE",
  vaultLock: { mode: "compliance", changeableForDays: 3 },
  crossRegion: { enabled: true, region: "eu-west-1" },
});
const dev: BackupsConfig = { ...prod, snapshots: { dailyRetentionDays: 7 }, objectLockMode: "GOVERNANCE", vaultLock: { mode: "governance", changeableForDays: 3 }, crossRegion: { enabled: false, region: "eu-west-1" } };

describe("the repository bucket", () => {
  const plan = planRepository(naming, prod, ["personal-data", "training-records"]);

  it("locks objects as long as the retention and expires nothing sooner", () => {
    expect(plan.objectLock).toEqual({ mode: "COMPLIANCE", days: 35 });
    for (const rule of plan.lifecycle) {
      for (const days of [rule.expirationDays, rule.noncurrentDays]) if (days !== undefined) expect(days).toBeGreaterThanOrEqual(plan.objectLock.days);
    }
    expect(plan.recoveryWindowDays).toBe(28);
    expect(plan.replica).toEqual({ region: "eu-west-1", bucket: "fitness-platform-prod-backups-pitr-eu-west-1-222222222222" });
  });

  it("never expires pgBackRest's info files, which must outlive every backup", () => {
    const expiring = plan.lifecycle.filter((r) => r.expirationDays !== undefined);
    for (const key of ["personal-data/backup/personal-data/backup.info", "personal-data/backup/personal-data/backup.info.copy", "personal-data/archive/personal-data/archive.info"]) {
      expect(expiring.filter((r) => key.startsWith(r.prefix)).map((r) => r.id), key).toEqual([]);
    }
    for (const key of ["personal-data/backup/personal-data/20261124-010314F/pg_data/base/1/1259.gz", "personal-data/archive/personal-data/15-1/0000000100000000/000000010000000000000001-9e79.gz"]) {
      expect(expiring.some((r) => key.startsWith(r.prefix)), key).toBe(true);
    }
  });

  it("refuses a retention that would not cover one full-backup cycle (config)", () => {
    const r = backupsSchema.safeParse({ ...prod, pitr: { ...prod.pitr, retentionDays: 7 } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe("allowed: more than the 7 day(s) between full backups (fullSchedule), so point-in-time recovery covers at least one day");
    expect(r.error?.issues[0]?.path).toEqual(["pitr", "retentionDays"]);
  });
});

describe("snapshots", () => {
  it("is daily in dev; daily, weekly and monthly with copies to the second region in prod; locked to those retentions", () => {
    expect(planSnapshots(dev).rules.map((r) => [r.name, r.deleteAfterDays, r.copyToReplica])).toEqual([["daily", 7, false]]);
    const p = planSnapshots(prod);
    expect(p.rules.map((r) => [r.name, r.deleteAfterDays, r.copyToReplica])).toEqual([["daily", 35, true], ["weekly", 90, true], ["monthly", 365, true]]);
    expect(p.vaultLock).toEqual({ mode: "compliance", minRetentionDays: 35, maxRetentionDays: 365, changeableForDays: 3 });
    expect(planSnapshots(dev).vaultLock.changeableForDays).toBeUndefined();
    expect(p.selection).toEqual({ resources: ["arn:aws:ec2:*:*:volume/*"], tagKey: "data-class", tagValue: "critical" });
  });
});

describe("grants", () => {
  const host = hostBackupPolicy({ region: "eu-central-1", bucket: "b", repoPrefix: "personal-data", stanza: "personal-data", repoKeyArn: "arn:aws:kms:eu-central-1:1:key/k", passphraseSecretArn: "arn:secret", setupParameterArns: ["arn:p"] });

  it("lets a host write and read only its own prefix, and explicitly denies every destructive action", () => {
    const allow = host.Statement.filter((s) => s.Effect === "Allow");
    expect(allow.find((s) => s.Sid === "WriteAndReadOwnRepository")).toMatchObject({ Action: ["s3:PutObject", "s3:GetObject"], Resource: "arn:aws:s3:::b/personal-data/*" });
    // The only delete: pgBackRest's informational `latest` link of its own stanza, which it removes after every backup.
    expect(allow.filter((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]).some((a) => a.startsWith("s3:Delete")))).toEqual([
      { Sid: "RemoveOwnLatestLink", Effect: "Allow", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/personal-data/backup/personal-data/latest" },
    ]);
    const deny = host.Statement.find((s) => s.Sid === "NeverDeleteBackups");
    expect(deny?.Action).toEqual(DESTRUCTIVE_S3_ACTIONS.filter((a) => a !== "s3:DeleteObject"));
    expect(host.Statement.find((s) => s.Sid === "NeverDeleteBackupObjects")).toEqual({
      Sid: "NeverDeleteBackupObjects",
      Effect: "Deny",
      Action: "s3:DeleteObject",
      NotResource: "arn:aws:s3:::b/personal-data/backup/personal-data/latest",
    });
    expect(DESTRUCTIVE_S3_ACTIONS).toEqual(expect.arrayContaining(["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutLifecycleConfiguration", "s3:PutBucketPolicy", "s3:BypassGovernanceRetention"]));
  });

  it("lets the restore role read and never write", () => {
    const doc = restorePolicy({ region: "eu-central-1", bucket: "b", repoKeyArn: "k", passphraseSecretArns: ["s"], setupParameterArns: ["p"] });
    expect(doc.Statement.find((s) => s.Sid === "NeverWriteBackups")?.Action).toContain("s3:PutObject");
    expect(doc.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))).not.toContain("s3:PutObject");
  });
});

describe("alarms", () => {
  const alarms = planBackupAlarms("personal-data", "fitness-platform-prod-backups", 16384);
  it("fire before the archive queue drops WAL, and when a host goes silent", () => {
    expect(alarms.find((a) => a.metricName === "ArchiveQueueBytes")?.threshold).toBe((16384 * 1024 * 1024) / 2);
    expect(alarms.find((a) => a.metricName === "JobSucceeded")).toMatchObject({ treatMissingData: "breaching", comparisonOperator: "LessThanThreshold", dimensions: { Host: "personal-data", Job: "backup" } });
    expect(alarms.find((a) => a.metricName === "ArchiveFailing")?.treatMissingData).toBe("breaching");
    expect(alarms.find((a) => a.metricName === "WalDropped")?.threshold).toBe(1);
  });
});
