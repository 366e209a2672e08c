import { describe, expect, it } from "vitest";
import type { LogsConfig } from "../../src/config/sections/logs";
import { ENVIRONMENT_RULES } from "../../src/config/environment-rules";
import { validatePlatformConfig } from "../../src/config/validate";
import { bucketName, physicalName } from "../../src/conventions/naming";
import { type ArchiveNaming, LOG_PREFIXES, NONCURRENT_VERSION_DAYS, planLogArchive } from "../../src/logs/archive-plan";
import { isValidBucketName } from "../../src/logs/bucket-name";
import { committedCatalogText, committedConfig } from "../support/stack-config";

function committed(stack: "dev" | "prod"): { naming: ArchiveNaming; logs: LogsConfig } {
  const platform = validatePlatformConfig({
    stack,
    config: committedConfig(stack),
    catalogFile: "src/config/catalog.yaml",
    catalogText: committedCatalogText(),
    now: new Date("2026-11-24T12:00:00Z"),
  });
  const scope = { project: platform.project, stack };
  return {
    naming: {
      environment: platform.config.environment,
      name: (component, thing) => physicalName(scope, component, thing),
      bucketName: (component, thing, prefix) => bucketName({ ...scope, accountId: platform.aws.allowedAccountIds[0] ?? "" }, component, thing, prefix),
    },
    logs: platform.config.logs,
  };
}

describe("log archive plan", () => {
  it("dev expires every prefix of every bucket after 30 days, with no storage-class transition before", () => {
    const { naming, logs } = committed("dev");
    const plan = planLogArchive(naming, logs);
    for (const bucket of Object.values(plan.buckets)) {
      expect(bucket.lifecycle.length).toBeGreaterThan(0);
      for (const rule of bucket.lifecycle) {
        expect(rule.transitions).toEqual([]);
        expect(rule.abortIncompleteUploadDays).toBe(logs.abortIncompleteUploadDays);
        expect(rule.noncurrentDays).toBe(NONCURRENT_VERSION_DAYS);
      }
    }
    expect(plan.buckets.app.lifecycle.map((r) => r.expirationDays)).toEqual([30, 30, 30, 30]);
    expect(plan.buckets.edge.lifecycle.map((r) => r.expirationDays)).toEqual([30, 30]);
    expect(plan.buckets.audit.lifecycle.map((r) => r.expirationDays)).toEqual([logs.auditRetentionDays, logs.auditRetentionDays]);
    expect(plan.buckets.audit.objectLock).toEqual({ mode: "GOVERNANCE", days: logs.auditRetentionDays });
  });

  it("prod keeps logs at least 365 days, tiers them to STANDARD_IA then GLACIER, and locks the audit trail in COMPLIANCE mode", () => {
    const { naming, logs } = committed("prod");
    const plan = planLogArchive(naming, logs);
    for (const bucket of Object.values(plan.buckets)) {
      for (const rule of bucket.lifecycle) {
        expect(rule.expirationDays).toBeGreaterThanOrEqual(ENVIRONMENT_RULES.prod.minLogRetentionDays);
        expect(rule.transitions).toEqual([
          { days: logs.transitionToInfrequentAccessDays, storageClass: "STANDARD_IA" },
          { days: logs.transitionToGlacierDays, storageClass: "GLACIER" },
        ]);
        for (const t of rule.transitions) expect(t.days).toBeLessThan(rule.expirationDays);
      }
    }
    expect(plan.buckets.audit.objectLock).toEqual({ mode: "COMPLIANCE", days: logs.auditRetentionDays });
    expect(plan.buckets.audit.retentionDays).toBe(logs.auditRetentionDays);
  });

  it("lays out the prefixes the writers use, one lifecycle rule per prefix", () => {
    const { naming, logs } = committed("dev");
    const plan = planLogArchive(naming, logs);
    expect(plan.buckets.app.prefixes).toEqual([LOG_PREFIXES.flowLogs, LOG_PREFIXES.containers, LOG_PREFIXES.proxy, LOG_PREFIXES.ssmSessions]);
    expect(plan.buckets.edge.prefixes).toEqual([LOG_PREFIXES.alb, LOG_PREFIXES.waf]);
    expect(plan.buckets.audit.prefixes).toEqual([LOG_PREFIXES.cloudtrail, LOG_PREFIXES.config]);
    for (const bucket of Object.values(plan.buckets)) {
      expect(bucket.lifecycle.map((r) => r.prefix)).toEqual(bucket.prefixes);
    }
  });

  it("keeps each bucket's server access logs as long as the bucket's own logs", () => {
    const { naming, logs } = committed("prod");
    const plan = planLogArchive(naming, logs);
    const byPrefix = Object.fromEntries(plan.buckets.access.lifecycle.map((r) => [r.prefix, r.expirationDays]));
    expect(byPrefix).toEqual({ "app/": logs.retentionDays, "edge/": logs.retentionDays, "audit/": logs.auditRetentionDays });
    expect(plan.buckets.access.accessLogPrefix).toBeUndefined();
    for (const key of ["app", "edge", "audit"] as const) expect(plan.buckets[key].accessLogPrefix).toBe(`${key}/`);
  });

  it("encrypts with the logs key except where the log writer only accepts SSE-S3", () => {
    const { naming, logs } = committed("dev");
    const plan = planLogArchive(naming, logs);
    expect({ app: plan.buckets.app.encryption, edge: plan.buckets.edge.encryption, audit: plan.buckets.audit.encryption, access: plan.buckets.access.encryption }).toEqual({
      app: "kms",
      edge: "s3",
      audit: "kms",
      access: "s3",
    });
    expect(plan.key.deletionWindowInDays).toBe(30);
  });

  it("names buckets validly, the edge bucket with the prefix WAF requires", () => {
    for (const stack of ["dev", "prod"] as const) {
      const { naming, logs } = committed(stack);
      const plan = planLogArchive(naming, logs);
      for (const bucket of Object.values(plan.buckets)) {
        expect(isValidBucketName(bucket.name), bucket.name).toBe(true);
        expect(bucket.name.length).toBeLessThanOrEqual(63);
      }
      expect(plan.buckets.edge.name).toBe(`aws-waf-logs-fitness-platform-${stack}-logs-edge-${stack === "dev" ? "111111111111" : "222222222222"}`);
      expect(new Set(Object.values(plan.buckets).map((b) => b.name)).size).toBe(4);
    }
  });

  it("shortens a too-long bucket name stably, keeping the WAF prefix and the account id", () => {
    const { logs } = committed("dev");
    const scope = { project: "fitness-platform", stack: "a-very-long-feature-branch-stack-name" };
    const naming: ArchiveNaming = {
      environment: "dev",
      name: (component, thing) => physicalName(scope, component, thing),
      bucketName: (component, thing, prefix) => bucketName({ ...scope, accountId: "111111111111" }, component, thing, prefix),
    };
    const edge = planLogArchive(naming, logs).buckets.edge.name;
    expect(edge).toMatch(/^aws-waf-logs-fitness-platform-a-very-long-.*-111111111111$/);
    expect(edge.length).toBeLessThanOrEqual(63);
    expect(planLogArchive(naming, logs).buckets.edge.name).toBe(edge);
  });

  it("never transitions at or after expiry, even when configured later than retention", () => {
    const { naming, logs } = committed("prod");
    const plan = planLogArchive(naming, { ...logs, retentionDays: 60, transitionToInfrequentAccessDays: 30, transitionToGlacierDays: 90 });
    expect(plan.buckets.app.lifecycle[0]?.transitions).toEqual([{ days: 30, storageClass: "STANDARD_IA" }]);
  });
});
