import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { unexplainedPrincipals } from "../../src/account/policy-principals";
import { AUTO_SCALING, serviceLinkedRoleArn } from "../../src/account/service-linked-roles";
import { s3MirrorBucket } from "../../src/databases/package-mirror";
import { destroyBlockers } from "../../src/conventions/destroy-blockers";
import { isValidBucketName } from "../../src/conventions/naming";
import { ELB_LOG_DELIVERY_ACCOUNTS } from "../../src/logs/elb-log-delivery";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState } from "../../src/offline/snapshot/types";

/**
 * Day 0 (issue 13) over the synthesized snapshots of both layers, for dev and prod: every principal a
 * policy names can exist when the policy is written; every bucket name is globally ours; dev can be
 * destroyed and prod's critical data cannot.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const STACKS = ["dev", "prod"] as const;
const ACCOUNTS = { dev: "111111111111", prod: "222222222222" } as const;
const OPERATOR_ACCOUNT = "210987654321";
const platform = new Map<string, ResourceState[]>();
const bootstrap = new Map<string, ResourceState[]>();
const outputs = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  for (const stack of STACKS) {
    platform.set(stack, (await synthesize({ stack, projectRoot: ROOT })).snapshot.deployment.resources);
    const boot = await synthesize({ stack, projectRoot: path.join(ROOT, "bootstrap") });
    bootstrap.set(stack, boot.snapshot.deployment.resources);
    outputs.set(stack, (boot.snapshot.deployment.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs ?? {}) as Record<string, unknown>);
  }
}, 240_000);

const scope = (stack: (typeof STACKS)[number]) => ({ accountId: ACCOUNTS[stack], externalAccounts: [OPERATOR_ACCOUNT, ...Object.values(ELB_LOG_DELIVERY_ACCOUNTS)] });
const buckets = (resources: readonly ResourceState[]) => resources.filter((r) => /^aws:s3\/bucket(V2)?:Bucket(V2)?$/.test(r.type)).map((r) => String(r.inputs?.bucket));

describe("principals named by key, bucket, queue, topic and trust policies", () => {
  for (const stack of STACKS) {
    it(`${stack}: each is created (or read) by the stack, an AWS service, this account or a configured one`, () => {
      const all = [...(platform.get(stack) ?? []), ...(bootstrap.get(stack) ?? [])];
      expect(unexplainedPrincipals(platform.get(stack) ?? [], scope(stack))).toEqual([]);
      expect(unexplainedPrincipals(bootstrap.get(stack) ?? [], scope(stack))).toEqual([]);
      expect(all.length).toBeGreaterThan(100);
    });

    it(`${stack}: the Auto Scaling role the key policies name is created by the bootstrap and read by the platform before them`, () => {
      const arn = serviceLinkedRoleArn("aws", ACCOUNTS[stack], AUTO_SCALING);
      const created = (bootstrap.get(stack) ?? []).find((r) => r.type === "aws:iam/serviceLinkedRole:ServiceLinkedRole" && r.outputs?.arn === arn);
      expect(created?.external).not.toBe(true);
      const read = (platform.get(stack) ?? []).find((r) => r.type === "aws:iam/serviceLinkedRole:ServiceLinkedRole" && r.outputs?.arn === arn);
      expect(read?.external).toBe(true);
      const keys = (platform.get(stack) ?? []).filter((r) => r.type === "aws:kms/key:Key" && String(r.inputs?.policy).includes(arn));
      expect(keys.length).toBeGreaterThanOrEqual(2); // the EBS default key and the cluster key (and the proxy's)
      for (const key of keys) expect(key.dependencies ?? [], key.urn).toContain(read?.urn);
    });

    it(`${stack}: a principal that nothing creates is caught (the snapshot without the role read)`, () => {
      const withoutRead = (platform.get(stack) ?? []).filter((r) => r.type !== "aws:iam/serviceLinkedRole:ServiceLinkedRole");
      const found = unexplainedPrincipals(withoutRead, scope(stack)).map((p) => p.principal);
      expect(found).toContain(serviceLinkedRoleArn("aws", ACCOUNTS[stack], AUTO_SCALING));
      const stranger = unexplainedPrincipals(withoutRead, { ...scope(stack), externalAccounts: [] }).map((p) => p.principal);
      expect(stranger).toContain(`arn:aws:iam::${OPERATOR_ACCOUNT}:root`);
    });
  }
});

describe("bucket names", () => {
  it("carry the stack's account id, are valid S3 names of at most 63 characters, and are unique", () => {
    const seen: string[] = [];
    for (const stack of STACKS) {
      const names = [...buckets(platform.get(stack) ?? []), ...buckets(bootstrap.get(stack) ?? [])];
      expect(names.length).toBeGreaterThanOrEqual(6);
      for (const name of names) {
        expect(isValidBucketName(name), name).toBe(true);
        expect(name.length, name).toBeLessThanOrEqual(63);
        expect(name.endsWith(`-${ACCOUNTS[stack]}`), name).toBe(true);
      }
      seen.push(...names);
    }
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("the database hosts' mirror URL is the bucket the bootstrap creates", () => {
    for (const stack of STACKS) {
      const mirror = outputs.get(stack)?.packageMirrorBucket;
      const hostsMirrorBucket = (platform.get(stack) ?? [])
        .filter((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint")
        .map((r) => String(r.inputs?.policy ?? ""))
        .find((p) => p.includes("mirror-debian"));
      expect(typeof mirror).toBe("string");
      expect(hostsMirrorBucket, "the S3 endpoint admits the mirror bucket").toContain(`arn:aws:s3:::${String(mirror)}/*`);
      expect(s3MirrorBucket(String(outputs.get(stack)?.packageMirrorUrl))).toBe(mirror);
    }
  });
});

describe("dev is disposable, prod is not", () => {
  it("dev: nothing in the platform snapshot would block or outlive `pulumi destroy`", () => {
    expect(destroyBlockers(platform.get("dev") ?? [])).toEqual([]);
  });

  it("prod: every critical resource is protected and retained, and the data protections are on", () => {
    const resources = platform.get("prod") ?? [];
    // The architecture's critical-data resources (§6): DB hosts, data volumes, backup buckets and vaults.
    const kinds = new Set(["aws:ec2/instance:Instance", "aws:ebs/volume:Volume", "aws:s3/bucket:Bucket", "aws:backup/vault:Vault"]);
    const critical = resources.filter((r) => kinds.has(r.type) && (r.inputs?.tags as Record<string, string> | undefined)?.["data-class"] === "critical");
    expect(critical.length).toBeGreaterThanOrEqual(10);
    for (const r of critical) {
      expect(r.protect, r.urn).toBe(true);
      expect(r.retainOnDelete, r.urn).toBe(true);
    }
    const reasons = destroyBlockers(resources).map((b) => b.reason);
    const hosts = resources.filter((r) => r.type === "aws:ec2/instance:Instance" && (r.inputs?.tags as Record<string, string> | undefined)?.["data-class"] === "critical");
    expect(hosts.length).toBeGreaterThan(0);
    for (const host of hosts) expect(host.inputs?.disableApiTermination, host.urn).toBe(true);
    expect(reasons.filter((r) => r.startsWith("vault lock")).length).toBe(resources.filter((r) => r.type === "aws:backup/vault:Vault").length);
    expect(reasons.some((r) => r.startsWith("Object Lock default retention"))).toBe(true);
    for (const secret of resources.filter((r) => r.type === "aws:secretsmanager/secret:Secret")) expect(Number(secret.inputs?.recoveryWindowInDays), secret.urn).toBeGreaterThanOrEqual(7);
  });

  it("the check catches each kind of blocker (crafted from dev)", () => {
    const dev = platform.get("dev") ?? [];
    const pick = (type: string) => dev.find((r) => r.type === type) as ResourceState;
    const crafted: ResourceState[] = [
      { ...pick("aws:secretsmanager/secret:Secret"), inputs: { ...pick("aws:secretsmanager/secret:Secret").inputs, recoveryWindowInDays: 7 } },
      { ...pick("aws:s3/bucket:Bucket"), inputs: { ...pick("aws:s3/bucket:Bucket").inputs, forceDestroy: false } },
      { ...pick("aws:ec2/instance:Instance"), inputs: { ...pick("aws:ec2/instance:Instance").inputs, disableApiTermination: true } },
      { ...pick("aws:backup/vault:Vault"), protect: true },
      { urn: "urn:pulumi:dev::p::aws:backup/vaultLockConfiguration:VaultLockConfiguration::lock", custom: true, type: "aws:backup/vaultLockConfiguration:VaultLockConfiguration", inputs: {} },
    ];
    expect(destroyBlockers(crafted).map((b) => b.reason.split(/[:(]/)[0]?.trim())).toEqual([
      "secret recovery window of 7 days",
      "bucket without forceDestroy",
      "termination protection",
      "protected",
      "vault lock",
    ]);
  });
});
