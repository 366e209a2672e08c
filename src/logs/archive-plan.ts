/**
 * The log archive as data (D5: logs go to cloud storage): which buckets exist, what each holds under
 * which prefix, how it is encrypted and how long each prefix is kept. Pure: config in, plan out; the
 * LogArchive component only turns this into resources, and the policies check the same numbers.
 */
import type { LogsConfig } from "../config/sections/logs";
import type { PlatformContext } from "../conventions/context";

/** Where each kind of log lands. Writers (flow logs, ALB, WAF, Fluent Bit, proxy, SSM) use these. */
export const LOG_PREFIXES = {
  flowLogs: "flow-logs/",
  containers: "containers/",
  proxy: "proxy/",
  ssmSessions: "ssm-sessions/",
  alb: "alb/",
  waf: "waf/",
  cloudtrail: "cloudtrail/",
  config: "config/",
} as const;

export type LogBucketKey = "app" | "edge" | "audit" | "access";

/** Days a noncurrent version (an overwritten or expired object) is kept: a recovery window, not retention. */
export const NONCURRENT_VERSION_DAYS = 14;
export const KEY_DELETION_WINDOW_DAYS = 30;

export interface LifecycleTransitionPlan {
  readonly days: number;
  readonly storageClass: "STANDARD_IA" | "GLACIER";
}

export interface LifecycleRulePlan {
  readonly id: string;
  readonly prefix: string;
  readonly transitions: readonly LifecycleTransitionPlan[];
  readonly expirationDays: number;
  readonly noncurrentDays: number;
  readonly abortIncompleteUploadDays: number;
}

export interface LogBucketPlan {
  readonly key: LogBucketKey;
  /** Physical bucket name (globally unique, valid S3 name). */
  readonly name: string;
  readonly description: string;
  /** `kms`: SSE-KMS with the logs key; `s3`: SSE-S3, where the writing service accepts nothing else. */
  readonly encryption: "kms" | "s3";
  /** Object Lock default retention (audit bucket only): set at creation, cannot be added later. */
  readonly objectLock?: { readonly mode: "GOVERNANCE" | "COMPLIANCE"; readonly days: number };
  readonly prefixes: readonly string[];
  readonly retentionDays: number;
  readonly lifecycle: readonly LifecycleRulePlan[];
  /** Prefix of this bucket's server access logs in the access-log bucket; none for that bucket itself. */
  readonly accessLogPrefix?: string;
}

export interface LogArchivePlan {
  readonly buckets: Readonly<Record<LogBucketKey, LogBucketPlan>>;
  readonly key: { readonly alias: string; readonly deletionWindowInDays: number; readonly description: string };
  readonly trail: { readonly name: string; readonly s3KeyPrefix: string };
}

export type ArchiveNaming = Pick<PlatformContext, "name" | "bucketName" | "environment">;

function transitions(config: LogsConfig): LifecycleTransitionPlan[] {
  const out: LifecycleTransitionPlan[] = [];
  // Tiering only when configured: dev expires its logs before any transition would pay off.
  if (config.transitionToInfrequentAccessDays !== undefined) out.push({ days: config.transitionToInfrequentAccessDays, storageClass: "STANDARD_IA" });
  if (config.transitionToGlacierDays !== undefined) out.push({ days: config.transitionToGlacierDays, storageClass: "GLACIER" });
  return out;
}

function rules(config: LogsConfig, prefixes: readonly string[], expirationDays: number): LifecycleRulePlan[] {
  const tiers = transitions(config).filter((t) => t.days < expirationDays);
  return prefixes.map((prefix) => ({
    id: `retain-${prefix.replace(/\/$/, "")}`,
    prefix,
    transitions: tiers,
    expirationDays,
    noncurrentDays: NONCURRENT_VERSION_DAYS,
    abortIncompleteUploadDays: config.abortIncompleteUploadDays,
  }));
}

export function planLogArchive(ctx: ArchiveNaming, config: LogsConfig): LogArchivePlan {
  const retention = config.retentionDays;
  const auditRetention = config.auditRetentionDays;
  const name = (thing: string, prefix = "") => ctx.bucketName("logs", thing, prefix);

  const appPrefixes = [LOG_PREFIXES.flowLogs, LOG_PREFIXES.containers, LOG_PREFIXES.proxy, LOG_PREFIXES.ssmSessions];
  const edgePrefixes = [LOG_PREFIXES.alb, LOG_PREFIXES.waf];
  const auditPrefixes = [LOG_PREFIXES.cloudtrail, LOG_PREFIXES.config];
  const accessSources: Record<Exclude<LogBucketKey, "access">, number> = { app: retention, edge: retention, audit: auditRetention };

  const buckets: Record<LogBucketKey, LogBucketPlan> = {
    app: {
      key: "app",
      name: name("app"),
      description: "VPC flow logs, container logs, proxy logs and SSM session transcripts",
      encryption: "kms",
      prefixes: appPrefixes,
      retentionDays: retention,
      lifecycle: rules(config, appPrefixes, retention),
      accessLogPrefix: "app/",
    },
    edge: {
      key: "edge",
      // WAF delivers to S3 only into buckets named aws-waf-logs-*; ALB access logs accept only SSE-S3.
      name: name("edge", "aws-waf-logs-"),
      description: "ALB access logs and WAF logs of the DMZ edge",
      encryption: "s3",
      prefixes: edgePrefixes,
      retentionDays: retention,
      lifecycle: rules(config, edgePrefixes, retention),
      accessLogPrefix: "edge/",
    },
    audit: {
      key: "audit",
      name: name("audit"),
      description: "CloudTrail management and data events, write-once",
      encryption: "kms",
      objectLock: { mode: ctx.environment === "prod" ? "COMPLIANCE" : "GOVERNANCE", days: auditRetention },
      prefixes: auditPrefixes,
      retentionDays: auditRetention,
      lifecycle: rules(config, auditPrefixes, auditRetention),
      accessLogPrefix: "audit/",
    },
    access: {
      key: "access",
      name: name("access"),
      // S3 server access logging delivers only into SSE-S3 buckets.
      description: "S3 server access logs of the other log buckets",
      encryption: "s3",
      prefixes: Object.keys(accessSources).map((k) => `${k}/`),
      retentionDays: Math.max(...Object.values(accessSources)),
      lifecycle: Object.entries(accessSources).flatMap(([source, days]) => rules(config, [`${source}/`], days)),
    },
  };

  return {
    buckets,
    key: {
      alias: `alias/${ctx.name("logs")}`,
      deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
      description: `Log archive key of ${ctx.name("logs")}: app and audit log buckets, CloudTrail, log groups`,
    },
    trail: { name: ctx.name("logs", "trail"), s3KeyPrefix: LOG_PREFIXES.cloudtrail.replace(/\/$/, "") },
  };
}
