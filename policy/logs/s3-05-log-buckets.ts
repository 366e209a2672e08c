import type { PolicyResource } from "@pulumi/policy";
import { ELB_LOG_DELIVERY_ACCOUNTS, ELB_LOG_DELIVERY_SERVICE } from "../../src/logs/elb-log-delivery";
import { defineStackPolicy } from "../framework/define";
import { flag, list, num, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { BUCKET_TYPES, ENCRYPTION_TYPES, bucketStatements, companions } from "../s3/buckets";
import { bucketName, ENVIRONMENT_CONFIG, environmentOf, isArchiveBucket, minLogRetentionDays, peek, resolveDestinations } from "./archive";

const VERSIONING_TYPES = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
const LIFECYCLE_TYPES = ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"];
const LOGGING_TYPES = ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"];
const LOAD_BALANCER_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
/** Resources that deliver logs into S3, and the property naming the destination. */
const LOG_WRITERS: ReadonlyArray<readonly [string, string, ...string[]]> = [
  ["aws:ec2/flowLog:FlowLog", "logDestination"],
  ["aws:cloudtrail/trail:Trail", "s3BucketName"],
  ["aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "logDestinationConfigs"],
  ["aws:lb/loadBalancer:LoadBalancer", "accessLogs", "bucket"],
  ["aws:alb/loadBalancer:LoadBalancer", "accessLogs", "bucket"],
  ["aws:s3/bucketLogging:BucketLogging", "targetBucket"],
];

/** The buckets that hold logs: the archive's, and any bucket a log writer delivers into. */
function logBuckets(index: StackIndex): Map<string, PolicyResource> {
  const found = new Map<string, PolicyResource>();
  for (const bucket of index.ofType(...BUCKET_TYPES)) if (isArchiveBucket(bucket)) found.set(bucket.urn, bucket);
  for (const [type, property, ...within] of LOG_WRITERS) {
    for (const writer of index.ofType(type)) {
      const { known, pending } = resolveDestinations(index, writer, property, ...within);
      for (const b of [...known.map((d) => d.bucket), ...pending]) if (b !== undefined) found.set(b.urn, b);
    }
  }
  return found;
}

/** Buckets that receive S3 server access logs: the access-log bucket itself is their end point. */
function accessLogTargets(index: StackIndex): Set<string> {
  const targets = new Set<string>();
  for (const logging of index.ofType(...LOGGING_TYPES)) {
    const { known, pending } = resolveDestinations(index, logging, "targetBucket");
    for (const b of [...known.map((d) => d.bucket), ...pending]) if (b !== undefined) targets.add(b.urn);
  }
  return targets;
}

/** Whether the bucket policy admits ELB log delivery (the regional ELB account or the service principal). */
function admitsElbDelivery(index: StackIndex, bucket: PolicyResource): boolean {
  const elbAccounts = Object.values(ELB_LOG_DELIVERY_ACCOUNTS);
  return bucketStatements(index, bucket).statements.some(
    (s) =>
      s.effect === "Allow" &&
      s.principals.some((p) => p === `Service:${ELB_LOG_DELIVERY_SERVICE}` || elbAccounts.some((a) => p === `AWS:${a}` || p === `AWS:arn:aws:iam::${a}:root`)),
  );
}

export const s3LogBuckets = defineStackPolicy({
  meta: {
    id: "S3-05",
    title: "Log buckets: versioned, encrypted, retained for the environment's minimum, access-logged elsewhere",
    severity: "medium",
    decisions: ["D5"],
    controls: { fsbp: ["S3.9", "S3.13", "S3.14"], checkov: ["CKV_AWS_18", "CKV_AWS_21", "CKV2_AWS_61", "CKV2_AWS_62"] },
    description:
      "Every bucket that holds logs (the log archive's buckets, and any bucket a flow log, trail, WAF, load balancer or S3 " +
      "server access logging writes into) has versioning enabled; default encryption with SSE-KMS, or SSE-S3 only where the " +
      "writing service requires it (load balancer access logs, S3 server access logs); a lifecycle configuration whose " +
      "enabled rules expire objects no earlier than the environment's log minimum (dev 30 days, prod 365) and abort " +
      "incomplete multipart uploads; and S3 server access logging into another bucket (the access-log bucket itself excepted).",
    remediation:
      "Create log buckets through LogArchive (src/logs/archive.ts), or give the bucket aws.s3.BucketVersioning (Enabled), " +
      "aws.s3.BucketServerSideEncryptionConfiguration, aws.s3.BucketLifecycleConfiguration (expiration ≥ the minimum, " +
      "abortIncompleteMultipartUpload) and aws.s3.BucketLogging into the access-log bucket.",
    enforcementLevel: "mandatory",
  },
  config: { ...ENVIRONMENT_CONFIG },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const configuredEnv = args.getConfig<{ environment?: string }>().environment;
    const buckets = logBuckets(index);
    if (buckets.size === 0) args.notApplicable("the stack has no log buckets");
    const accessTargets = accessLogTargets(index);

    for (const bucket of buckets.values()) {
      const label = `log bucket "${bucket.name}"`;
      const report = (message: string) => reportViolation(`${label} ${message}`, bucket.urn);
      const minimum = minLogRetentionDays(environmentOf(bucket, configuredEnv));

      const versioned =
        companions(index, bucket, VERSIONING_TYPES).some((v) => text(peek(v.props, "versioningConfiguration", "status")) === "Enabled") ||
        flag(peek(bucket.props, "versioning", "enabled")) === true;
      if (!versioned) report("does not have versioning enabled.");

      const algorithms = companions(index, bucket, ENCRYPTION_TYPES).flatMap((c) =>
        list(peek(c.props, "rules")).map((rule) => text(peek(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm"))),
      );
      const receivesElbLogs = index.referrers(bucket, LOAD_BALANCER_TYPES, "accessLogs").length > 0 || admitsElbDelivery(index, bucket);
      if (algorithms.length === 0) report("has no default encryption.");
      for (const algorithm of algorithms) {
        if (algorithm === "AES256" && !receivesElbLogs && !accessTargets.has(bucket.urn)) {
          report("uses SSE-S3 although no writer of it requires SSE-S3 (only load balancer access logs and S3 server access logs do); use SSE-KMS.");
        }
      }

      const lifecycles = companions(index, bucket, LIFECYCLE_TYPES);
      if (lifecycles.length === 0) {
        report(`has no lifecycle configuration (expiry after at least ${minimum} days, abort of incomplete uploads).`);
      } else {
        const rules = lifecycles.flatMap((l) => list(peek(l.props, "rules"))).filter((r) => text(peek(r, "status")) === "Enabled");
        const expiries = rules.map((r) => num(peek(r, "expiration", "days"))).filter((d): d is number => d !== undefined);
        if (expiries.length === 0) report("has no enabled lifecycle rule that expires objects (retention per environment).");
        for (const rule of rules) {
          const days = num(peek(rule, "expiration", "days"));
          if (days !== undefined && days < minimum) report(`expires objects after ${days} days in rule "${text(peek(rule, "id")) ?? "?"}"; at least ${minimum} are required.`);
        }
        if (!rules.some((r) => num(peek(r, "abortIncompleteMultipartUpload", "daysAfterInitiation")) !== undefined)) {
          report("has no lifecycle rule aborting incomplete multipart uploads.");
        }
      }

      if (!accessTargets.has(bucket.urn)) {
        const loggings = companions(index, bucket, LOGGING_TYPES);
        const targets = loggings.flatMap((l) => {
          const { known, pending } = resolveDestinations(index, l, "targetBucket");
          return [...known.map((d) => d.bucket), ...pending];
        });
        if (targets.length === 0) report("has no S3 server access logging.");
        else if (targets.some((t) => t === undefined || t.urn === bucket.urn)) {
          report(`logs its server access into itself or an unknown bucket (${bucketName(bucket) ?? bucket.name}); use the access-log bucket.`);
        }
      }
    }
  },
});
