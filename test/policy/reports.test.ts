import type { Log } from "sarif";
import { describe, expect, it } from "vitest";
import { renderReport, type AuditResult } from "../../src/offline/audit";
import { audit } from "./support/audit";
import { compliantStack } from "./support/fixture-stack";
import { FIRST_SET } from "./support/first-set";

/** One mandatory violation (S3-01), one waived (EC2-04), on the compliant stack otherwise. */
async function sample(): Promise<AuditResult> {
  const s = compliantStack();
  const pab = s.fx.toExport().deployment.resources.find((r) => r.urn.endsWith("::logs-pab"));
  s.fx.update({ ...s.bucket, urn: pab?.urn ?? "" }, (i) => {
    i["blockPublicPolicy"] = false;
  });
  s.fx.update(s.appInstance, (i) => {
    i["keyName"] = "legacy";
  });
  return audit(s.fx, FIRST_SET, { config: { "EC2-04": { waivers: [{ resource: "app-host", finding: "key pair legacy", reason: "break-glass until SSM agent rollout", approver: "bob@example.com", expiry: "2030-07-01" }] } } });
}

describe("JSON report", () => {
  it("lists every policy with level and counts, and every violation with what an auditor needs", async () => {
    const json = JSON.parse(renderReport(await sample(), "json")) as AuditResult;
    expect(json.policies.map((p) => p.id)).toEqual([...FIRST_SET.map((p) => p.meta.id)].sort());
    const s301 = json.policies.find((p) => p.id === "S3-01");
    expect(s301).toMatchObject({ title: "S3 block public access, all four flags", enforcementLevel: "mandatory", severity: "critical", violations: 1, decisions: ["D5"] });
    expect(s301?.scope.resources).toBeGreaterThan(0);
    expect(json.violations).toEqual([
      expect.objectContaining({
        policy: "S3-01",
        level: "mandatory",
        severity: "critical",
        urn: expect.stringContaining("aws:s3/bucket:Bucket::logs"),
        type: "aws:s3/bucket:Bucket",
        name: "logs",
        message: 'bucket "logs": public access block "logs-pab" does not set blockPublicPolicy to true.',
        remediation: expect.stringContaining("BucketPublicAccessBlock"),
        controls: ["FSBP S3.1", "FSBP S3.8", "CIS 2.1.4", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"],
      }),
    ]);
    expect(json.waivers).toEqual([expect.objectContaining({ policy: "EC2-04", resource: "app-host", status: "applied", approver: "bob@example.com" })]);
    expect(json.summary).toMatchObject({ passed: false, mandatory: 1, waived: 1 });
    expect(json.summary.byDecision.find((d) => d.decision === "D5")).toMatchObject({ mandatory: 1 });
  });
});

describe("Markdown report", () => {
  it("summarises by decision and by control, gives violations with remediation, waivers and the reachability matrix", async () => {
    const md = renderReport(await sample(), "md");
    expect(md).toContain("**Failed**: 1 mandatory violation, 0 advisory violations");
    expect(md).toContain("| D5: Critical data on our own database hosts; logs in cloud storage |");
    expect(md).toMatch(/\| D6: DMZ for every external connection; no direct internet access inside \| [^|]*NET-02[^|]* \| 0 \| 0 \|/);
    expect(md).toMatch(/\| CKV_AWS_53 \| S3-01 \| 1 \| 0 \|/);
    expect(md).toMatch(/\| S3-01 \| S3 block public access, all four flags \| critical \| mandatory \| 2 \| 1 \| 1 \| 0 \| 0 \| 1 \| 0 \|/);
    expect(md).toContain("### S3-01 S3 block public access, all four flags");
    expect(md).toContain("  - Remediation: Add `new aws.s3.BucketPublicAccessBlock(");
    expect(md).toContain(
      "| EC2-04 | `app-host` | `key pair legacy` | — | bob@example.com | 2030-07-01 | matched 1 finding | `urn:pulumi:test::fitness-platform::aws:ec2/instance:Instance::app-host` finding `key pair legacy` |",
    );
    expect(md).toContain("| from \\ to | internet | dmz | app | data |");
    expect(md).toContain("| app | — | tcp/3128 | tcp/443 | tcp/5432 |");
    expect(md.indexOf("## Summary by architecture decision")).toBeLessThan(md.indexOf("## Controls by framework"));
    expect(md.indexOf("## Controls by framework")).toBeLessThan(md.indexOf("## Violations"));
  });
});

describe("SARIF report", () => {
  it("is SARIF 2.1.0 with one rule per policy carrying its controls, and results pointing at rules", async () => {
    const log = JSON.parse(renderReport(await sample(), "sarif")) as Log;
    expect(log.version).toBe("2.1.0");
    const run = log.runs[0];
    const rules = run?.tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).toEqual([...FIRST_SET.map((p) => p.meta.id)].sort());
    const s301 = rules.find((r) => r.id === "S3-01");
    expect(s301?.properties?.["security-severity"]).toBe("9.5");
    expect(s301?.properties?.tags).toEqual(expect.arrayContaining(["D5", "FSBP S3.1", "CKV_AWS_53"]));
    expect(s301?.help?.text).toContain("Remediation:");
    const results = run?.results ?? [];
    const open = results.filter((r) => r.suppressions === undefined);
    const waived = results.filter((r) => r.suppressions !== undefined);
    expect(open.map((r) => [r.ruleId, r.level, rules[r.ruleIndex ?? -1]?.id])).toEqual([["S3-01", "error", "S3-01"]]);
    expect(open[0]?.locations?.[0]?.logicalLocations?.[0]?.fullyQualifiedName).toContain("::logs");
    expect(waived.map((r) => [r.ruleId, r.suppressions?.[0]?.kind])).toEqual([["EC2-04", "external"]]);
  });
});
