import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.join(__dirname, "..", "..");
const work = mkdtempSync(path.join(tmpdir(), "fp-expiry-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A repository tree with a stack config and a policy config, as the check reads them. */
function repo(name: string, exceptionExpires: string, waiverExpiry: string): string {
  const dir = path.join(work, name);
  mkdirSync(path.join(dir, "policy", "config"), { recursive: true });
  writeFileSync(path.join(dir, "Pulumi.yaml"), "name: fitness-platform\nruntime: nodejs\n");
  writeFileSync(
    path.join(dir, "Pulumi.dev.yaml"),
    `config:\n  fitness-platform:egress:\n    exceptions:\n      - host: .pypi.org\n        ticket: OPS-7\n        expires: ${exceptionExpires}\n`,
  );
  writeFileSync(path.join(dir, "Pulumi.prod.yaml"), "config:\n  fitness-platform:egress:\n    exceptions: []\n");
  writeFileSync(
    path.join(dir, "policy", "config", "dev.json"),
    JSON.stringify({ "s3-01-public-access-block": { waivers: [{ resource: "edge-logs", reason: "r", approver: "a", expiry: waiverExpiry }] } }),
  );
  return dir;
}

function expiry(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [require.resolve("tsx/cli"), "src/offline/cli/expiry.ts", ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run expiry", () => {
  it("passes when nothing expires within 7 days", () => {
    const dir = repo("quiet", "2031-01-20", "2031-02-01");
    const { code, stdout } = expiry("--root", dir, "--today", "2031-01-01");
    expect(stdout).toBe("0 of 2 dated entries expire within 7 days of 2031-01-01\n");
    expect(code).toBe(0);
  });

  it("fails when an egress exception expires within 7 days, naming it", () => {
    const dir = repo("exception", "2031-01-08", "2031-02-01");
    const { code, stdout } = expiry("--root", dir, "--today", "2031-01-01");
    expect(code).toBe(1);
    expect(stdout).toContain(
      "EXPIRING egress exception .pypi.org, OPS-7 expires on 2031-01-08, in 7 days: Pulumi.dev.yaml fitness-platform:egress.exceptions[0].expires",
    );
  });

  it("fails when a waiver expires within the window or has expired, in Markdown for the job summary", () => {
    const dir = repo("waiver", "2031-03-01", "2030-12-30");
    const { code, stdout } = expiry("--root", dir, "--today", "2031-01-01", "--format", "md");
    expect(code).toBe(1);
    expect(stdout).toContain("### Expiry check: 1 to renew or remove");
    expect(stdout).toContain(
      "- policy waiver s3-01-public-access-block for edge-logs expired on 2030-12-30 (2 days ago): `policy/config/dev.json` `s3-01-public-access-block.waivers[0].expiry`",
    );
  });

  it("honours a wider window", () => {
    const dir = repo("window", "2031-01-20", "2031-02-01");
    expect(expiry("--root", dir, "--today", "2031-01-01", "--days", "30").code).toBe(1);
  });

  it("exits 2 with one line on a bad date or bad arguments", () => {
    const dir = repo("bad", "someday", "2031-02-01");
    const bad = expiry("--root", dir, "--today", "2031-01-01");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('expiry: Pulumi.dev.yaml: fitness-platform:egress.exceptions[0].expires: "someday" is not a date; allowed: YYYY-MM-DD\n');
    expect(expiry("--days=-1").stderr).toContain("allowed: a whole number of days");
    expect(expiry("--today", "2031-13-01").code).toBe(2);
  });

  it("reads this repository's own stack and policy configuration", () => {
    // Whether something expires soon depends on today's date; that the files are readable does not.
    const { code, stderr, stdout } = expiry("--root", ROOT);
    expect(stderr).toBe("");
    expect([0, 1]).toContain(code);
    expect(stdout).toMatch(/dated entr(y|ies) expires? within 7 days of \d{4}-\d{2}-\d{2}\n$/);
  });
});
