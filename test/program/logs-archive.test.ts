import { beforeAll, describe, expect, it } from "vitest";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState } from "../../src/offline/snapshot/types";
import { ROOT } from "../support/stack-config";

/**
 * The log archive as the real program registers it for dev and prod (under mocks): buckets and their
 * settings, lifecycle per environment, the exact grants of each bucket and key, and the trail.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- snapshots are free-form JSON
type Stack = "dev" | "prod";

const ACCOUNTS: Record<Stack, string> = { dev: "111111111111", prod: "222222222222" };
const REGION = "eu-central-1";
const stacks: Record<Stack, ResourceState[]> = { dev: [], prod: [] };

beforeAll(async () => {
  for (const stack of ["dev", "prod"] as const) stacks[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot.deployment.resources;
});

const props = (r: ResourceState): Json => (r.outputs ?? r.inputs ?? {}) as Json;
const ofType = (stack: Stack, type: string) => stacks[stack].filter((r) => r.type === type);
function one(stack: Stack, type: string, name: string): ResourceState {
  const found = stacks[stack].filter((r) => r.type === type && r.urn.endsWith(`::${name}`));
  expect(found, `${type} ${name}`).toHaveLength(1);
  return found[0] as ResourceState;
}
// Bucket names carry the account id (src/conventions/naming.ts, bucketName).
const bucketName = (stack: Stack, key: string) =>
  key === "edge" ? `aws-waf-logs-fitness-platform-${stack}-logs-edge-${ACCOUNTS[stack]}` : `fitness-platform-${stack}-logs-${key}-${ACCOUNTS[stack]}`;
const KEYS = ["app", "edge", "audit", "access"] as const;
/** The companion resource of a bucket (lifecycle, policy, ...), found by what it points at. */
function companion(stack: Stack, type: string, key: string): Json {
  const found = ofType(stack, type).filter((r) => props(r)["bucket"] === bucketName(stack, key));
  expect(found, `${type} of ${key}`).toHaveLength(1);
  return props(found[0] as ResourceState);
}
const policyOf = (stack: Stack, key: string) => JSON.parse(companion(stack, "aws:s3/bucketPolicy:BucketPolicy", key)["policy"] as string) as { Statement: Json[] };

describe.each(["dev", "prod"] as const)("log archive buckets in %s", (stack) => {
  it("exist once each, named for the stack, tagged for the global zone", () => {
    const buckets = ofType(stack, "aws:s3/bucket:Bucket").filter((b) => props(b)["tags"]?.component === "logs");
    expect(buckets.map((b) => props(b)["bucket"]).sort()).toEqual(KEYS.map((k) => bucketName(stack, k)).sort());
    for (const b of buckets) {
      expect(props(b)["tags"]).toMatchObject({ zone: "global", "data-class": "internal", environment: stack, "managed-by": "pulumi" });
      // dev is disposable (emptied on destroy), prod keeps its logs (src/conventions/durability.ts).
      expect(props(b)["forceDestroy"]).toBe(stack === "dev");
    }
  });

  it("block all public access, disable ACLs, keep versions", () => {
    for (const key of KEYS) {
      expect(companion(stack, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", key)).toMatchObject({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      expect(companion(stack, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", key)["rule"]).toEqual({ objectOwnership: "BucketOwnerEnforced" });
      expect(companion(stack, "aws:s3/bucketVersioning:BucketVersioning", key)["versioningConfiguration"]).toMatchObject({ status: "Enabled" });
    }
  });

  it("encrypt app and audit logs with the logs key, edge and access logs with SSE-S3", () => {
    const keyArn = props(one(stack, "aws:kms/key:Key", "logs-key"))["arn"];
    const byDefault = (key: string) => companion(stack, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", key)["rules"][0];
    for (const key of ["app", "audit"]) expect(byDefault(key)).toEqual({ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true });
    for (const key of ["edge", "access"]) expect(byDefault(key)).toEqual({ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } });
  });

  it("send the server access logs of app, edge and audit into the access-log bucket, each under its own prefix", () => {
    const logging = ofType(stack, "aws:s3/bucketLogging:BucketLogging").map((r) => props(r));
    expect(logging.map((l) => [l["bucket"], l["targetBucket"], l["targetPrefix"]]).sort()).toEqual(
      [
        [bucketName(stack, "app"), bucketName(stack, "access"), "app/"],
        [bucketName(stack, "audit"), bucketName(stack, "access"), "audit/"],
        [bucketName(stack, "edge"), bucketName(stack, "access"), "edge/"],
      ].sort(),
    );
  });

  it("lock the audit trail at creation; prod with a default retention as long as its lifecycle, dev none (it must be destroyable)", () => {
    expect(props(one(stack, "aws:s3/bucket:Bucket", "logs-audit"))["objectLockEnabled"]).toBe(true);
    const locks = ofType(stack, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").filter((r) => props(r)["bucket"] === bucketName(stack, "audit"));
    if (stack === "dev") {
      expect(locks).toHaveLength(0);
      return;
    }
    const lock = companion(stack, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "audit")["rule"]["defaultRetention"];
    const expiry = companion(stack, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "audit")["rules"][0]["expiration"]["days"];
    expect(lock).toEqual({ mode: "COMPLIANCE", days: expiry });
  });

  it("keep the key and the buckets (protected, retained) in prod only", () => {
    const kept = [one(stack, "aws:kms/key:Key", "logs-key"), ...KEYS.map((k) => one(stack, "aws:s3/bucket:Bucket", `logs-${k}`))];
    for (const r of kept) {
      expect(r.protect ?? false).toBe(stack === "prod");
      expect(r.retainOnDelete ?? false).toBe(stack === "prod");
    }
  });
});

describe("lifecycle per environment", () => {
  const rules = (stack: Stack, key: string) => companion(stack, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", key)["rules"] as Json[];

  it("dev expires every log after 30 days, without transitions, and aborts uploads after 3 days", () => {
    for (const key of ["app", "edge"]) {
      for (const rule of rules("dev", key)) {
        expect(rule).toMatchObject({ status: "Enabled", expiration: { days: 30 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 3 } });
        expect(rule["transitions"] ?? []).toEqual([]);
        expect(rule["noncurrentVersionExpiration"]["noncurrentDays"]).toBeGreaterThan(0);
      }
    }
    expect(rules("dev", "app").map((r) => r["filter"]["prefix"])).toEqual(["flow-logs/", "containers/", "proxy/", "ssm-sessions/"]);
    expect(rules("dev", "edge").map((r) => r["filter"]["prefix"])).toEqual(["alb/", "waf/"]);
  });

  it("prod keeps every log at least 365 days, moving it to STANDARD_IA then GLACIER first", () => {
    for (const key of KEYS) {
      for (const rule of rules("prod", key)) {
        expect(rule["expiration"]["days"]).toBeGreaterThanOrEqual(365);
        expect(rule["transitions"]).toEqual([
          { days: 30, storageClass: "STANDARD_IA" },
          { days: 90, storageClass: "GLACIER" },
        ]);
      }
    }
    expect(rules("prod", "audit")[0]?.["expiration"]["days"]).toBe(2557);
  });
});

describe.each(["dev", "prod"] as const)("grants in %s", (stack) => {
  const account = ACCOUNTS[stack];
  const allowPrincipals = (key: string) =>
    policyOf(stack, key)
      .Statement.filter((s) => s["Effect"] === "Allow")
      .map((s) => JSON.stringify(s["Principal"]));

  it("every bucket refuses plain HTTP", () => {
    for (const key of KEYS) {
      const deny = policyOf(stack, key).Statement.find((s) => s["Effect"] === "Deny");
      expect(deny).toMatchObject({ Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": false } } });
    }
  });

  it("each bucket admits exactly the delivery principals that write into it", () => {
    expect(allowPrincipals("app")).toEqual(Array(2).fill('{"Service":"delivery.logs.amazonaws.com"}'));
    expect(allowPrincipals("edge")).toEqual(['{"AWS":"arn:aws:iam::054676820928:root"}', ...Array(2).fill('{"Service":"delivery.logs.amazonaws.com"}')]);
    expect(allowPrincipals("audit")).toEqual([...Array(2).fill('{"Service":"cloudtrail.amazonaws.com"}'), ...Array(2).fill('{"Service":"config.amazonaws.com"}')]);
    expect(allowPrincipals("access")).toEqual(Array(3).fill('{"Service":"logging.s3.amazonaws.com"}'));
  });

  it("scopes every service grant to this account and its sources, and every write to this account's path", () => {
    const trail = `arn:aws:cloudtrail:${REGION}:${account}:trail/fitness-platform-${stack}-logs-trail`;
    for (const key of KEYS) {
      for (const s of policyOf(stack, key).Statement.filter((x) => x["Effect"] === "Allow")) {
        const conditions = JSON.stringify(s["Condition"] ?? {});
        if (s["Principal"]["Service"] === "cloudtrail.amazonaws.com") expect(conditions).toContain(`"aws:SourceArn":"${trail}"`);
        else if (s["Principal"]["Service"] !== undefined) expect(conditions).toContain(`"aws:SourceAccount":"${account}"`);
        if (s["Action"] === "s3:PutObject" && key !== "access") expect([s["Resource"]].flat().every((r: string) => r.includes(`/AWSLogs/${account}/`) || r.includes(`/AWSLogs/aws-account-id=${account}/`))).toBe(true);
      }
    }
  });

  it("the logs key rotates, waits 30 days before deletion and admits no wildcard principal", () => {
    const key = props(one(stack, "aws:kms/key:Key", "logs-key"));
    expect(key).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    const statements = (JSON.parse(key["policy"]) as { Statement: Json[] }).Statement;
    for (const s of statements) expect(s["Principal"]).not.toBe("*");
    expect(statements.filter((s) => s["Action"] === "kms:*").map((s) => s["Principal"])).toEqual([{ AWS: `arn:aws:iam::${account}:root` }]);
  });
});

describe.each(["dev", "prod"] as const)("the trail in %s", (stack) => {
  it("is multi-region, validated, encrypted with the logs key and delivered to the audit bucket", () => {
    const trail = props(one(stack, "aws:cloudtrail/trail:Trail", "logs-trail"));
    expect(trail).toMatchObject({
      name: `fitness-platform-${stack}-logs-trail`,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      s3BucketName: bucketName(stack, "audit"),
      s3KeyPrefix: "cloudtrail",
      kmsKeyId: props(one(stack, "aws:kms/key:Key", "logs-key"))["arn"],
    });
  });

  it("records S3 object events of the other log buckets, not of its own destination", () => {
    const selectors = props(one(stack, "aws:cloudtrail/trail:Trail", "logs-trail"))["advancedEventSelectors"] as Json[];
    const data = selectors.find((s) => s["fieldSelectors"].some((f: Json) => f["field"] === "eventCategory" && f["equals"].includes("Data")));
    const arns = data?.["fieldSelectors"].find((f: Json) => f["field"] === "resources.ARN")["startsWith"];
    // Plus the backup buckets, which src/index.ts passes in (extraDataEventBucketArns).
    const backups = [`fitness-platform-${stack}-backups-pitr-${ACCOUNTS[stack]}`, ...(stack === "prod" ? [`fitness-platform-prod-backups-pitr-eu-west-1-${ACCOUNTS.prod}`] : [])];
    expect([...arns].sort()).toEqual([...["app", "edge", "access"].map((k) => `arn:aws:s3:::${bucketName(stack, k)}/`), ...backups.map((b) => `arn:aws:s3:::${b}/`)].sort());
    expect(selectors.some((s) => s["fieldSelectors"].some((f: Json) => f["field"] === "eventCategory" && f["equals"].includes("Management")))).toBe(true);
  });
});
