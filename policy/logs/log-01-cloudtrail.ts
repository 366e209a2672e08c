import type { PolicyResource } from "@pulumi/policy";
import { durabilityOf } from "../../src/conventions/durability";
import { defineStackPolicy } from "../framework/define";
import { flag, list, num, text, texts } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { BUCKET_TYPES, companions } from "../s3/buckets";
import {
  bucketName,
  deepTexts,
  ENVIRONMENT_CONFIG,
  environmentOf,
  isArchiveBucket,
  isUnknown,
  minLogRetentionDays,
  peek,
  resolveDestinations,
  tagOf,
} from "./archive";

const TRAIL_TYPE = "aws:cloudtrail/trail:Trail";
const OBJECT_LOCK_TYPES = [
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
];
/** Buckets whose object-level events must be recorded besides the log archive's. */
const BACKUP_COMPONENT = "backups";

/** Bucket names a trail records S3 object data events for; "*" when it records every bucket's. */
function dataEventBuckets(trail: PolicyResource): Set<string> {
  const covered = new Set<string>();
  const addArn = (arn: string) => {
    if (arn === "arn:aws:s3" || arn === "arn:aws:s3:::") covered.add("*");
    const match = /^arn:aws[a-z-]*:s3:::([^/]+)\//.exec(arn);
    if (match) covered.add(match[1] as string);
  };
  const advanced = peek(trail.props, "advancedEventSelectors");
  if (isUnknown(advanced)) {
    // Preview: the selectors are computed from bucket ARNs; those buckets are the ones recorded.
    for (const dep of trail.propertyDependencies["advancedEventSelectors"] ?? []) {
      const name = BUCKET_TYPES.includes(dep.type) ? bucketName(dep) : undefined;
      if (name !== undefined) covered.add(name);
    }
  }
  for (const selector of list(advanced)) {
    const fields = list(peek(selector, "fieldSelectors"));
    const field = (name: string) => fields.find((f) => text(peek(f, "field")) === name);
    const equals = (name: string) => texts(peek(field(name), "equals"));
    if (!equals("eventCategory").includes("Data")) continue;
    if (!equals("resources.type").includes("AWS::S3::Object")) continue;
    const arnField = field("resources.ARN");
    if (arnField === undefined) {
      covered.add("*");
      continue;
    }
    for (const arn of [...texts(peek(arnField, "startsWith")), ...texts(peek(arnField, "equals"))]) addArn(arn);
  }
  for (const selector of list(peek(trail.props, "eventSelectors"))) {
    for (const resource of list(peek(selector, "dataResources"))) {
      if (text(peek(resource, "type")) !== "AWS::S3::Object") continue;
      for (const arn of deepTexts(peek(resource, "values"))) addArn(arn);
    }
  }
  return covered;
}

function lockRetentionDays(index: StackIndex, bucket: PolicyResource): number | undefined {
  let best: number | undefined;
  for (const config of companions(index, bucket, OBJECT_LOCK_TYPES)) {
    const retention = peek(config.props, "rule", "defaultRetention");
    const days = num(peek(retention, "days")) ?? (num(peek(retention, "years")) ?? 0) * 365;
    if (days > 0) best = Math.max(best ?? 0, days);
  }
  return best;
}

export const log01CloudTrail = defineStackPolicy({
  meta: {
    id: "LOG-01",
    title: "CloudTrail: multi-region, validated, KMS-encrypted, into the locked audit bucket, data events on log and backup buckets",
    severity: "high",
    decisions: ["D5"],
    controls: { fsbp: ["CloudTrail.1", "CloudTrail.2", "CloudTrail.4"], cis: ["3.1", "3.2", "3.5"], checkov: ["CKV_AWS_67", "CKV_AWS_36", "CKV_AWS_35"] },
    description:
      "The stack has a CloudTrail trail that is multi-region, includes global service events, validates log files, encrypts " +
      "with a KMS key and logs into a log-archive bucket with Object Lock (default retention at least the environment's log " +
      "minimum). Trails record S3 object data events for every log-archive bucket (except a trail's own destination, which " +
      "would log its own deliveries) and for every backup bucket (component=backups).",
    remediation:
      "Use LogArchive (src/logs/archive.ts): its trail sets isMultiRegionTrail, includeGlobalServiceEvents, enableLogFileValidation " +
      "and kmsKeyId, writes to the Object Lock audit bucket, and records data events for the log buckets plus the " +
      "`extraDataEventBucketArns` (pass the backup buckets' ARNs there).",
    enforcementLevel: "mandatory",
  },
  config: { ...ENVIRONMENT_CONFIG },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const configuredEnv = args.getConfig<{ environment?: string }>().environment;
    const trails = index.ofType(TRAIL_TYPE);
    if (trails.length === 0) {
      reportViolation("The stack has no CloudTrail trail (a multi-region trail into the log archive is required).");
      return;
    }
    const destinations = new Set<string>();
    const covered = new Set<string>();
    for (const trail of trails) {
      const label = `trail "${trail.name}"`;
      const props = trail.props;
      if (flag(peek(props, "isMultiRegionTrail")) !== true) reportViolation(`${label} is not multi-region (isMultiRegionTrail).`, trail.urn);
      if (flag(peek(props, "includeGlobalServiceEvents")) === false) reportViolation(`${label} leaves out global service events (IAM, STS).`, trail.urn);
      if (flag(peek(props, "enableLogFileValidation")) !== true) reportViolation(`${label} does not validate log files (enableLogFileValidation).`, trail.urn);
      if (flag(peek(props, "enableLogging")) === false) reportViolation(`${label} has logging turned off (enableLogging).`, trail.urn);
      // An unknown key id (preview) is a key being created; only a missing one is a violation.
      const kms = Object.getOwnPropertyDescriptor(props, "kmsKeyId")?.value;
      if ((kms === undefined || kms === "") && (trail.propertyDependencies["kmsKeyId"] ?? []).length === 0) {
        reportViolation(`${label} does not encrypt its logs with a KMS key (kmsKeyId).`, trail.urn);
      }

      const { known, pending } = resolveDestinations(index, trail, "s3BucketName");
      const buckets = [...known.map((d) => d.bucket), ...pending];
      if (buckets.length === 0 || buckets.some((b) => b === undefined || !isArchiveBucket(b))) {
        reportViolation(`${label} does not log into a log-archive bucket (component=logs): ${known.map((d) => d.value).join(", ") || "unknown bucket"}.`, trail.urn);
      }
      for (const bucket of buckets) {
        if (bucket === undefined) continue;
        const name = bucketName(bucket);
        if (name !== undefined) destinations.add(name);
        const minimum = minLogRetentionDays(environmentOf(bucket, configuredEnv));
        if (flag(peek(bucket.props, "objectLockEnabled")) !== true) {
          reportViolation(`${label} logs into bucket "${bucket.name}", which has no Object Lock (objectLockEnabled).`, trail.urn);
          continue;
        }
        const days = lockRetentionDays(index, bucket);
        // dev is disposable (src/conventions/durability.ts): Object Lock on, but no retention outliving a destroy.
        const retains = durabilityOf(environmentOf(bucket, configuredEnv)).objectLockRetention;
        if (retains && (days === undefined || days < minimum)) {
          reportViolation(`${label}: bucket "${bucket.name}" locks objects for ${days ?? 0} days by default; at least ${minimum} are required.`, trail.urn);
        }
      }
      for (const name of dataEventBuckets(trail)) covered.add(name);
    }

    const required = index
      .ofType(...BUCKET_TYPES)
      .filter((b) => isArchiveBucket(b) || tagOf(b, "component") === BACKUP_COMPONENT)
      .filter((b) => !destinations.has(bucketName(b) ?? ""));
    for (const bucket of required) {
      const name = bucketName(bucket);
      if (covered.has("*") || (name !== undefined && covered.has(name))) continue;
      const kind = isArchiveBucket(bucket) ? "log-archive" : "backup";
      reportViolation(`No trail records S3 data events for ${kind} bucket "${bucket.name}" (${name ?? "name unknown"}).`, bucket.urn);
    }
  },
});
