import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import { PLATFORM_SERVICES } from "../../src/bootstrap/plan";
import { BOOTSTRAP_ADVISORY, bootstrapConfigFile, renderBootstrapPolicyConfig } from "../../src/bootstrap/policy-config";
import { readPolicyConfig, runAudit } from "../../src/offline/audit";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";

/**
 * The bootstrap layer under the same policy pack as the platform (issue 13: audit the bootstrap). What
 * the pack reports there is exactly the accepted set documented in docs/decisions.md ("The bootstrap
 * under the policy pack"), so anything new fails:
 * - the account-level detective controls (GuardDuty, Security Hub, Config, Access Analyzer, the trail):
 *   the platform stack of the same account creates them, and passes them (checked here too);
 * - IAM-01 on the deploy role's policy only, for the services the platform uses (`<service>:*`);
 * - S3-02/S3-03 on the package mirror only: its TLS-only policy names the platform's S3 endpoint, so the
 *   platform owns it (src/mirror/package-mirror-policy.ts); SSE-S3 because apt's reads are anonymous;
 * - IAM-01 on the permissions boundary's ceiling statement only (`Allow *`: a boundary grants nothing, and
 *   IAM-03 fails it if anything attaches it as a permissions policy), and IAM-03 on the two CI roles only:
 *   they administer the boundary's roles (the deploy role needs what the boundary denies: bucket policies,
 *   trails, key deletion in dev), and are held by their own policies' Denies.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const ACCOUNT_LEVEL = ["DET-01", "DET-02", "DET-03", "DET-04", "DET-05", "LOG-01"];
const NOW = new Date("2026-12-03T12:00:00Z");
const snapshots: Partial<Record<"dev" | "prod", StackExport>> = {};
const platform: Partial<Record<"dev" | "prod", StackExport>> = {};

beforeAll(async () => {
  for (const stack of ["dev", "prod"] as const) {
    snapshots[stack] = (await synthesize({ stack, projectRoot: path.join(ROOT, "bootstrap") })).snapshot;
    platform[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
  }
}, 600_000);

const byName = (s: StackExport, name: string): ResourceState | undefined => s.deployment.resources.find((r) => r.urn.endsWith(`::${name}`));

describe.each(["dev", "prod"] as const)("the bootstrap of %s under the policy pack", (stack) => {
  it("reports only the accepted set: account-level controls the platform provides, the deploy role's service wildcards, the package mirror's encryption and TLS", async () => {
    const config = readPolicyConfig(path.join(ROOT, "policy", "config", `${stack}.json`));
    const result = await runAudit(snapshots[stack] as StackExport, { config, now: NOW });
    const unexpected = result.violations.filter((v) => {
      if (ACCOUNT_LEVEL.includes(v.policy)) return false;
      if (v.policy === "IAM-01" && /IAM policy "bootstrap-deploy-policy" statement "PlatformServices" allows the (wildcard|write) action ([a-z0-9-]+):\*/.test(v.message)) {
        const service = /action ([a-z0-9-]+):\*/.exec(v.message)?.[1] ?? "";
        return !(PLATFORM_SERVICES as readonly string[]).includes(service);
      }
      if (v.policy === "IAM-01" && v.message.includes('"bootstrap-deploy-policy" statement "PlatformIdentities" allows the wildcard action iam:*')) return false;
      if ((v.policy === "S3-02" || v.policy === "S3-03") && v.message.includes('bucket "bootstrap-package-mirror"')) return false;
      if (v.policy === "IAM-01" && v.message === 'IAM policy "bootstrap-permissions-boundary" statement "CeilingForPlatformRoles" allows every action ("*"): an administrator policy.') return false;
      if (v.policy === "IAM-03" && new RegExp(`^role "fitness-platform-${stack}-ci-(deploy|preview)" has no permissions boundary`).test(v.message)) return false;
      return true;
    });
    expect(unexpected.map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
    // Never the administrator policy, and the preview role's object read names the mirror bucket only.
    expect(JSON.stringify(snapshots[stack]?.deployment.resources)).not.toContain("AdministratorAccess");
    const preflight = JSON.parse(String(byName(snapshots[stack] as StackExport, "bootstrap-preview-preflight")?.inputs?.policy)) as { Statement: { Action: string | string[]; Resource: string }[] };
    const reads = preflight.Statement.filter((s) => [s.Action].flat().includes("s3:GetObject"));
    expect(reads.map((s) => s.Resource)).toEqual([`arn:aws:s3:::fitness-platform-${stack}-mirror-debian-${stack === "dev" ? "111111111111" : "222222222222"}/*`]);
  }, 120_000);

  it("`pulumi up --policy-pack` of the bootstrap completes with its own policy config: no mandatory finding, and the advisory ones are the accepted set", async () => {
    // The committed file is what the generator makes (npx tsx src/bootstrap/policy-config.ts --write).
    expect(fs.readFileSync(bootstrapConfigFile(ROOT, stack), "utf8")).toBe(renderBootstrapPolicyConfig(ROOT, stack));
    const withStackConfig = await runAudit(snapshots[stack] as StackExport, { config: readPolicyConfig(path.join(ROOT, "policy", "config", `${stack}.json`)), now: NOW });
    // With the platform's file, the first bootstrap could never complete: mandatory findings stop `pulumi up`.
    expect(withStackConfig.violations.some((v) => v.level === "mandatory")).toBe(true);
    const result = await runAudit(snapshots[stack] as StackExport, { config: readPolicyConfig(bootstrapConfigFile(ROOT, stack)), now: NOW });
    expect(result.violations.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
    expect(result.violations.map((v) => `${v.policy}: ${v.message}`)).toEqual(withStackConfig.violations.map((v) => `${v.policy}: ${v.message}`));
    expect(new Set(result.violations.map((v) => v.policy))).toEqual(new Set(BOOTSTRAP_ADVISORY));
  }, 120_000);

  it("the account-level controls it leaves out are those the platform stack of the same account passes", async () => {
    const config = readPolicyConfig(path.join(ROOT, "policy", "config", `${stack}.json`));
    const result = await runAudit(platform[stack] as StackExport, { config, now: NOW });
    expect(result.violations.filter((v) => ACCOUNT_LEVEL.includes(v.policy))).toEqual([]);
  }, 120_000);
});

describe("the deploy role's policy covers what the platform registers", () => {
  // Pulumi's AWS modules → IAM service prefixes (the provider's module names follow the SDK's).
  const PREFIX: Readonly<Record<string, string>> = {
    accessanalyzer: "access-analyzer", cfg: "config", lb: "elasticloadbalancing", alb: "elasticloadbalancing", vpc: "ec2", ebs: "ec2",
    sesv2: "ses", cloudwatch: "logs", codestarconnections: "codestar-connections",
  };
  it.each(["dev", "prod"] as const)("%s: every AWS resource type's service is in PLATFORM_SERVICES (IAM scoped separately)", (stack) => {
    const modules = new Set((platform[stack] as StackExport).deployment.resources.filter((r) => r.type.startsWith("aws:")).map((r) => r.type.split(":")[1]?.split("/")[0] ?? ""));
    const missing = [...modules].filter((m) => m !== "iam").map((m) => PREFIX[m] ?? m).filter((p) => !(PLATFORM_SERVICES as readonly string[]).includes(p));
    expect(missing).toEqual([]);
  });
});
