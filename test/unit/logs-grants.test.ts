import { describe, expect, it } from "vitest";
import { bucketName, physicalName } from "../../src/conventions/naming";
import { planLogArchive } from "../../src/logs/archive-plan";
import { logBucketPolicy } from "../../src/logs/bucket-policies";
import { elbLogDeliveryPrincipal } from "../../src/logs/elb-log-delivery";
import { fluentBitPermissions, fluentBitTrustPolicy } from "../../src/logs/fluent-bit-identity";
import { logsKeyPolicy } from "../../src/logs/key-policy";
import type { PolicyStatement } from "../../src/logs/policy-document";
import { trailEventSelectors } from "../../src/logs/trail-plan";
import { archiveWriteStatements } from "../../src/logs/writer-grants";

const ACCOUNT = "111111111111";
const REGION = "eu-central-1";
const scope = { project: "fitness-platform", stack: "dev" };
const plan = planLogArchive(
  { environment: "dev", name: (c, t) => physicalName(scope, c, t), bucketName: (c, t, prefix) => bucketName({ ...scope, accountId: ACCOUNT }, c, t, prefix) },
  { retentionDays: 30, auditRetentionDays: 90, logGroupRetentionDays: 30, abortIncompleteUploadDays: 3, fluentBit: { chartVersion: "0.48.9", imageTag: "3.2.10", imageDigest: `sha256:${"a".repeat(64)}` } },
);
const all = Object.values(plan.buckets);
const bucketNames = { app: plan.buckets.app.name, edge: plan.buckets.edge.name, audit: plan.buckets.audit.name, access: plan.buckets.access.name };
const inputs = { accountId: ACCOUNT, region: REGION, trailName: plan.trail.name, bucketNames };
const arn = (name: string) => `arn:aws:s3:::${name}`;
const allows = (statements: PolicyStatement[]) => statements.filter((s) => s.Effect === "Allow");
const principalsOf = (statements: PolicyStatement[]) => allows(statements).map((s) => s.Principal);

describe("log bucket policies", () => {
  it("every bucket denies requests without TLS on the bucket and its objects", () => {
    for (const bucket of all) {
      const deny = logBucketPolicy(bucket, all, inputs).Statement.find((s) => s.Sid === "DenyInsecureTransport");
      expect(deny).toEqual({
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [arn(bucket.name), `${arn(bucket.name)}/*`],
        Condition: { Bool: { "aws:SecureTransport": false } },
      });
    }
  });

  it("no bucket allows a wildcard principal, and every allow names a delivery service or the ELB account", () => {
    for (const bucket of all) {
      for (const s of allows(logBucketPolicy(bucket, all, inputs).Statement)) {
        expect(s.Principal, `${bucket.key} ${s.Sid}`).not.toBe("*");
        expect(JSON.stringify(s.Principal)).not.toContain('"*"');
      }
    }
  });

  it("the app bucket admits only flow-log delivery, only into flow-logs/AWSLogs/<account>/, scoped to this account's log sources", () => {
    const statements = logBucketPolicy(plan.buckets.app, all, inputs).Statement;
    expect(principalsOf(statements)).toEqual([{ Service: "delivery.logs.amazonaws.com" }, { Service: "delivery.logs.amazonaws.com" }]);
    const write = statements.find((s) => s.Sid === "FlowLogsWrite");
    expect(write?.Action).toBe("s3:PutObject");
    // Flow logs in Parquet with Hive-compatible partitions write under AWSLogs/aws-account-id=<account>/.
    expect(write?.Resource).toEqual([
      `${arn(plan.buckets.app.name)}/flow-logs/AWSLogs/${ACCOUNT}/*`,
      `${arn(plan.buckets.app.name)}/flow-logs/AWSLogs/aws-account-id=${ACCOUNT}/*`,
    ]);
    expect(write?.Condition).toEqual({
      StringEquals: { "aws:SourceAccount": ACCOUNT, "s3:x-amz-acl": "bucket-owner-full-control" },
      ArnLike: { "aws:SourceArn": `arn:aws:logs:${REGION}:${ACCOUNT}:*` },
    });
    const check = statements.find((s) => s.Sid === "FlowLogsAclCheck");
    expect(check?.Resource).toBe(arn(plan.buckets.app.name));
    expect(check?.Condition?.["StringEquals"]).toEqual({ "aws:SourceAccount": ACCOUNT });
  });

  it("the edge bucket admits the Frankfurt ELB account under alb/ and WAF delivery under waf/", () => {
    const statements = logBucketPolicy(plan.buckets.edge, all, inputs).Statement;
    const alb = statements.find((s) => s.Sid === "AlbAccessLogsWrite");
    expect(alb).toEqual({
      Sid: "AlbAccessLogsWrite",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::054676820928:root" },
      Action: "s3:PutObject",
      Resource: `${arn(plan.buckets.edge.name)}/alb/AWSLogs/${ACCOUNT}/*`,
    });
    const waf = statements.find((s) => s.Sid === "WafLogsWrite");
    expect(waf?.Principal).toEqual({ Service: "delivery.logs.amazonaws.com" });
    expect(waf?.Resource).toEqual([`${arn(plan.buckets.edge.name)}/waf/AWSLogs/${ACCOUNT}/*`, `${arn(plan.buckets.edge.name)}/waf/AWSLogs/aws-account-id=${ACCOUNT}/*`]);
    expect(waf?.Condition?.["StringEquals"]?.["aws:SourceAccount"]).toBe(ACCOUNT);
    expect(allows(statements).map((s) => s.Sid)).toEqual(["AlbAccessLogsWrite", "WafLogsAclCheck", "WafLogsWrite"]);
  });

  it("the audit bucket admits only this trail of CloudTrail and this account's AWS Config", () => {
    const statements = logBucketPolicy(plan.buckets.audit, all, inputs).Statement;
    const trail = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${plan.trail.name}`;
    expect(allows(statements).map((s) => [s.Sid, s.Principal, s.Action, s.Resource, s.Condition])).toEqual([
      ["CloudTrailAclCheck", { Service: "cloudtrail.amazonaws.com" }, "s3:GetBucketAcl", arn(plan.buckets.audit.name), { StringEquals: { "aws:SourceArn": trail } }],
      [
        "CloudTrailWrite",
        { Service: "cloudtrail.amazonaws.com" },
        "s3:PutObject",
        `${arn(plan.buckets.audit.name)}/cloudtrail/AWSLogs/${ACCOUNT}/*`,
        { StringEquals: { "aws:SourceArn": trail, "s3:x-amz-acl": "bucket-owner-full-control" } },
      ],
      ["ConfigAclCheck", { Service: "config.amazonaws.com" }, ["s3:GetBucketAcl", "s3:ListBucket"], arn(plan.buckets.audit.name), { StringEquals: { "aws:SourceAccount": ACCOUNT } }],
      [
        "ConfigWrite",
        { Service: "config.amazonaws.com" },
        "s3:PutObject",
        `${arn(plan.buckets.audit.name)}/config/AWSLogs/${ACCOUNT}/Config/*`,
        { StringEquals: { "aws:SourceAccount": ACCOUNT, "s3:x-amz-acl": "bucket-owner-full-control" } },
      ],
    ]);
  });

  it("the access-log bucket admits S3 server access logging of each source bucket under that bucket's prefix only", () => {
    const statements = allows(logBucketPolicy(plan.buckets.access, all, inputs).Statement);
    expect(statements.map((s) => [s.Principal, s.Resource, s.Condition?.["ArnLike"]?.["aws:SourceArn"]])).toEqual([
      [{ Service: "logging.s3.amazonaws.com" }, `${arn(plan.buckets.access.name)}/app/*`, arn(plan.buckets.app.name)],
      [{ Service: "logging.s3.amazonaws.com" }, `${arn(plan.buckets.access.name)}/edge/*`, arn(plan.buckets.edge.name)],
      [{ Service: "logging.s3.amazonaws.com" }, `${arn(plan.buckets.access.name)}/audit/*`, arn(plan.buckets.audit.name)],
    ]);
    for (const s of statements) expect(s.Condition?.["StringEquals"]).toEqual({ "aws:SourceAccount": ACCOUNT });
  });
});

describe("ELB log delivery principal", () => {
  it("uses the documented regional account for older regions and the service principal for newer ones", () => {
    expect(elbLogDeliveryPrincipal("eu-central-1")).toEqual({ type: "AWS", accountId: "054676820928" });
    expect(elbLogDeliveryPrincipal("eu-central-2")).toEqual({ type: "Service", service: "logdelivery.elasticloadbalancing.amazonaws.com" });
  });

  it("refuses a region it has no documented principal for", () => {
    expect(() => elbLogDeliveryPrincipal("sa-east-1")).toThrow(/region "sa-east-1" has no documented ALB log delivery principal/);
  });
});

describe("logs key policy", () => {
  const doc = logsKeyPolicy({ accountId: ACCOUNT, region: REGION, trailName: plan.trail.name });

  it("admits no wildcard principal and gives administration to the account root only", () => {
    for (const s of doc.Statement) expect(JSON.stringify(s.Principal)).not.toMatch(/"\*"|^"\*"$/);
    const admin = doc.Statement.filter((s) => s.Action === "kms:*");
    expect(admin.map((s) => s.Principal)).toEqual([{ AWS: `arn:aws:iam::${ACCOUNT}:root` }]);
  });

  it("scopes every service principal to this account's trail, Config, log deliveries or log groups", () => {
    const services = doc.Statement.filter((s) => s.Principal !== "*" && s.Principal?.Service !== undefined);
    expect(services.map((s) => (s.Principal as { Service: string }).Service).sort()).toEqual([
      "cloudtrail.amazonaws.com",
      "cloudtrail.amazonaws.com",
      "config.amazonaws.com",
      "delivery.logs.amazonaws.com",
      `logs.${REGION}.amazonaws.com`,
    ]);
    for (const s of services) expect(s.Condition, s.Sid).toBeDefined();
    const trail = doc.Statement.find((s) => s.Sid === "CloudTrailEncryptLogs");
    expect(trail?.Condition?.["StringEquals"]).toEqual({ "aws:SourceArn": `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${plan.trail.name}` });
    const logs = doc.Statement.find((s) => s.Sid === "CloudWatchLogGroups");
    expect(logs?.Condition).toEqual({ ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*` } });
  });
});

describe("CloudTrail event selectors", () => {
  it("select management events and S3 object events of exactly the given buckets (with a trailing slash)", () => {
    const selectors = trailEventSelectors(["arn:aws:s3:::b-logs", "arn:aws:s3:::a-backups", "arn:aws:s3:::b-logs"]);
    expect(selectors).toEqual([
      { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
      {
        name: "S3 data events of log and backup buckets",
        fieldSelectors: [
          { field: "eventCategory", equals: ["Data"] },
          { field: "resources.type", equals: ["AWS::S3::Object"] },
          { field: "resources.ARN", startsWith: ["arn:aws:s3:::a-backups/", "arn:aws:s3:::b-logs/"] },
        ],
      },
    ]);
  });
});

describe("Fluent Bit identity", () => {
  it("can be assumed only by Pod Identity for this account's cluster", () => {
    const trust = fluentBitTrustPolicy({ accountId: ACCOUNT, region: REGION, clusterName: "fitness-platform-dev-cluster" });
    expect(trust.Statement).toEqual([
      {
        Sid: "EksPodIdentityOfThisCluster",
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: { "aws:SourceAccount": ACCOUNT },
          ArnEquals: { "aws:SourceArn": `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/fitness-platform-dev-cluster` },
        },
      },
    ]);
  });

  it("may only put objects under containers/ and use the logs key through S3", () => {
    const bucketArn = arn(plan.buckets.app.name);
    const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234`;
    const doc = fluentBitPermissions({ bucketArn, keyArn, region: REGION });
    expect(doc.Statement.map((s) => [s.Action, s.Resource])).toEqual([
      ["s3:PutObject", `${bucketArn}/containers/*`],
      [["kms:GenerateDataKey", "kms:Encrypt"], keyArn],
    ]);
    expect(doc.Statement[1]?.Condition).toEqual({ StringEquals: { "kms:ViaService": `s3.${REGION}.amazonaws.com` } });
    expect(JSON.stringify(doc)).not.toMatch(/s3:\*|s3:Get|s3:Delete|kms:Decrypt/);
  });
});

describe("archive writer grants", () => {
  it("let a writer put only under its own prefix, encrypting through S3", () => {
    const statements = archiveWriteStatements({ bucketArn: arn(plan.buckets.app.name), keyArn: "k", region: REGION, prefix: "proxy/", sid: "ProxyLogs" });
    expect(statements.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ["ProxyLogsPutLogs", "s3:PutObject", `${arn(plan.buckets.app.name)}/proxy/*`],
      ["ProxyLogsEncryptWithLogsKey", ["kms:GenerateDataKey", "kms:Encrypt"], "k"],
    ]);
  });

  it("refuse a prefix the archive does not have", () => {
    expect(() => archiveWriteStatements({ bucketArn: "b", keyArn: "k", region: REGION, prefix: "elsewhere/" as "proxy/", sid: "X" })).toThrow(/log prefix "elsewhere\/"/);
  });
});
