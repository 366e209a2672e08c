import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { Log } from "sarif";
import { beforeAll, describe, expect, it } from "vitest";
import { fromStackExport, renderReport, reportContext, runAudit, stackPolicyConfigFile, type AuditResult } from "../../src/offline/audit";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { StackExport } from "../../src/offline/snapshot/types";

/**
 * The audit reports as evidence, on the real dev and prod stacks: per rule the resources in its scope
 * (not the stack's size) and how they fared, labelled counts, controls grouped by framework and version
 * in natural order, the waiver table with what each waiver suppressed (and one that matched nothing),
 * the commit and pack version on the first line, SARIF rules with help links and fingerprinted results.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const STACKS = ["dev", "prod"] as const;
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const NOW = new Date("2026-12-03T00:00:00Z");
/** A valid waiver on a resource the stacks do not have: it must be reported as matching nothing. */
const STRAY = { resource: "no-such-secret", finding: "rotation", reason: "left over from a removed secret", approver: "auditor@fitness.example", expiry: "2027-01-31", ticket: "SEC-999" };

interface Audited {
  readonly snapshot: StackExport;
  readonly result: AuditResult;
}
const audited = new Map<string, Audited>();

beforeAll(async () => {
  for (const stack of STACKS) {
    const { snapshot } = await synthesize({ stack, projectRoot: ROOT });
    const config = JSON.parse(readFileSync(stackPolicyConfigFile(stack), "utf8")) as Record<string, { waivers?: unknown[] }>;
    const sm01 = config["SM-01"] ?? {};
    config["SM-01"] = { ...sm01, waivers: [...(sm01.waivers ?? []), STRAY] };
    const result = await runAudit(fromStackExport(snapshot, "stack.json"), { config, now: NOW, commit: COMMIT });
    audited.set(stack, { snapshot, result });
  }
}, 600_000);

const get = (stack: string): Audited => audited.get(stack) as Audited;
const live = (snapshot: StackExport) => snapshot.deployment.resources.filter((r) => !r.type.startsWith("pulumi:providers:"));
const count = (snapshot: StackExport, type: string): number => snapshot.deployment.resources.filter((r) => r.type === type).length;

describe.each(STACKS)("the %s stack's audit reports", (stack) => {
  it("count per rule the resources in scope, never the stack's size, and how many passed", () => {
    const { snapshot, result } = get(stack);
    const size = live(snapshot).length;
    for (const p of result.policies) {
      const s = p.scope;
      expect(s.passed + s.failed + s.waived + s.unchecked, p.id).toBe(s.resources);
      expect(s.resources, p.id).toBeLessThan(size);
    }
    // A rule about one kind of resource has exactly those in scope: KMS-01 judges keys (and key policies).
    const kms = result.policies.find((p) => p.id === "KMS-01");
    expect(kms?.scope.resources).toBe(count(snapshot, "aws:kms/key:Key") + count(snapshot, "aws:kms/keyPolicy:KeyPolicy"));
    // Waived findings count as waived resources, not as passed: SM-01's waived secrets.
    const sm01 = result.policies.find((p) => p.id === "SM-01");
    expect(sm01?.scope.waived).toBe(result.waivers.filter((w) => w.policy === "SM-01" && w.status === "applied").length);
    expect(sm01?.scope.passed).toBe((sm01?.scope.resources ?? 0) - (sm01?.scope.waived ?? 0));
  });

  it("label every count in Markdown and text", () => {
    const { result } = get(stack);
    const md = renderReport(result, "md");
    expect(md).toMatch(/^\*\*Passed\*\*: 0 mandatory violations, \d+ advisory violations? \(\d+ not checkable\), \d+ waived findings?; \d+ rules judged\.$/m);
    expect(md).toContain("| Rule | Title | Severity | Level | Resources in scope | Passed | Failed | Waived | Unchecked | Open violations | Waived findings | Decisions | Controls |");
    expect(md).toContain("| Decision | Rules | Mandatory violations | Advisory violations |");
    const kms = result.policies.find((p) => p.id === "KMS-01");
    expect(md).toContain(`| KMS-01 | ${kms?.title ?? ""} | high | mandatory | ${kms?.scope.resources ?? -1} | ${kms?.scope.passed ?? -1} | 0 | 0 | 0 | 0 | 0 |`);
    const text = renderReport(result, "text");
    expect(text.split("\n")[2]).toMatch(/^PASSED: 0 mandatory violations, \d+ advisory violations? \(\d+ not checkable\), \d+ waived findings?; \d+ rules judged; \d+ of \d+ rule-resource checks passed$/);
  });

  it("group controls by framework and version, in natural order", () => {
    const { result } = get(stack);
    const frameworks = result.summary.byFramework;
    expect(frameworks.slice(0, 4).map((f) => [f.name, f.version])).toEqual([
      ["AWS Security Hub Foundational Security Best Practices", "v1.0.0"],
      ["CIS Amazon Web Services Foundations Benchmark", "v3.0.0"],
      ["Checkov policy index", undefined],
      ["Kubernetes Pod Security Standards, restricted profile", "enforce-version latest"],
    ]);
    const cis = frameworks.find((f) => f.key === "cis-aws")?.controls.map((c) => c.id) ?? [];
    expect(cis.indexOf("4.2")).toBeGreaterThanOrEqual(0);
    expect(cis.indexOf("4.2")).toBeLessThan(cis.indexOf("4.10"));
    expect(cis.indexOf("1.14")).toBeLessThan(cis.indexOf("2.1.1"));
    const fsbp = frameworks.find((f) => f.key === "fsbp")?.controls.map((c) => c.id) ?? [];
    expect(fsbp.indexOf("CloudWatch.9")).toBeLessThan(fsbp.indexOf("CloudWatch.10"));
    // Every control appears once, with a public page for FSBP controls of their own.
    for (const f of frameworks) expect(new Set(f.controls.map((c) => c.id)).size, f.key).toBe(f.controls.length);
    expect(frameworks.find((f) => f.key === "fsbp")?.controls.find((c) => c.id === "S3.1")?.url).toBe("https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-1");
    const md = renderReport(result, "md");
    expect(md).toContain("### CIS Amazon Web Services Foundations Benchmark v3.0.0");
    expect(md.indexOf("### AWS Security Hub Foundational Security Best Practices v1.0.0")).toBeLessThan(md.indexOf("### CIS Amazon Web Services Foundations Benchmark v3.0.0"));
  });

  it("show each waiver's ticket, approver, expiry and exactly what it suppressed, and a waiver that matched nothing as such", () => {
    const { result } = get(stack);
    const stray = result.waivers.find((w) => w.resource === STRAY.resource);
    expect(stray).toMatchObject({ policy: "SM-01", status: "unused", suppressed: [], ticket: "SEC-999" });
    const applied = result.waivers.filter((w) => w.status === "applied");
    expect(applied.length).toBeGreaterThan(0);
    for (const w of applied) {
      expect(w.suppressed.length, w.resource).toBeGreaterThan(0);
      for (const s of w.suppressed) {
        expect(s.urn, w.resource).toMatch(new RegExp(`^urn:pulumi:${stack}::fitness-platform::.*::${w.resource}$`));
        expect(s.finding).toBe(w.finding);
      }
    }
    const md = renderReport(result, "md");
    expect(md).toContain("| Rule | Resource (as named) | Finding key | Ticket | Approver | Expiry | Matched | Suppresses (resource URN, finding key) | Reason | Problems |");
    expect(md).toContain("| SM-01 | `no-such-secret` | `rotation` | SEC-999 | auditor@fitness.example | 2027-01-31 | matched nothing | — |");
    const first = applied[0];
    expect(md).toContain(`| ${first?.ticket ?? "—"} | ${first?.approver ?? ""} | ${first?.expiry ?? ""} | matched 1 finding | \`${first?.suppressed[0]?.urn ?? ""}\` finding \`${first?.finding ?? ""}\` |`);
    const text = renderReport(result, "text");
    expect(text).toContain("  SM-01 on no-such-secret, finding rotation: matched nothing (ticket SEC-999, approved by auditor@fitness.example, until 2027-01-31): left over from a removed secret");
    expect(text).toContain(`    suppresses ${first?.suppressed[0]?.urn ?? ""} finding ${first?.finding ?? ""}`);
  });

  it("put the commit and the policy pack version on the first line of every report", () => {
    const { result, snapshot } = get(stack);
    const headline = `Policy audit: stack ${stack} · commit ${COMMIT} · policy pack fitness-platform ${result.pack.version}`;
    expect(renderReport(result, "text").split("\n")[0]).toBe(headline);
    expect(renderReport(result, "md").split("\n")[0]).toBe(`# ${headline}`);
    const json = JSON.parse(renderReport(result, "json")) as AuditResult;
    expect(Object.keys(json).slice(0, 3)).toEqual(["tool", "commit", "pack"]);
    expect(json.commit).toBe(COMMIT);
    const sarif = JSON.parse(renderReport(result, "sarif", reportContext(snapshot.deployment.resources, { GITHUB_REPOSITORY: "acme/fitness" }))) as Log;
    expect(sarif.runs[0]?.versionControlProvenance).toEqual([{ repositoryUri: "https://github.com/acme/fitness", revisionId: COMMIT }]);
    expect(sarif.runs[0]?.properties).toMatchObject({ commit: COMMIT, policyPack: `fitness-platform ${result.pack.version}`, stack });
  });

  it("give every SARIF rule a help link and every result a stable fingerprint", () => {
    const { result, snapshot } = get(stack);
    // Without a repository: the public page of the rule's first control.
    const offline = JSON.parse(renderReport(result, "sarif", reportContext(snapshot.deployment.resources, {}))) as Log;
    const rules = offline.runs[0]?.tool.driver.rules ?? [];
    expect(rules.find((r) => r.id === "S3-01")?.helpUri).toBe("https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-1");
    const withPage = new Set(result.summary.byFramework.flatMap((f) => f.controls.filter((c) => c.url !== undefined).flatMap((c) => c.policies)));
    expect(withPage.size).toBeGreaterThan(result.policies.length / 2);
    for (const rule of rules) {
      if (withPage.has(rule.id)) expect(rule.helpUri, rule.id).toMatch(/^https:\/\//);
      else expect(rule.helpUri, rule.id).toBeUndefined();
    }
    // In GitHub Actions: the rule's entry in docs/policies.md at the audited commit.
    const ci = JSON.parse(renderReport(result, "sarif", reportContext(snapshot.deployment.resources, { GITHUB_REPOSITORY: "acme/fitness" }))) as Log;
    for (const rule of ci.runs[0]?.tool.driver.rules ?? []) expect(rule.helpUri).toBe(`https://github.com/acme/fitness/blob/${COMMIT}/docs/policies.md#${rule.id.toLowerCase()}`);
    const results = ci.runs[0]?.results ?? [];
    expect(results.length).toBeGreaterThan(0);
    const prints = results.map((r) => r.fingerprints?.["findingHash/v1"]);
    for (const p of prints) expect(p).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(prints).size).toBe(prints.length);
    const waived = results.filter((r) => r.suppressions !== undefined);
    expect(waived.length).toBe(result.summary.waived);
    for (const r of waived) expect(r.suppressions?.[0]?.justification).toMatch(/approved by .+, until \d{4}-\d{2}-\d{2}, [A-Z]+-\d+\)$/);
  });
});
