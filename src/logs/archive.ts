/**
 * The log archive (D5): S3 buckets for application/flow logs, edge (ALB + WAF) logs, the CloudTrail
 * audit trail and the server access logs of those three, the customer-managed logs key, and the
 * multi-region trail. Registers only what `planLogArchive` and the policy renderers describe.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { LogsConfig } from "../config/sections/logs";
import type { PlatformContext } from "../conventions/context";
import { LOG_PREFIXES, type LogArchivePlan, type LogBucketKey, type LogBucketPlan, planLogArchive } from "./archive-plan";
import { logBucketPolicy } from "./bucket-policies";
import { logsKeyPolicy } from "./key-policy";
import { encryptedLogGroup } from "./log-group";
import { policyDocument, type PolicyStatement, trailArn } from "./policy-document";
import { trailEventSelectors } from "./trail-plan";
import { type AppLogPrefix, archiveWriteStatements } from "./writer-grants";

export interface LogArchiveArgs {
  readonly ctx: PlatformContext;
  readonly config: LogsConfig;
  /** Further buckets (the backup buckets) whose object-level events the trail records. */
  readonly extraDataEventBucketArns?: pulumi.Input<string>[];
  /** Also deliver the trail to an encrypted CloudWatch log group (for metric filters and alarms). */
  readonly trailToCloudWatch?: boolean;
}

const COMPONENT = "logs";

const afterPolicy = (made: { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy }): pulumi.Output<string> =>
  pulumi.all([made.bucket.arn, made.policy.urn]).apply(([arn]) => arn);

export class LogArchive extends pulumi.ComponentResource {
  readonly plan: LogArchivePlan;
  readonly logsKey: aws.kms.Key;
  readonly buckets: Readonly<Record<LogBucketKey, aws.s3.Bucket>>;
  /** SSE-KMS; prefixes flow-logs/, containers/, proxy/, ssm-sessions/. */
  readonly appLogsBucket: aws.s3.Bucket;
  /** SSE-S3, named aws-waf-logs-*; prefixes alb/ (ALB access logs) and waf/ (WAF logs). */
  readonly edgeLogsBucket: aws.s3.Bucket;
  /** SSE-KMS with Object Lock; CloudTrail under cloudtrail/. */
  readonly auditBucket: aws.s3.Bucket;
  /** SSE-S3; server access logs of the three buckets above. */
  readonly accessLogsBucket: aws.s3.Bucket;
  readonly trail: aws.cloudtrail.Trail;
  readonly trailLogGroup?: aws.cloudwatch.LogGroup;
  /** The app bucket's ARN, once its bucket policy is in place (for writers that check their grant). */
  readonly appLogsBucketArn: pulumi.Output<string>;
  /** The edge bucket's name, once its bucket policy is in place (ALB `accessLogs.bucket`). */
  readonly edgeLogsBucketName: pulumi.Output<string>;
  /** `aws.ec2.FlowLog.logDestination` (logDestinationType "s3"). */
  readonly flowLogDestinationArn: pulumi.Output<string>;
  /** `aws.wafv2.WebAclLoggingConfiguration.logDestinationConfigs` entry. */
  readonly wafLogDestinationArn: pulumi.Output<string>;
  /** `aws.lb.LoadBalancer.accessLogs.prefix` (with `bucket: edgeLogsBucketName`). */
  readonly albLogPrefix: string = LOG_PREFIXES.alb.replace(/\/$/, "");
  private readonly region: string;

  constructor(name: string, args: LogArchiveArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:logs:LogArchive", name, {}, opts);
    const { ctx } = args;
    this.region = ctx.region;
    const plan = planLogArchive(ctx, args.config);
    this.plan = plan;
    const tags = (resourceName?: string) => ctx.tags({ component: COMPONENT, zone: "global", dataClass: "internal" }, resourceName);
    // Losing the key or the audit trail loses the evidence: kept and protected in prod.
    const keep: pulumi.CustomResourceOptions = { parent: this, protect: ctx.durability.protectCriticalData, retainOnDelete: ctx.durability.protectCriticalData };

    this.logsKey = new aws.kms.Key(
      `${name}-key`,
      {
        description: plan.key.description,
        enableKeyRotation: true,
        deletionWindowInDays: plan.key.deletionWindowInDays,
        policy: ctx.accountId.apply((accountId) =>
          JSON.stringify(logsKeyPolicy({ accountId, region: ctx.region, trailName: plan.trail.name })),
        ),
        tags: tags(plan.key.alias.replace(/^alias\//, "")),
      },
      keep,
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: plan.key.alias, targetKeyId: this.logsKey.keyId }, { parent: this });

    const all = Object.values(plan.buckets);
    const bucketNames = Object.fromEntries(all.map((b) => [b.key, b.name])) as Record<LogBucketKey, string>;
    const made = {} as Record<LogBucketKey, { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy }>;
    // The access-log bucket first: the others point their server access logging at it.
    for (const key of ["access", "app", "edge", "audit"] as const) {
      made[key] = this.logBucket(name, plan.buckets[key], all, bucketNames, args, keep, tags);
      const target = made.access;
      const source = plan.buckets[key];
      if (source.accessLogPrefix !== undefined) {
        new aws.s3.BucketLogging(
          `${name}-${key}-access-logging`,
          {
            bucket: made[key].bucket.id,
            targetBucket: target.bucket.id,
            targetPrefix: source.accessLogPrefix,
            targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
          },
          { parent: this, dependsOn: [target.policy] },
        );
      }
    }
    this.buckets = { app: made.app.bucket, edge: made.edge.bucket, audit: made.audit.bucket, access: made.access.bucket };
    this.appLogsBucket = made.app.bucket;
    this.edgeLogsBucket = made.edge.bucket;
    this.auditBucket = made.audit.bucket;
    this.accessLogsBucket = made.access.bucket;
    // Delivery services check their grant when logging is switched on: these values carry the bucket
    // policy as a dependency, so a flow log or WAF logging built from them waits for it.
    this.appLogsBucketArn = afterPolicy(made.app);
    this.edgeLogsBucketName = pulumi.all([made.edge.bucket.bucket, made.edge.policy.urn]).apply(([bucket]) => bucket);
    this.flowLogDestinationArn = pulumi.interpolate`${this.appLogsBucketArn}/${LOG_PREFIXES.flowLogs}`;
    this.wafLogDestinationArn = pulumi.interpolate`${afterPolicy(made.edge)}/${LOG_PREFIXES.waf.replace(/\/$/, "")}`;

    let cloudWatch: { groupArn: pulumi.Input<string>; roleArn: pulumi.Input<string> } | undefined;
    if (args.trailToCloudWatch === true) {
      this.trailLogGroup = encryptedLogGroup(
        `${name}-trail-log-group`,
        {
          ctx,
          component: COMPONENT,
          zone: "global",
          logGroupName: `/aws/cloudtrail/${plan.trail.name}`,
          retentionInDays: args.config.logGroupRetentionDays,
          kmsKeyArn: this.logsKey.arn,
        },
        { parent: this },
      );
      const role = this.trailToCloudWatchRole(name, ctx, plan, this.trailLogGroup, tags);
      // CloudTrail expects the log group ARN with the ":*" stream suffix.
      cloudWatch = { groupArn: pulumi.interpolate`${this.trailLogGroup.arn}:*`, roleArn: role.arn };
    }

    const dataEventBuckets = [made.app.bucket.arn, made.edge.bucket.arn, made.access.bucket.arn, ...(args.extraDataEventBucketArns ?? [])];
    this.trail = new aws.cloudtrail.Trail(
      `${name}-trail`,
      {
        name: plan.trail.name,
        s3BucketName: made.audit.bucket.bucket,
        s3KeyPrefix: plan.trail.s3KeyPrefix,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        enableLogging: true,
        kmsKeyId: this.logsKey.arn,
        advancedEventSelectors: pulumi.all(dataEventBuckets).apply((arns) => trailEventSelectors(arns)),
        cloudWatchLogsGroupArn: cloudWatch?.groupArn,
        cloudWatchLogsRoleArn: cloudWatch?.roleArn,
        tags: tags(plan.trail.name),
      },
      { parent: this, dependsOn: [made.audit.policy, this.logsKey] },
    );

    this.registerOutputs({
      logsKeyArn: this.logsKey.arn,
      appLogsBucket: this.appLogsBucket.bucket,
      edgeLogsBucket: this.edgeLogsBucket.bucket,
      auditBucket: this.auditBucket.bucket,
      accessLogsBucket: this.accessLogsBucket.bucket,
      trailArn: this.trail.arn,
      flowLogDestinationArn: this.flowLogDestinationArn,
      wafLogDestinationArn: this.wafLogDestinationArn,
    });
  }

  /**
   * IAM statements letting a same-account writer put logs under one prefix of the application log
   * bucket (e.g. the egress proxy's instance role: `LOG_PREFIXES.proxy`); attach them to its role.
   */
  writeStatements(prefix: AppLogPrefix, sid: string): pulumi.Output<PolicyStatement[]> {
    return pulumi
      .all([this.appLogsBucket.arn, this.logsKey.arn])
      .apply(([bucketArn, keyArn]) => archiveWriteStatements({ bucketArn, keyArn, region: this.region, prefix, sid }));
  }

  private logBucket(
    name: string,
    plan: LogBucketPlan,
    all: LogBucketPlan[],
    bucketNames: Record<LogBucketKey, string>,
    args: LogArchiveArgs,
    keep: pulumi.CustomResourceOptions,
    tags: (resourceName?: string) => Record<string, string>,
  ): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
    const { ctx } = args;
    const id = `${name}-${plan.key}`;
    const child = { parent: this };
    const bucket = new aws.s3.Bucket(
      id,
      { bucket: plan.name, forceDestroy: ctx.durability.forceDestroyBuckets, objectLockEnabled: plan.objectLock !== undefined ? true : undefined, tags: tags(plan.name) },
      keep,
    );
    const ownership = new aws.s3.BucketOwnershipControls(`${id}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${id}-public-access`,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child,
    );
    const versioning = new aws.s3.BucketVersioning(`${id}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${id}-encryption`,
      {
        bucket: bucket.id,
        rules: [
          plan.encryption === "kms"
            ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.logsKey.arn }, bucketKeyEnabled: true }
            : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ],
      },
      child,
    );
    // Retained versions outlive a destroy: dev keeps Object Lock enabled but sets no default retention.
    if (plan.objectLock !== undefined && ctx.durability.objectLockRetention) {
      new aws.s3.BucketObjectLockConfiguration(
        `${id}-object-lock`,
        { bucket: bucket.id, rule: { defaultRetention: { mode: plan.objectLock.mode, days: plan.objectLock.days } } },
        { parent: this, dependsOn: [versioning] },
      );
    }
    new aws.s3.BucketLifecycleConfiguration(
      `${id}-lifecycle`,
      {
        bucket: bucket.id,
        rules: plan.lifecycle.map((rule) => ({
          id: rule.id,
          status: "Enabled",
          filter: { prefix: rule.prefix },
          transitions: rule.transitions.map((t) => ({ days: t.days, storageClass: t.storageClass })),
          expiration: { days: rule.expirationDays },
          noncurrentVersionExpiration: { noncurrentDays: rule.noncurrentDays },
          abortIncompleteMultipartUpload: { daysAfterInitiation: rule.abortIncompleteUploadDays },
        })),
      },
      { parent: this, dependsOn: [versioning] },
    );
    const policy = new aws.s3.BucketPolicy(
      `${id}-policy`,
      {
        bucket: bucket.id,
        policy: ctx.accountId.apply((accountId) =>
          JSON.stringify(logBucketPolicy(plan, all, { accountId, region: ctx.region, trailName: this.plan.trail.name, bucketNames })),
        ),
      },
      { parent: this, dependsOn: [publicAccess, ownership] },
    );
    return { bucket, policy };
  }

  /** The trail's CloudWatch log group name; only when built with `trailToCloudWatch`. */
  trailLogGroupName(): pulumi.Output<string> {
    if (this.trailLogGroup === undefined) throw new Error("the log archive was built without trailToCloudWatch; the trail has no log group");
    return this.trailLogGroup.name;
  }

  private trailToCloudWatchRole(
    name: string,
    ctx: PlatformContext,
    plan: LogArchivePlan,
    group: aws.cloudwatch.LogGroup,
    tags: (resourceName?: string) => Record<string, string>,
  ): aws.iam.Role {
    const roleName = ctx.name(COMPONENT, "trail-to-cloudwatch", 64);
    const role = new aws.iam.Role(
      `${name}-trail-role`,
      {
        permissionsBoundary: ctx.permissionsBoundary,
        name: roleName,
        assumeRolePolicy: ctx.accountId.apply((accountId) =>
          JSON.stringify(
            policyDocument([
              {
                Sid: "CloudTrailOfThisTrail",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceArn": trailArn(ctx.region, accountId, plan.trail.name) } },
              },
            ]),
          ),
        ),
        tags: tags(roleName),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-trail-role-policy`,
      {
        role: role.id,
        policy: group.arn.apply((arn) =>
          JSON.stringify(
            policyDocument([
              { Sid: "WriteTrailLogStreams", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${arn}:log-stream:*` },
            ]),
          ),
        ),
      },
      { parent: this },
    );
    return role;
  }
}
