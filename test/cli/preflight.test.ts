/**
 * `npm run preflight` end to end: the whole command in-process against a recorded account (no request
 * leaves the process: every SDK client is replaced by aws-sdk-client-mock, DNS by recorded answers),
 * the real program synthesized for what the stack creates; and as a user runs it, for the exits that
 * need no account (bad arguments, bad config, no credentials).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readYamlFile, renderYaml } from "../../src/config/yaml-reader";
import { runPreflight } from "../../src/preflight/cli";
import { COMMAND_ACTIONS, preflightPolicyDocument } from "../../src/preflight/permissions";
import { type Recording, recordedDns, replay, type SentCommand } from "../unit/preflight/recorded";

const ROOT = path.resolve(__dirname, "..", "..");
const RECORDING = JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/preflight/prod-account.json"), "utf8")) as Recording;
const NOW = new Date("2026-12-03T12:00:00Z");

interface Report {
  stack: string;
  account: string;
  region: string;
  checks: string[];
  summary: { errors: number; warnings: number };
  findings: Array<{ severity: string; check: string; problem: string; action: string; line: string }>;
}

describe("preflight against a recorded prod account", () => {
  let code: number;
  let stdout = "";
  let stderr = "";
  let sent: SentCommand[] = [];
  let report: Report;

  beforeAll(async () => {
    const mocks = replay(RECORDING);
    try {
      code = await runPreflight(["--stack", "prod", "--format", "json"], {
        dns: recordedDns(RECORDING),
        now: NOW,
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
      });
      sent = mocks.sent();
    } finally {
      mocks.restore();
    }
    report = JSON.parse(stdout) as Report;
  });

  it("exits 1 with the account's findings, and nothing on stderr", () => {
    expect(stderr).toBe("");
    expect(code).toBe(1);
    expect(report).toMatchObject({ stack: "prod", account: "222222222222", region: "eu-central-1" });
    expect(report.summary.errors).toBe(report.findings.filter((f) => f.severity === "error").length);
  });

  it("finds each fault the recorded account has, one line each in the documented form", () => {
    const lines = report.findings.map((f) => f.line);
    const expected = [
      /^stack "prod": dns: fitness\.example\.com is not delegated: public DNS has no NS records for it.*; add NS records for fitness\.example\.com/,
      /^stack "prod": images: ECR repository fitness-platform\/mirror\/fluent-bit holds no image sha256:[0-9a-f]{64} .*; run the mirror job/,
      /^stack "prod": endpoints: endpoint service com\.amazonaws\.eu-central-1\.email-smtp is not offered in eu-central-1c/,
      /^stack "prod": service-linked-roles: service-linked role AWSServiceRoleForConfig does not exist, and security-config-recorder name it/,
      /^stack "prod": ses: the account is in the SES sandbox in eu-central-1/,
      /^stack "prod": buckets: bucket name fitness-platform-prod-logs-app-222222222222 is taken by another account/,
      /^stack "prod": placeholders: fitness-platform:edge\.domainName = api\.fitness\.example\.com uses the reserved domain example\.com/,
      /^stack "prod": placeholders: fitness-platform:messaging\.operationsEmails\[0\] = platform-ops@fitness\.example\.com uses the reserved domain example\.com/,
    ];
    for (const pattern of expected) expect(lines.some((l) => pattern.test(l)), `no finding matches ${pattern}`).toBe(true);
  });

  it("finds nothing where the recorded account is fine", () => {
    const quiet = ["account", "amis", "charts", "packages", "quotas", "eks"];
    expect(report.findings.filter((f) => quiet.includes(f.check))).toEqual([]);
    expect(report.checks).toEqual(expect.arrayContaining([...quiet, "dns", "images", "endpoints", "service-linked-roles", "ses", "buckets", "placeholders"]));
  });

  it("lists errors before warnings", () => {
    const severities = report.findings.map((f) => f.severity);
    expect(severities).toEqual([...severities].sort((a, b) => (a === b ? 0 : a === "error" ? -1 : 1)));
  });

  it("sends only commands the shipped policy grants, and only read-only ones", () => {
    const granted = new Set(preflightPolicyDocument().Statement.flatMap((s) => (typeof s.Action === "string" ? [s.Action] : [...s.Action])));
    expect(sent.length).toBeGreaterThan(40);
    for (const s of sent) {
      const action = COMMAND_ACTIONS[`${s.client}:${s.command}`];
      expect(action, `${s.client}:${s.command} has no IAM action`).toBeDefined();
      expect(granted.has(action ?? "")).toBe(true);
    }
    for (const action of granted) expect(action).toMatch(/^[a-z0-9-]+:(Get|Describe|List|Head)[A-Za-z]*$|^s3:ListBucket$/);
  });

  it("every SDK command in the preflight source is mapped to an action (paths the recording does not take too)", () => {
    const files = fs.readdirSync(path.join(ROOT, "src/preflight"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const used = new Set(files.flatMap((f) => [...fs.readFileSync(path.join(ROOT, "src/preflight", f), "utf8").matchAll(/new (\w+Command)\(/g)].map((m) => m[1])));
    const mapped = new Set(Object.keys(COMMAND_ACTIONS).map((k) => k.split(":")[1]));
    expect([...used].filter((c) => !mapped.has(c))).toEqual([]);
    expect(used.size).toBeGreaterThanOrEqual(17);
  });
});

describe("preflight as a user runs it", () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cli-preflight-"));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function preflight(args: string[], env: Record<string, string | undefined> = {}) {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
    const child = spawnSync("npm", ["run", "--silent", "preflight", "--", ...args], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...base, FORCE_COLOR: "0", AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: path.join(tmp, "none"), AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, "none"), ...env },
    });
    return { status: child.status, stdout: child.stdout, stderr: child.stderr.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("npm warn")) };
  }

  it("no usable credentials: exit 2, one line, no stack trace, no SDK notice", () => {
    const run = preflight(["--stack", "dev"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toEqual([expect.stringMatching(/^preflight: stack "dev": no usable AWS credentials \(CredentialsProviderError: .*\); log in/)]);
  });

  it("bad arguments: exit 2 with one line and the usage", () => {
    expect(preflight([])).toMatchObject({ status: 2, stderr: ["preflight: --stack is required", expect.stringMatching(/^usage: npm run preflight -- --stack <name>/)] });
    expect(preflight(["--stack", "prod", "--format", "xml"])).toMatchObject({ status: 2, stderr: ["preflight: --format xml: allowed: text, json"] });
    expect(preflight(["--stack", "prod", "--region", "mars"])).toMatchObject({ status: 2, stderr: ["preflight: --region mars: allowed: an AWS region name such as eu-central-1"] });
    expect(preflight(["--stack", "staging"])).toMatchObject({ status: 2, stderr: [expect.stringMatching(/^stack "staging": no Pulumi\.staging\.yaml in .*; allowed: dev, prod$/)] });
  });

  it("bad configuration: exit 2 with the same one-line errors as synth, before asking AWS anything", () => {
    const project = path.join(tmp, "project");
    fs.mkdirSync(project);
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    fs.symlinkSync(path.join(ROOT, "src"), path.join(project, "src"));
    const doc = readYamlFile(path.join(ROOT, "Pulumi.dev.yaml")) as { config: Record<string, Record<string, unknown>> };
    (doc.config["fitness-platform:cluster"] as Record<string, unknown>).kubernetesVersion = "1.20";
    fs.writeFileSync(path.join(project, "Pulumi.dev.yaml"), renderYaml(doc));
    const run = preflight(["--stack", "dev", "--project", project]);
    expect(run.status).toBe(2);
    expect(run.stderr).toEqual([expect.stringMatching(/^stack "dev": fitness-platform:cluster\.kubernetesVersion = "1\.20": allowed: /)]);
    const synth = spawnSync("npm", ["run", "--silent", "synth", "--", "--stack", "dev", "--project", project, "--out", path.join(tmp, "out")], { cwd: ROOT, encoding: "utf8" });
    expect(synth.stderr.split("\n").filter((l) => l.startsWith("stack "))).toEqual(run.stderr);
  });
});
