import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runAuditCli } from "../../src/offline/cli/audit";
import { serializeSnapshot } from "../../src/offline/snapshot/writer";
import { compliantStack } from "../policy/support/fixture-stack";

/** `npm run audit` as a user runs it, on real files. */
const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURES = path.join(ROOT, "test", "fixtures", "audit");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fp-audit-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeStack(name: string, breakIt: boolean): string {
  const s = compliantStack("dev");
  if (breakIt) {
    s.fx.update(s.key, (i) => {
      i["deletionWindowInDays"] = 7;
    });
  }
  const file = path.join(tmp, name);
  fs.writeFileSync(file, serializeSnapshot(s.fx.toExport()));
  return file;
}

describe("npm run audit", () => {
  it("exits 0 when no violation is mandatory, and 1 when the config makes one mandatory", async () => {
    const input = writeStack("levels.json", true);
    const relaxed = path.join(tmp, "all-advisory.json");
    const strict = path.join(tmp, "kms-mandatory.json");
    fs.writeFileSync(relaxed, JSON.stringify({ all: "advisory" }));
    fs.writeFileSync(strict, JSON.stringify({ all: "advisory", "KMS-01": "mandatory" }));
    const advisory = await runAuditCli(["--input", input, "--config", relaxed]);
    const mandatory = await runAuditCli(["--input", input, "--config", strict]);
    expect(advisory.code).toBe(0);
    expect(advisory.stdout).toMatch(/^PASSED: 0 mandatory/m);
    expect(advisory.stdout).toContain('[advisory] KMS-01 (high) KMS key "data-key" has a deletion window of 7 days');
    expect(mandatory.code).toBe(1);
    expect(mandatory.stdout).toMatch(/^FAILED: 1 mandatory/m);
  });

  it("exits 1 with a mandatory violation and prints it with the fix", async () => {
    const file = writeStack("broken.json", true);
    const result = await runAuditCli(["--input", file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('[mandatory] KMS-01 (high) KMS key "data-key" has a deletion window of 7 days; at least 30 days are required.');
    expect(result.stdout).toContain("    fix: Set `enableKeyRotation: true`");
  });

  it("audits `pulumi preview --json`: the key pair fails, unknown values are advisories, deleted resources are ignored", async () => {
    const result = await runAuditCli(["--input", path.join(FIXTURES, "preview-key-pair.json"), "--format", "json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { input: { format: string; resources: number }; violations: Array<{ policy: string; level: string; kind: string; name?: string; message: string }> };
    expect(report.input).toMatchObject({ format: "preview", resources: 3 });
    const byPolicy = (id: string) => report.violations.filter((v) => v.policy === id).map((v) => [v.level, v.kind, v.name, v.message]);
    expect(byPolicy("EC2-04")).toEqual([["mandatory", "violation", "ops", 'key pair "ops" exists; hosts are reached through SSM, not SSH keys.']]);
    expect(byPolicy("EC2-05")).toEqual([["advisory", "unchecked", "worker", "cannot be checked during preview: string value at .userData can't be known during preview"]]);
    expect(byPolicy("GOV-02")).toEqual([["advisory", "unchecked", "worker", "cannot be checked during preview: string value at .tags can't be known during preview"]]);
    expect(report.violations.some((v) => v.name === "old")).toBe(false);
  });

  it("honours waivers from --config (the file --policy-pack-config takes)", async () => {
    const result = await runAuditCli(["--input", path.join(FIXTURES, "preview-key-pair.json"), "--config", path.join(FIXTURES, "waive-key-pair.policy-config.json")]);
    expect(result.stdout).toContain(
      "  EC2-04 on ops, finding key pair: matched 1 finding (ticket SEC-7, approved by alice@example.com, until 2999-12-31): break-glass key until SSM rollout",
    );
    expect(result.stdout).not.toContain("[mandatory] EC2-04");
  });

  it("judges waivers on --today: the same waiver holds before its expiry and fails after it", async () => {
    const config = path.join(tmp, "waiver-until-2027.json");
    const waivers = JSON.parse(fs.readFileSync(path.join(FIXTURES, "waive-key-pair.policy-config.json"), "utf8")) as Record<string, { waivers: Array<{ expiry: string }> }>;
    for (const w of waivers["EC2-04"]?.waivers ?? []) w.expiry = "2027-01-31";
    fs.writeFileSync(config, JSON.stringify(waivers));
    const audit = async (today: string) => {
      const r = await runAuditCli(["--input", path.join(FIXTURES, "preview-key-pair.json"), "--config", config, "--today", today, "--format", "json"]);
      const report = JSON.parse(r.stdout) as { date: string; violations: Array<{ policy: string; level: string; message: string }> };
      return { code: r.code, date: report.date, mandatory: report.violations.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`) };
    };
    const before = await audit("2027-01-31");
    const after = await audit("2027-02-01");
    expect([before.date, after.date]).toEqual(["2027-01-31", "2027-02-01"]);
    // The day after the waiver's expiry, the key pair it waived is a mandatory finding again.
    const added = after.mandatory.filter((m) => !before.mandatory.includes(m));
    expect(before.mandatory.some((m) => m.startsWith("EC2-04:"))).toBe(false);
    expect(added.some((m) => m.startsWith("EC2-04:"))).toBe(true);
    expect(after.code).toBe(1);
  });

  it("writes each format to --out, deterministically", async () => {
    const input = writeStack("out.json", true);
    for (const format of ["json", "md", "sarif", "text"]) {
      const out = path.join(tmp, "reports", `audit.${format}`);
      const first = await runAuditCli(["--input", input, "--format", format, "--out", out]);
      const written = fs.readFileSync(out, "utf8");
      await runAuditCli(["--input", input, "--format", format, "--out", out]);
      expect(first.code).toBe(1);
      expect(first.stdout).toMatch(/^audit dev: failed; \d+ mandatory, \d+ advisory, 0 waived; written to /);
      expect(fs.readFileSync(out, "utf8")).toBe(written);
    }
    const sarif = JSON.parse(fs.readFileSync(path.join(tmp, "reports", "audit.sarif"), "utf8")) as { version: string };
    expect(sarif.version).toBe("2.1.0");
  });

  it("exits 2 with one line naming the file and the problem", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["--input", path.join(tmp, "missing.json")], /^audit: .*missing\.json: cannot be read \(ENOENT\)\n$/],
      [["--input", path.join(FIXTURES, "not-a-stack.json")], /^audit: .*not-a-stack\.json: neither a stack export .* nor the output of `pulumi preview --json` \(steps\)\n$/],
      [["--input", path.join(FIXTURES, "preview-key-pair.json"), "--config", path.join(FIXTURES, "bad-level.policy-config.json")], /^audit: .*bad-level\.policy-config\.json: EC2-04\.enforcementLevel: string "blocking" is not an enforcement level; allowed: advisory, mandatory, remediate, disabled\n$/],
      [["--input", path.join(FIXTURES, "preview-key-pair.json"), "--format", "pdf"], /^audit: --format "pdf" is not allowed; allowed: text, json, md, sarif\n$/],
      [[], /^audit: --input is required; usage: /],
      [["--input", path.join(FIXTURES, "preview-key-pair.json"), "--today", "2026-02-30"], /^audit: --today "2026-02-30" is not allowed; allowed: a date YYYY-MM-DD\n$/],
    ];
    for (const [args, pattern] of cases) {
      const result = await runAuditCli(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(pattern);
      expect(result.stdout).toBe("");
    }
    const truncated = path.join(tmp, "truncated.json");
    fs.writeFileSync(truncated, '{"version": 3, "deployment": {');
    const result = await runAuditCli(["--input", truncated]);
    expect(result.stderr).toMatch(/truncated\.json: not valid JSON/);
  });

  it("sets the process exit code when run as `npm run audit`", () => {
    const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
    const run = (args: string[]) => spawnSync(tsx, [path.join(ROOT, "src", "offline", "cli", "audit.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
    const failing = run(["--input", path.join(FIXTURES, "preview-key-pair.json")]);
    const unreadable = run(["--input", path.join(FIXTURES, "not-a-stack.json")]);
    expect([failing.status, unreadable.status]).toEqual([1, 2]);
    expect(unreadable.stderr.trim().split("\n")).toHaveLength(1);
  });
});
