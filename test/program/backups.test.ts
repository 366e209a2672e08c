/**
 * The whole program for dev and prod under the offline engine, read for the backups (D7): the hosts get
 * their pgBackRest grant before they boot, the critical resources survive a delete in prod, the
 * passphrases stay secret, the replica lives in the second region, and the trail watches the buckets.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { userDataOf } from "../../src/offline/host-files/carriers";
import { USER_DATA_LIMIT_BYTES, userDataPayload } from "../../src/conventions/user-data";
import { ROOT } from "../support/stack-config";

const snapshots: Record<string, StackExport> = {};
beforeAll(async () => {
  for (const stack of ["dev", "prod"]) snapshots[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
});

const all = (stack: string) => (snapshots[stack] as StackExport).deployment.resources;
const ofType = (stack: string, type: string) => all(stack).filter((r) => r.type === type);
const nameOf = (r: ResourceState) => r.urn.split("::").pop() as string;
const one = (stack: string, type: string, name: string): ResourceState => {
  const r = ofType(stack, type).find((x) => nameOf(x) === name);
  if (r === undefined) throw new Error(`no ${type} ${name}`);
  return r;
};

describe.each(["dev", "prod"])("%s: backups", (stack) => {
  const prod = stack === "prod";
  // Bucket names carry the account id (aws:allowedAccountIds of the stack file).
  const account = prod ? "222222222222" : "111111111111";

  it("grants every database host its repository before it boots, and plugs pgBackRest into its bootstrap", () => {
    const tagsOf = (h: ResourceState) => (h.inputs?.tags ?? {}) as Record<string, string>;
    // Every PostgreSQL server (prod: both members of each domain; etcd nodes hold no data to back up).
    const hosts = ofType(stack, "aws:ec2/instance:Instance").filter((h) => tagsOf(h).component === "databases" && tagsOf(h)["host-role"] !== "consensus");
    expect(hosts).toHaveLength(prod ? 8 : 4);
    for (const host of hosts) {
      const domain = tagsOf(host)["db-cluster"] ?? nameOf(host).replace(/^databases-/, "").replace(/-host$/, "");
      const grant = one(stack, "aws:iam/rolePolicy:RolePolicy", `databases-${domain}-extra`);
      expect(host.dependencies).toContain(grant.urn);
      const doc = JSON.parse(String(grant.inputs?.policy)) as { Statement: Array<{ Sid: string; Resource: unknown }> };
      expect(doc.Statement.find((s) => s.Sid === "WriteAndReadOwnRepository")?.Resource).toBe(`arn:aws:s3:::fitness-platform-${stack}-backups-pitr-${account}/${domain}/*`);
      expect(doc.Statement.map((s) => s.Sid)).toContain("NeverDeleteBackups");
      const userData = userDataOf(host)?.text ?? "";
      expect(userData).toContain(`archive_command = 'pgbackrest --stanza=${domain} archive-push %p'`);
      expect(userData).toContain(`fitness_pgbackrest_setup '/fitness-platform/${stack}/backups/${domain}/config'`);
      expect(userDataPayload(userData).length).toBeLessThanOrEqual(USER_DATA_LIMIT_BYTES);
    }
  });

  it(`${prod ? "locks the repository bucket in COMPLIANCE mode and protects" : "sets no retention that outlives a destroy and does not protect"} the critical resources`, () => {
    const locks = ofType(stack, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").filter((x) => nameOf(x) === "backups-repository-object-lock");
    // Dev is disposable (durability profile): no default retention that would keep objects past a destroy.
    expect(locks.map((l) => l.inputs?.rule)).toEqual(prod ? [{ defaultRetention: { mode: "COMPLIANCE", days: 35 } }] : []);
    const critical = [
      one(stack, "aws:s3/bucket:Bucket", "backups-repository"),
      one(stack, "aws:kms/key:Key", "backups-repository-key"),
      one(stack, "aws:kms/key:Key", "backups-vault-key"),
      one(stack, "aws:backup/vault:Vault", "backups-vault"),
      one(stack, "aws:secretsmanager/secret:Secret", "backups-personal-data-cipher"),
    ];
    for (const r of critical) {
      expect(r.protect === true, nameOf(r)).toBe(prod);
      expect(r.retainOnDelete === true, nameOf(r)).toBe(prod);
    }
  });

  it("keeps the cipher passphrases secret: no plain value anywhere in the snapshot", () => {
    const version = one(stack, "aws:secretsmanager/secretVersion:SecretVersion", "backups-personal-data-cipher");
    const text = JSON.stringify(version.inputs?.secretString);
    expect(text).toContain("4dabf18193072939515e22adb298388d"); // Pulumi's secret signature
    expect(JSON.stringify(all(stack))).not.toMatch(/"passphrase\\?":\s*\\?"[A-Za-z0-9]{64}/);
  });

  it("selects volumes by the critical tag, daily at least, and alarms into the operations topic", () => {
    const selection = one(stack, "aws:backup/selection:Selection", "backups-critical-volumes");
    expect(selection.inputs?.conditions).toEqual([{ stringEquals: [{ key: "aws:ResourceTag/data-class", value: "critical" }] }]);
    const alarms = ofType(stack, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => nameOf(a).startsWith("backups-"));
    expect(alarms.length).toBe(4 * 5 + 2);
    const topic = ofType(stack, "aws:sns/topic:Topic").find((t) => String(t.inputs?.name).includes("operations"));
    for (const a of alarms) expect(a.inputs?.alarmActions).toEqual([topic?.outputs?.arn]);
  });

  it("records object-level events of the backup buckets in CloudTrail", () => {
    const trail = ofType(stack, "aws:cloudtrail/trail:Trail")[0];
    const text = JSON.stringify(trail?.inputs?.advancedEventSelectors);
    expect(text).toContain(`arn:aws:s3:::fitness-platform-${stack}-backups-pitr-${account}/`);
    if (prod) expect(text).toContain(`arn:aws:s3:::fitness-platform-prod-backups-pitr-eu-west-1-${account}/`);
  });
});

describe("prod: the second region", () => {
  it("holds the replica bucket, its key and the replica vault, through a provider for eu-west-1", () => {
    const providers = all("prod").filter((r) => r.type === "pulumi:providers:aws" && r.inputs?.region === "eu-west-1");
    expect(providers).toHaveLength(1);
    const provider = providers[0] as ResourceState;
    for (const [type, name] of [
      ["aws:s3/bucket:Bucket", "backups-replica"],
      ["aws:kms/key:Key", "backups-replica-repository-key"],
      ["aws:backup/vault:Vault", "backups-replica-vault"],
      ["aws:backup/vaultLockConfiguration:VaultLockConfiguration", "backups-replica-vault-lock"],
    ] as const) {
      expect(one("prod", type, name).provider?.startsWith(provider.urn), name).toBe(true);
    }
    const replication = one("prod", "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "backups-replication");
    const rule = (replication.inputs?.rules as Array<Record<string, unknown>>)[0];
    expect(rule?.deleteMarkerReplication).toEqual({ status: "Disabled" });
    const plan = one("prod", "aws:backup/plan:Plan", "backups-plan");
    for (const r of plan.inputs?.rules as Array<{ copyActions: Array<{ destinationVaultArn: string }> }>) expect(r.copyActions[0]?.destinationVaultArn).toMatch(/^arn:aws:backup:eu-west-1:/);
  });
});
