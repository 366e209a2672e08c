import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { at, list, text, texts } from "../framework/props";
import type { StackIndex } from "../framework/stack-index";
import { isCustomerManagedKey } from "../kms/keys";
import { BUCKET_TYPES, ENCRYPTION_TYPES, bucketLabel, companions, stackBuckets } from "./buckets";

const LOAD_BALANCER_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const BUCKET_LOGGING_TYPES = ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"];

/**
 * Log deliveries that only write to SSE-S3 buckets: load balancer access logs and S3 server access
 * logs (the target bucket of a bucket's logging configuration).
 */
function receivesSseS3OnlyLogs(index: StackIndex, bucket: PolicyResource): boolean {
  return (
    index.referrers(bucket, LOAD_BALANCER_TYPES, "accessLogs").length > 0 ||
    index.referrers(bucket, BUCKET_LOGGING_TYPES, "targetBucket").length > 0 ||
    index.referrers(bucket, BUCKET_TYPES, "logging").length > 0
  );
}

interface DefaultEncryption {
  readonly source: PolicyResource;
  readonly property: string;
  readonly algorithm: string | undefined;
  /** The object holding `kmsMasterKeyId`, read only when needed (it is unknown during preview). */
  readonly settings: unknown;
}

function defaultsOf(index: StackIndex, bucket: PolicyResource): DefaultEncryption[] {
  const found: DefaultEncryption[] = [];
  for (const config of companions(index, bucket, ENCRYPTION_TYPES)) {
    for (const rule of list(config.props["rules"])) {
      const byDefault = at(rule, "applyServerSideEncryptionByDefault");
      found.push({ source: config, property: "rules", algorithm: text(at(byDefault, "sseAlgorithm")), settings: byDefault });
    }
  }
  // The deprecated inline configuration of the Bucket resource still works, so it counts too.
  const inline = at(bucket.props["serverSideEncryptionConfiguration"], "rule", "applyServerSideEncryptionByDefault");
  if (inline !== undefined) {
    found.push({
      source: bucket,
      property: "serverSideEncryptionConfiguration",
      algorithm: text(at(inline, "sseAlgorithm")),
      settings: inline,
    });
  }
  return found;
}

export const s3Encryption = defineStackPolicy({
  meta: {
    id: "S3-03",
    title: "S3 encryption at rest with a customer-managed key",
    severity: "high",
    decisions: ["D5"],
    controls: { fsbp: ["S3.17"], checkov: ["CKV_AWS_145"] },
    description:
      "Every bucket's default encryption is SSE-KMS with a customer-managed key. Exception: a bucket that receives " +
      "load balancer access logs or S3 server access logs may use SSE-S3, because those log deliveries do not support SSE-KMS.",
    remediation:
      'Add an aws.s3.BucketServerSideEncryptionConfiguration with rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", ' +
      "kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] using the area's aws.kms.Key.",
    enforcementLevel: "mandatory",
  },
  config: {
    sseS3Buckets: {
      type: "array",
      items: { type: "string" },
      default: [],
      description: "Logical names of further buckets allowed SSE-S3 because an AWS log delivery service requires it.",
    },
  },
  validate: (args, reportViolation) => {
    const { index, buckets } = stackBuckets(args);
    const allowSseS3 = new Set(texts(args.getConfig<{ sseS3Buckets?: string[] }>().sseS3Buckets));
    for (const bucket of buckets) {
      const sseS3Allowed = receivesSseS3OnlyLogs(index, bucket) || allowSseS3.has(bucket.name);
      const defaults = defaultsOf(index, bucket);
      if (defaults.length === 0) {
        reportViolation(`${bucketLabel(bucket)} has no default encryption configuration (SSE-KMS with a customer-managed key).`, bucket.urn);
        continue;
      }
      for (const d of defaults) {
        if (d.algorithm === "AES256") {
          if (!sseS3Allowed) {
            reportViolation(`${bucketLabel(bucket)} is encrypted with SSE-S3 (AES256); SSE-KMS with a customer-managed key is required.`, bucket.urn);
          }
          continue;
        }
        if (d.algorithm !== "aws:kms" && d.algorithm !== "aws:kms:dsse") {
          reportViolation(`${bucketLabel(bucket)} has default encryption algorithm ${JSON.stringify(d.algorithm)}; allowed: aws:kms, aws:kms:dsse.`, bucket.urn);
          continue;
        }
        if (!isCustomerManagedKey(d.source, d.property, d.settings, "kmsMasterKeyId")) {
          reportViolation(`${bucketLabel(bucket)} uses SSE-KMS without a customer-managed key (no kmsMasterKeyId, or the AWS-managed aws/s3 key).`, bucket.urn);
        }
      }
    }
  },
});
