/**
 * BKP-01..05 against the real dev and prod stacks (synthesized under mocks) and against crafted
 * violations made by editing those snapshots, evaluated by the offline auditor as the pack runs them;
 * and the audit report's backup coverage matrix.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { bkp01SnapshotCoverage } from "../../policy/backups/bkp-01-snapshot-coverage";
import { bkp02PitrCoverage } from "../../policy/backups/bkp-02-pitr-coverage";
import { bkp03Immutability } from "../../policy/backups/bkp-03-immutability";
import { bkp04CrossRegion } from "../../policy/backups/bkp-04-cross-region";
import { bkp05WriteXorDelete } from "../../policy/backups/bkp-05-write-xor-delete";
import { backupsPolicies } from "../../policy/backups/policies";
import type { PlatformPolicy } from "../../policy/framework/metadata";
import { policyRegistry } from "../../policy/registry";
import { DURABILITY } from "../../src/conventions/durability";
import { renderReport, runAudit } from "../../src/offline/audit";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { ROOT } from "../support/stack-config";

type Stack = "dev" | "prod";
const snapshots = {} as Record<Stack, StackExport>;
const NOW = new Date("2026-11-24T12:00:00Z");

beforeAll(async () => {
  for (const stack of ["dev", "prod"] as const) snapshots[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
});

async function violations(policy: PlatformPolicy, stack: Stack, resources: ResourceState[]): Promise<string[]> {
  const snapshot: StackExport = { version: 3, deployment: { ...snapshots[stack].deployment, resources } };
  const result = await runAudit(snapshot, { policies: [policy], now: NOW });
  return result.violations.map((v) => `${v.kind}: ${v.message}`);
}

const copy = (stack: Stack): ResourceState[] => structuredClone(snapshots[stack].deployment.resources);
const nameOf = (r: ResourceState) => r.urn.split("::").pop() as string;
function find(resources: ResourceState[], type: string, name: string): ResourceState {
  const r = resources.find((x) => x.type === type && nameOf(x) === name);
  if (r === undefined) throw new Error(`no ${type} ${name} in the snapshot`);
  return r;
}
function edit(r: ResourceState, change: (side: Record<string, unknown>) => void): void {
  for (const side of [r.inputs, r.outputs]) if (side !== undefined) change(side);
}
/** Re-tags a resource with another environment, so the policies read that environment's durability profile. */
function retag(r: ResourceState, environment: string): void {
  edit(r, (side) => {
    for (const key of ["tags", "tagsAll"]) {
      const tags = side[key] as Record<string, string> | undefined;
      if (tags !== undefined) side[key] = { ...tags, environment };
    }
  });
}
function remove(resources: ResourceState[], r: ResourceState): ResourceState[] {
  return resources.filter((x) => x.urn !== r.urn);
}
type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: string | string[] };
function editPolicy(r: ResourceState, change: (statements: Statement[]) => Statement[]): void {
  edit(r, (side) => {
    const doc = JSON.parse(String(side["policy"])) as { Statement: Statement[] };
    side["policy"] = JSON.stringify({ ...doc, Statement: change(doc.Statement) });
  });
}

const T = {
  instance: "aws:ec2/instance:Instance",
  bucket: "aws:s3/bucket:Bucket",
  vault: "aws:backup/vault:Vault",
  selection: "aws:backup/selection:Selection",
  plan: "aws:backup/plan:Plan",
  vaultLock: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
  objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
} as const;
const HOST = "databases-personal-data-host";
/** In prod each critical domain is a Patroni cluster of members named `<domain>-<AZ letter>`. */
const PROD_HOSTS = ["databases-personal-data-a-host", "databases-personal-data-b-host"];
const BUCKET = { dev: "fitness-platform-dev-backups-pitr-111111111111", prod: "fitness-platform-prod-backups-pitr-222222222222" } as const;
const DOMAINS = ["personal-data", "product-catalog", "purchase-history", "training-records"];
/** Every host of the backup matrix: one per domain in dev, every Patroni member in prod. */
const MATRIX_HOSTS: Record<Stack, string[]> = {
  dev: DOMAINS.map((d) => `fitness-platform-dev-databases-${d}`),
  prod: ["personal-data-a", "personal-data-b", "product-catalog-a", "product-catalog-b", "purchase-history-a", "purchase-history-c", "training-records-b", "training-records-c"].map(
    (m) => `fitness-platform-prod-databases-${m}`,
  ),
};

describe("the backups policies are registered with the pack", () => {
  it("carries id, severity, decisions and controls, and sits in the registry", () => {
    expect(backupsPolicies.map((p) => p.meta.id)).toEqual(["BKP-01", "BKP-02", "BKP-03", "BKP-04", "BKP-05"]);
    for (const p of backupsPolicies) {
      expect(policyRegistry).toContain(p);
      expect(p.meta.decisions).toContain("D7");
      expect(Object.values(p.meta.controls).flat().length).toBeGreaterThan(0);
    }
  });
});

describe.each(["dev", "prod"] as const)("the real %s stack", (stack) => {
  it("passes BKP-01..05", async () => {
    for (const policy of backupsPolicies) expect(await violations(policy, stack, copy(stack)), policy.meta.id).toEqual([]);
  });

  it("shows every critical host in the report's backup matrix", async () => {
    const result = await runAudit(snapshots[stack], { policies: backupsPolicies, now: NOW });
    expect(result.backupCoverage.rows.map((r) => r.host).sort()).toEqual(MATRIX_HOSTS[stack]);
    for (const row of result.backupCoverage.rows) {
      expect(row.pitr).toBe(`yes (${BUCKET[stack]})`);
      expect(row.snapshots).toContain(stack === "prod" ? "daily 35 d" : "daily 7 d");
      expect(row.crossRegion).toBe(stack === "prod" ? "yes (snapshots → eu-west-1; repository replicated)" : "no");
    }
    const md = renderReport(result, "md");
    expect(md).toContain("## Backup coverage (D7)");
    expect(md).toContain("| Host | PITR | Snapshots | Cross-region copy |");
  });
});

describe("BKP-01 snapshot coverage", () => {
  it("fails when the selection no longer picks the critical volumes", async () => {
    const rs = copy("dev");
    edit(find(rs, T.selection, "backups-critical-volumes"), (s) => {
      s["conditions"] = [{ stringEquals: [{ key: "aws:ResourceTag/data-class", value: "internal" }] }];
    });
    const found = await violations(bkp01SnapshotCoverage, "dev", rs);
    expect(found).toContain('violation: data volume "databases-personal-data-data" of critical host "databases-personal-data-host" is in no AWS Backup selection.');
    expect(found).toHaveLength(4);
  });

  it("fails when the daily snapshots are kept less than the environment's minimum", async () => {
    const rs = copy("prod");
    edit(find(rs, T.plan, "backups-plan"), (s) => {
      s["rules"] = (s["rules"] as Array<Record<string, unknown>>).map((r) => (r["ruleName"] === "daily" ? { ...r, lifecycle: { deleteAfter: 14 } } : r));
    });
    const found = await violations(bkp01SnapshotCoverage, "prod", rs);
    for (const member of ["a", "b"]) {
      expect(found).toContain(
        `violation: data volume "databases-personal-data-${member}-data" of critical host "databases-personal-data-${member}-host": the daily snapshots are kept 14 days; the prod minimum is 35.`,
      );
    }
    expect(found).toHaveLength(MATRIX_HOSTS.prod.length);
  });
});

describe("BKP-02 point-in-time recovery", () => {
  it("fails for a host whose bootstrap does not archive WAL with pgBackRest", async () => {
    const rs = copy("dev");
    edit(find(rs, T.instance, HOST), (s) => {
      s["userData"] = String(s["userData"]).replace(/archive_command = [^\n]*/, "archive_command = '/bin/true'");
    });
    expect(await violations(bkp02PitrCoverage, "dev", rs)).toEqual([
      "violation: critical host \"databases-personal-data-host\" does not archive WAL with pgBackRest (no archive_command 'pgbackrest --stanza=... archive-push %p' in its bootstrap).",
    ]);
  });

  it("fails in prod when the repository bucket loses its Object Lock default retention", async () => {
    const rs = copy("prod");
    const found = await violations(bkp02PitrCoverage, "prod", remove(rs, find(rs, T.objectLock, "backups-repository-object-lock")));
    for (const host of PROD_HOSTS) {
      expect(found).toContain(`violation: critical host "${host}" writes its pgBackRest repository into bucket "${BUCKET.prod}", which lacks Object Lock with a default retention.`);
    }
  });

  it("accepts dev's repository without a default retention only because dev's durability profile says so", async () => {
    expect(DURABILITY.dev.objectLockRetention).toBe(false);
    const rs = copy("dev");
    expect(rs.some((r) => r.type === T.objectLock)).toBe(false);
    expect(await violations(bkp02PitrCoverage, "dev", rs)).toEqual([]);
    // The same bucket read with prod's profile lacks the retention.
    const strict = copy("dev");
    retag(find(strict, T.bucket, "backups-repository"), "prod");
    expect(await violations(bkp02PitrCoverage, "dev", strict)).toContain(
      `violation: critical host "${HOST}" writes its pgBackRest repository into bucket "${BUCKET.dev}", which lacks Object Lock with a default retention.`,
    );
  });

  it("fails in dev when the repository bucket has no Object Lock at all", async () => {
    const rs = copy("dev");
    edit(find(rs, T.bucket, "backups-repository"), (s) => delete s["objectLockEnabled"]);
    expect(await violations(bkp02PitrCoverage, "dev", rs)).toContain(
      `violation: critical host "${HOST}" writes its pgBackRest repository into bucket "${BUCKET.dev}", which lacks Object Lock with a default retention.`,
    );
  });

  it("fails for a host whose role cannot write any bucket", async () => {
    const rs = copy("dev");
    const grant = find(rs, T.rolePolicy, "databases-personal-data-extra");
    expect(await violations(bkp02PitrCoverage, "dev", remove(rs, grant))).toEqual([
      'violation: critical host "databases-personal-data-host": its instance role may write into no bucket of this stack, so pgBackRest has no repository.',
    ]);
  });
});

describe("BKP-03 immutability", () => {
  it("fails in prod for a vault without a lock", async () => {
    const rs = copy("prod");
    expect(await violations(bkp03Immutability, "prod", remove(rs, find(rs, T.vaultLock, "backups-vault-lock")))).toEqual([
      'violation: backup vault "backups-vault" has no vault lock: recovery points can be deleted before their retention ends.',
    ]);
  });

  it("accepts dev's unlocked vault and unretained bucket only because dev's durability profile says so", async () => {
    expect(DURABILITY.dev.vaultLock).toBe(false);
    expect(DURABILITY.dev.objectLockRetention).toBe(false);
    const rs = copy("dev");
    expect(rs.some((r) => r.type === T.vaultLock)).toBe(false);
    expect(await violations(bkp03Immutability, "dev", rs)).toEqual([]);
    // The same vault and bucket read with prod's profile are violations.
    const strict = copy("dev");
    retag(find(strict, T.vault, "backups-vault"), "prod");
    retag(find(strict, T.bucket, "backups-repository"), "prod");
    expect((await violations(bkp03Immutability, "dev", strict)).sort()).toEqual([
      `violation: backup bucket "${BUCKET.dev}" has no Object Lock default retention.`,
      'violation: backup vault "backups-vault" has no vault lock: recovery points can be deleted before their retention ends.',
    ]);
  });

  it("judges an untagged or unknown-environment vault and bucket by prod's rules, never dev's", async () => {
    const untag = (r: ResourceState) =>
      edit(r, (side) => {
        for (const key of ["tags", "tagsAll"]) {
          const tags = side[key] as Record<string, string> | undefined;
          if (tags !== undefined) side[key] = Object.fromEntries(Object.entries(tags).filter(([k]) => k !== "environment"));
        }
      });
    const expected = [
      `violation: backup bucket "${BUCKET.dev}" has no Object Lock default retention.`,
      'violation: backup vault "backups-vault" has no vault lock: recovery points can be deleted before their retention ends.',
    ];
    const untagged = copy("dev");
    untag(find(untagged, T.vault, "backups-vault"));
    untag(find(untagged, T.bucket, "backups-repository"));
    expect((await violations(bkp03Immutability, "dev", untagged)).sort()).toEqual(expected);
    const staging = copy("dev");
    retag(find(staging, T.vault, "backups-vault"), "staging");
    retag(find(staging, T.bucket, "backups-repository"), "staging");
    expect((await violations(bkp03Immutability, "dev", staging)).sort()).toEqual(expected);
  });

  it("fails in prod for a governance-mode vault lock and a GOVERNANCE Object Lock", async () => {
    const rs = copy("prod");
    edit(find(rs, T.vaultLock, "backups-vault-lock"), (s) => delete s["changeableForDays"]);
    edit(find(rs, T.objectLock, "backups-repository-object-lock"), (s) => {
      s["rule"] = { defaultRetention: { mode: "GOVERNANCE", days: 35 } };
    });
    expect((await violations(bkp03Immutability, "prod", rs)).sort()).toEqual([
      `violation: backup bucket "${BUCKET.prod}" locks objects in GOVERNANCE mode; prod requires COMPLIANCE.`,
      'violation: backup vault "backups-vault" is locked in governance mode; prod requires compliance mode (changeableForDays).',
    ]);
  });

  it("fails when a lifecycle rule expires backups before the lock's retention", async () => {
    const rs = copy("prod");
    edit(find(rs, T.lifecycle, "backups-repository-lifecycle"), (s) => {
      s["rules"] = (s["rules"] as Array<Record<string, unknown>>).map((r, i) => (i === 0 ? { ...r, expiration: { days: 3 } } : r));
    });
    expect(await violations(bkp03Immutability, "prod", rs)).toEqual([
      `violation: backup bucket "${BUCKET.prod}": a lifecycle rule expires objects after 3 days, before the 35-day retention.`,
    ]);
  });
});

describe("BKP-04 cross-region copies", () => {
  it("does not apply to dev", async () => {
    const result = await runAudit(snapshots.dev, { policies: [bkp04CrossRegion], now: NOW });
    expect(result.policies[0]?.notApplicable).toBe("cross-region copies are required in prod only");
  });

  it("fails in prod without copy actions or bucket replication", async () => {
    const rs = copy("prod");
    edit(find(rs, T.plan, "backups-plan"), (s) => {
      s["rules"] = (s["rules"] as Array<Record<string, unknown>>).map((r) => ({ ...r, copyActions: [] }));
    });
    const found = await violations(bkp04CrossRegion, "prod", remove(rs, find(rs, T.replication, "backups-replication")));
    expect(found.sort()).toEqual([
      `violation: backup bucket "${BUCKET.prod}" is not replicated to another region.`,
      'violation: backup plan "backups-plan" rule "daily" copies its recovery points to no vault in another region.',
      'violation: backup plan "backups-plan" rule "monthly" copies its recovery points to no vault in another region.',
      'violation: backup plan "backups-plan" rule "weekly" copies its recovery points to no vault in another region.',
    ]);
  });
});

describe("BKP-05 writers are not deleters", () => {
  const grantDelete = (rs: ResourceState[]) =>
    editPolicy(find(rs, T.rolePolicy, "databases-personal-data-extra"), (st) => [
      ...st.filter((s) => s.Effect !== "Deny"),
      { Sid: "Oops", Effect: "Allow", Action: "s3:DeleteObject*", Resource: `arn:aws:s3:::${BUCKET.dev}/*` },
    ]);

  it("fails for a host role that may write and delete, when nothing denies it", async () => {
    const rs = copy("dev");
    grantDelete(rs);
    editPolicy(find(rs, T.bucketPolicy, "backups-repository-policy"), (st) => st.filter((s) => s.Sid !== "DenyDeleteToBackupRoles"));
    expect(await violations(bkp05WriteXorDelete, "dev", rs)).toEqual([
      `violation: role "databases-personal-data-role" can write backups into bucket "${BUCKET.dev}" and can also s3:DeleteObject, s3:DeleteObjectVersion there.`,
    ]);
  });

  it("counts the bucket policy's Deny naming the host roles", async () => {
    const rs = copy("dev");
    grantDelete(rs);
    expect(await violations(bkp05WriteXorDelete, "dev", rs)).toEqual([]);
  });

  it("fails for a role with a full-access managed policy on the backups", async () => {
    const rs = copy("dev");
    const attachment = rs.find((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && nameOf(r) === "backups-restore-ssm");
    if (attachment === undefined) throw new Error("no restore SSM attachment");
    edit(attachment, (s) => {
      s["policyArn"] = "arn:aws:iam::aws:policy/AmazonS3FullAccess";
    });
    editPolicy(find(rs, T.bucketPolicy, "backups-repository-policy"), (st) => st.filter((s) => s.Sid !== "DenyDeleteToBackupRoles"));
    const found = await violations(bkp05WriteXorDelete, "dev", rs);
    expect(found.some((m) => m.startsWith(`violation: role "backups-restore" can write backups into bucket "${BUCKET.dev}" and can also s3:DeleteObject`))).toBe(true);
  });
});
