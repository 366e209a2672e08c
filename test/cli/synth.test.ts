import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSnapshot } from "../../src/offline/snapshot/reader";

/** `npm run synth` as a user runs it: real files, real exit codes, real output. */
const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURE = path.join(ROOT, "test", "fixtures", "mini");
let tmp: string;

interface Run {
  status: number | null;
  stdout: string;
  /** stderr without npm's own notices about the machine's npm configuration. */
  stderr: string[];
}

function synth(...args: string[]): Run {
  const child = spawnSync("npm", ["run", "--silent", "synth", "--", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
  const stderr = child.stderr.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("npm warn"));
  return { status: child.status, stdout: child.stdout, stderr };
}

function noStackTrace(run: Run): void {
  expect(run.stderr.filter((l) => /^\s+at /.test(l) || l.includes("node_modules"))).toEqual([]);
}

const runs: Record<string, Run> = {};

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cli-synth-"));
  runs.dev = synth("--stack", "dev", "--out", path.join(tmp, "dev-1"));
  runs.devAgain = synth("--stack", "dev", "--out", path.join(tmp, "dev-2"));
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(path.join(ROOT, "out", "test"), { recursive: true, force: true });
});

describe("npm run synth: success", () => {
  it("exits 0 and writes <out>/stack.json in the pulumi stack export format", () => {
    expect(runs.dev?.stderr).toEqual([]);
    expect(runs.dev?.status).toBe(0);
    const snapshot = readSnapshot(path.join(tmp, "dev-1", "stack.json"));
    expect(snapshot.version).toBe(3);
    expect(snapshot.deployment.resources.length).toBeGreaterThan(20);
    for (const r of snapshot.deployment.resources) expect(r.urn.startsWith("urn:pulumi:dev::fitness-platform::")).toBe(true);
  });

  it("prints a summary that matches the file: totals, by component, by type, warnings", () => {
    const snapshot = readSnapshot(path.join(tmp, "dev-1", "stack.json"));
    const cloud = snapshot.deployment.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    const out = runs.dev?.stdout ?? "";
    expect(out).toMatch(new RegExp(`^synth dev: ${cloud.length} cloud resources, \\d+ components, \\d+ providers$`, "m"));
    expect(out).toContain("resources by component:");
    expect(out).toContain("resources by type:");
    expect(out).toMatch(/^warnings: none$|^warnings \(\d+\):$/m);
    expect(out).toContain(`wrote ${path.relative(ROOT, path.join(tmp, "dev-1", "stack.json"))}`);
    const bucketLine = out.split("\n").find((l) => l.trim().startsWith("aws:s3/bucket:Bucket "));
    const buckets = cloud.filter((r) => r.type === "aws:s3/bucket:Bucket").length;
    expect(bucketLine?.trim().split(/\s+/).pop()).toBe(String(buckets));
  });

  it("writes byte-identical files on repeated runs (separate processes)", () => {
    expect(runs.devAgain?.status).toBe(0);
    const a = fs.readFileSync(path.join(tmp, "dev-1", "stack.json"));
    const b = fs.readFileSync(path.join(tmp, "dev-2", "stack.json"));
    expect(a.equals(b)).toBe(true);
  });

  it("writes the audit reports, the picture and the manifests, all byte-identical across runs", () => {
    const files = (dir: string) => (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
    const first = files(path.join(tmp, "dev-1"));
    for (const expected of ["audit.json", "audit.md", "audit.sarif", "architecture.dot", "architecture.svg"]) expect(first).toContain(expected);
    expect(first.filter((f) => f.startsWith("manifests/")).length).toBeGreaterThan(20);
    expect(files(path.join(tmp, "dev-2"))).toEqual(first);
    for (const f of first) {
      const same = fs.readFileSync(path.join(tmp, "dev-1", f)).equals(fs.readFileSync(path.join(tmp, "dev-2", f)));
      expect(same, f).toBe(true);
    }
    expect(runs.dev?.stdout).toMatch(/^wrote .*manifests\/ \(\d+ files\)$/m);
  });

  it("writes to out/<stack>/ by default", () => {
    const run = synth("--stack", "test", "--project", FIXTURE);
    expect(run.status).toBe(0);
    expect(fs.existsSync(path.join(ROOT, "out", "test", "stack.json"))).toBe(true);
    expect(run.stdout).toContain(`wrote ${path.join("out", "test", "stack.json")}`);
    // The fixture passes this literal through pulumi.secret: the file holds only its placeholder.
    expect(fs.readFileSync(path.join(ROOT, "out", "test", "stack.json"), "utf8")).not.toContain("fixture-known-secret-9c1f5e77");
  });
});

describe("npm run synth: configuration errors exit 2 with one-line errors", () => {
  it("an unknown stack", () => {
    const out = path.join(tmp, "qa");
    const run = synth("--stack", "qa", "--out", out);
    expect(run.status).toBe(2);
    expect(run.stderr).toEqual([`stack "qa": no Pulumi.qa.yaml in ${ROOT}; allowed: dev, prod`]);
    expect(fs.existsSync(out)).toBe(false);
  });

  it("a catalog given with --catalog that references an unknown service", () => {
    const catalog = path.join(tmp, "bad-catalog.yaml");
    const text = fs.readFileSync(path.join(ROOT, "src", "config", "catalog.yaml"), "utf8");
    const broken = text.replace(/^(\s+calls: \[)users\]$/m, "$1userz]");
    expect(broken).not.toBe(text);
    fs.writeFileSync(catalog, broken);
    const out = path.join(tmp, "bad-catalog-out");
    const run = synth("--stack", "dev", "--catalog", catalog, "--out", out);
    expect(run.status).toBe(2);
    expect(run.stderr.length).toBeGreaterThan(0);
    for (const line of run.stderr) expect(line.startsWith('stack "dev": ')).toBe(true);
    expect(run.stderr.some((l) => l.includes(catalog) && l.includes('"userz"'))).toBe(true);
    noStackTrace(run);
    expect(fs.existsSync(out)).toBe(false);
  });

  it("a ConfigError thrown by the program: its lines only", () => {
    const run = synth("--stack", "bad", "--project", FIXTURE, "--out", path.join(tmp, "bad"));
    expect(run.status).toBe(2);
    expect(run.stderr).toEqual(['stack "bad": mini:size: 42: allowed: 1..10', 'stack "bad": second line for the test']);
  });

  it("a usage mistake", () => {
    const run = synth("--out", path.join(tmp, "nostack"));
    expect(run.status).toBe(2);
    expect(run.stderr[0]).toBe("synth: --stack is required");
    expect(synth("--stack", "dev", "--config", "oops").status).toBe(2);
    const badDay = synth("--stack", "dev", "--today", "04.12.2026", "--out", path.join(tmp, "badday"));
    expect(badDay.status).toBe(2);
    expect(badDay.stderr[0]).toBe('synth: --today "04.12.2026" is not allowed; allowed: a date YYYY-MM-DD');
    expect(fs.existsSync(path.join(tmp, "badday"))).toBe(false);
  });
});

describe("npm run synth: internal faults exit 3 with a clear message and the invitation to --verbose", () => {
  it("the program throws", () => {
    const out = path.join(tmp, "broken");
    const run = synth("--stack", "broken", "--project", FIXTURE, "--out", out);
    expect(run.status).toBe(3);
    expect(run.stderr[0]).toBe('synth: stack "broken": internal error: the fixture exploded on purpose');
    expect(run.stderr.at(-1)).toMatch(/--verbose/);
    noStackTrace(run);
    expect(fs.existsSync(out)).toBe(false);
  });

  it("the program leaks a secret: nothing is written", () => {
    const out = path.join(tmp, "leak");
    const run = synth("--stack", "leak", "--project", FIXTURE, "--out", out);
    expect(run.status).toBe(3);
    expect(run.stderr.join("\n")).toMatch(/a secret value would be written in plain text at urn:pulumi:leak::mini::aws:ec2\/vpc:Vpc::leaky/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it("an output directory that cannot be written is the user's input: exit 2, before any work", () => {
    const blocker = path.join(tmp, "a-file");
    fs.writeFileSync(blocker, "not a directory");
    const run = synth("--stack", "test", "--project", FIXTURE, "--out", path.join(blocker, "out"));
    expect(run.status).toBe(2);
    expect(run.stderr).toEqual([`--out ${path.join(blocker, "out")}: ${blocker} is not a directory`]);
  });
});
