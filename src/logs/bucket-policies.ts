/**
 * Bucket policies of the log archive, as pure documents. Each bucket admits exactly the delivery
 * principals that write into it, only under its own prefix and this account's AWSLogs path, scoped
 * by source account and source ARN where the service sets them; every bucket refuses plain HTTP.
 * Same-account writers (Fluent Bit, proxy hosts, SSM) are granted by their own identity policies.
 */
import { denyInsecureTransport as tlsOnly } from "../conventions/iam-policy";
import { LOG_PREFIXES, type LogBucketKey, type LogBucketPlan } from "./archive-plan";
import { elbLogDeliveryPrincipal } from "./elb-log-delivery";
import { bucketArn, PARTITION, policyDocument, type PolicyDocument, type PolicyStatement, trailArn } from "./policy-document";

export const LOG_DELIVERY_SERVICE = "delivery.logs.amazonaws.com";
export const CLOUDTRAIL_SERVICE = "cloudtrail.amazonaws.com";
export const S3_LOGGING_SERVICE = "logging.s3.amazonaws.com";
export const CONFIG_SERVICE = "config.amazonaws.com";

export interface BucketPolicyInputs {
  readonly accountId: string;
  readonly region: string;
  readonly trailName: string;
  /** Names of the buckets whose server access logs land in the access-log bucket, by plan key. */
  readonly bucketNames: Readonly<Record<LogBucketKey, string>>;
}

export function denyInsecureTransport(bucket: string): PolicyStatement {
  const arn = bucketArn(bucket);
  return tlsOnly("s3:*", [arn, `${arn}/*`], false);
}

/** Vended-log delivery (VPC flow logs, WAF) into this account's `<prefix>AWSLogs/` path, per the AWS documentation. */
function logDeliveryStatements(bucket: string, prefixes: string[], inputs: BucketPolicyInputs, sidPrefix: string): PolicyStatement[] {
  const arn = bucketArn(bucket);
  const source = {
    StringEquals: { "aws:SourceAccount": inputs.accountId },
    ArnLike: { "aws:SourceArn": `arn:${PARTITION}:logs:${inputs.region}:${inputs.accountId}:*` },
  };
  return [
    {
      Sid: `${sidPrefix}AclCheck`,
      Effect: "Allow",
      Principal: { Service: LOG_DELIVERY_SERVICE },
      Action: ["s3:GetBucketAcl", "s3:ListBucket"],
      Resource: arn,
      Condition: source,
    },
    {
      Sid: `${sidPrefix}Write`,
      Effect: "Allow",
      Principal: { Service: LOG_DELIVERY_SERVICE },
      Action: "s3:PutObject",
      // Plain (`AWSLogs/<account>/`) and Hive-compatible (`AWSLogs/aws-account-id=<account>/`) layouts.
      Resource: prefixes.flatMap((p) => [`${arn}/${p}AWSLogs/${inputs.accountId}/*`, `${arn}/${p}AWSLogs/aws-account-id=${inputs.accountId}/*`]),
      Condition: {
        StringEquals: { "aws:SourceAccount": inputs.accountId, "s3:x-amz-acl": "bucket-owner-full-control" },
        ArnLike: source.ArnLike,
      },
    },
  ];
}

function albStatement(bucket: string, inputs: BucketPolicyInputs): PolicyStatement {
  const principal = elbLogDeliveryPrincipal(inputs.region);
  const resource = `${bucketArn(bucket)}/${LOG_PREFIXES.alb}AWSLogs/${inputs.accountId}/*`;
  if (principal.type === "AWS") {
    // The regional ELB account sets no source conditions; the resource pins it to this account's path.
    return { Sid: "AlbAccessLogsWrite", Effect: "Allow", Principal: { AWS: `arn:${PARTITION}:iam::${principal.accountId}:root` }, Action: "s3:PutObject", Resource: resource };
  }
  return {
    Sid: "AlbAccessLogsWrite",
    Effect: "Allow",
    Principal: { Service: principal.service },
    Action: "s3:PutObject",
    Resource: resource,
    Condition: { StringEquals: { "aws:SourceAccount": inputs.accountId } },
  };
}

function cloudTrailStatements(bucket: string, inputs: BucketPolicyInputs): PolicyStatement[] {
  const arn = bucketArn(bucket);
  const sourceArn = trailArn(inputs.region, inputs.accountId, inputs.trailName);
  return [
    {
      Sid: "CloudTrailAclCheck",
      Effect: "Allow",
      Principal: { Service: CLOUDTRAIL_SERVICE },
      Action: "s3:GetBucketAcl",
      Resource: arn,
      Condition: { StringEquals: { "aws:SourceArn": sourceArn } },
    },
    {
      Sid: "CloudTrailWrite",
      Effect: "Allow",
      Principal: { Service: CLOUDTRAIL_SERVICE },
      Action: "s3:PutObject",
      Resource: `${arn}/${LOG_PREFIXES.cloudtrail}AWSLogs/${inputs.accountId}/*`,
      Condition: { StringEquals: { "aws:SourceArn": sourceArn, "s3:x-amz-acl": "bucket-owner-full-control" } },
    },
  ];
}

/**
 * AWS Config's delivery channel (recording through its service-linked role): the service principal
 * checks the ACL and the bucket, then writes under `config/AWSLogs/<account>/Config/`, for this
 * account only (AWS Config developer guide, "Permissions for the Amazon S3 bucket").
 */
function configStatements(bucket: string, inputs: BucketPolicyInputs): PolicyStatement[] {
  const arn = bucketArn(bucket);
  const sameAccount = { StringEquals: { "aws:SourceAccount": inputs.accountId } };
  return [
    { Sid: "ConfigAclCheck", Effect: "Allow", Principal: { Service: CONFIG_SERVICE }, Action: ["s3:GetBucketAcl", "s3:ListBucket"], Resource: arn, Condition: sameAccount },
    {
      Sid: "ConfigWrite",
      Effect: "Allow",
      Principal: { Service: CONFIG_SERVICE },
      Action: "s3:PutObject",
      Resource: `${arn}/${LOG_PREFIXES.config}AWSLogs/${inputs.accountId}/Config/*`,
      Condition: { StringEquals: { "aws:SourceAccount": inputs.accountId, "s3:x-amz-acl": "bucket-owner-full-control" } },
    },
  ];
}

function serverAccessLogStatements(bucket: string, sources: LogBucketPlan[], inputs: BucketPolicyInputs): PolicyStatement[] {
  const arn = bucketArn(bucket);
  return sources.map((source) => ({
    Sid: `S3ServerAccessLogs${source.key[0]!.toUpperCase()}${source.key.slice(1)}`,
    Effect: "Allow" as const,
    Principal: { Service: S3_LOGGING_SERVICE },
    Action: "s3:PutObject",
    Resource: `${arn}/${source.accessLogPrefix}*`,
    Condition: {
      ArnLike: { "aws:SourceArn": bucketArn(inputs.bucketNames[source.key]) },
      StringEquals: { "aws:SourceAccount": inputs.accountId },
    },
  }));
}

/** The bucket policy of one log bucket; `all` is the whole plan (the access bucket names its sources). */
export function logBucketPolicy(bucket: LogBucketPlan, all: readonly LogBucketPlan[], inputs: BucketPolicyInputs): PolicyDocument {
  const statements: PolicyStatement[] = [denyInsecureTransport(bucket.name)];
  switch (bucket.key) {
    case "app":
      statements.push(...logDeliveryStatements(bucket.name, [LOG_PREFIXES.flowLogs], inputs, "FlowLogs"));
      break;
    case "edge":
      statements.push(albStatement(bucket.name, inputs), ...logDeliveryStatements(bucket.name, [LOG_PREFIXES.waf], inputs, "WafLogs"));
      break;
    case "audit":
      statements.push(...cloudTrailStatements(bucket.name, inputs), ...configStatements(bucket.name, inputs));
      break;
    case "access":
      statements.push(...serverAccessLogStatements(bucket.name, all.filter((b) => b.accessLogPrefix !== undefined), inputs));
      break;
  }
  return policyDocument(statements);
}
