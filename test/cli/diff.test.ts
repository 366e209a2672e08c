import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderArchitecture } from "../../src/offline/picture";
import { readSnapshot } from "../../src/offline/snapshot/reader";

const ROOT = path.join(__dirname, "..", "..");
const FIXTURES = path.join(ROOT, "test", "fixtures", "diff");
const BASE = path.join(FIXTURES, "base.json");
const HEAD = path.join(FIXTURES, "head.json");
const work = mkdtempSync(path.join(tmpdir(), "fp-diff-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface SnapshotDiffJson {
  readonly counts: Record<"remove" | "replace" | "update" | "add" | "same", number>;
  readonly warnings: { rule: string; message: string }[];
}

/** `npm run diff -- ...` as a user runs it: the script through tsx, in the repository root. */
function diff(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [require.resolve("tsx/cli"), "src/offline/cli/diff.ts", ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run diff", () => {
  it("prints the Markdown review and exits 0, warnings or not", () => {
    const { code, stdout, stderr } = diff("--base", BASE, "--head", HEAD);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^## Infrastructure diff: `dev`/);
    expect(stdout).toContain("> [!CAUTION]");
    expect(stdout).toContain("destroys data volume `purchase-history-data`");
  });

  it("prints JSON with --format json", () => {
    const { code, stdout } = diff("--base", BASE, "--head", HEAD, "--format", "json");
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { counts: Record<string, number>; warnings: unknown[] };
    expect(parsed.counts).toMatchObject({ remove: 3, replace: 1, update: 5, add: 2 });
    expect(parsed.warnings).toHaveLength(6);
  });

  it("audits base and head with the policy pack, unless --no-audit", () => {
    type Policy = { evaluated: boolean; introduced: { policy: string; urn?: string }[] };
    const audited = JSON.parse(diff("--base", BASE, "--head", HEAD, "--format", "json").stdout) as { policy: Policy };
    expect(audited.policy.evaluated).toBe(true);
    // The new queue has no dead-letter queue: the pack's messaging rules must flag it, and only in head.
    expect(audited.policy.introduced.some((f) => f.urn?.endsWith("::shop-events"))).toBe(true);
    const skipped = JSON.parse(diff("--base", BASE, "--head", HEAD, "--format", "json", "--no-audit").stdout) as { policy: Policy };
    expect(skipped.policy).toEqual({ evaluated: false, introduced: [], resolved: [], unchanged: 0 });
  });

  it("writes to --out and prints a one-line summary", () => {
    const out = path.join(work, "nested", "diff.md");
    const { code, stdout } = diff("--base", BASE, "--head", HEAD, "--out", out, "--heading-level", "3");
    expect(code).toBe(0);
    expect(stdout).toBe(`diff dev: 3 to delete, 1 to replace, 5 to update, 2 to create; 6 warning(s); written to ${out}\n`);
    expect(readFileSync(out, "utf8")).toMatch(/^### Infrastructure diff/);
  });

  it("exits 2 with one line naming an unreadable input", () => {
    const missing = path.join(work, "missing.json");
    const notJson = path.join(work, "broken.json");
    writeFileSync(notJson, "{ not json");
    const notExport = path.join(work, "v1.json");
    writeFileSync(notExport, JSON.stringify({ version: 1, deployment: { resources: [] } }));
    for (const [bad, args] of [
      [missing, ["--base", missing, "--head", HEAD]],
      [notJson, ["--base", BASE, "--head", notJson]],
      [notExport, ["--base", notExport, "--head", HEAD]],
    ] as const) {
      const { code, stdout, stderr } = diff(...args);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(stderr).toContain(bad);
    }
  });

  it("reads a real synth: the same snapshot twice is no change, a first synth is all creations, the picture draws it", async () => {
    const out = path.join(work, "synth-dev");
    const synth = spawnSync(process.execPath, [require.resolve("tsx/cli"), "src/offline/cli/synth.ts", "--stack", "dev", "--out", out], { cwd: ROOT, encoding: "utf8" });
    expect(synth.status).toBe(0);
    const snapshot = path.join(out, "stack.json");
    // Where the program declares each resource, as the engine records it (SARIF locates findings there).
    const host = readSnapshot(snapshot).deployment.resources.find((r) => r.type === "aws:ec2/instance:Instance" && r.urn.includes("DatabaseHost"));
    expect(host?.sourcePosition).toMatch(/^project:\/\/\/src\/databases\/database-host\.ts#\d+,\d+$/);
    const same = JSON.parse(diff("--base", snapshot, "--head", snapshot, "--format", "json", "--no-audit").stdout) as SnapshotDiffJson;
    expect(same.counts).toMatchObject({ remove: 0, replace: 0, update: 0, add: 0 });
    expect(same.warnings).toEqual([]);
    const empty = path.join(work, "empty.json");
    writeFileSync(empty, JSON.stringify({ version: 3, deployment: { manifest: { time: "", magic: "", version: "" }, resources: [] } }));
    const first = JSON.parse(diff("--base", empty, "--head", snapshot, "--format", "json", "--no-audit").stdout) as SnapshotDiffJson;
    expect(first.counts.add).toBe(same.counts.same);
    // The DMZ's route to the internet gateway is exposure a first deployment adds.
    expect(first.warnings.some((w) => w.rule === "internet-route" && w.message.includes("(zone dmz)"))).toBe(true);

    // The picture of the same snapshot: every zone, and every service workload the program has so far.
    const picture = await renderArchitecture(readSnapshot(snapshot));
    for (const zone of ["dmz", "app", "data"]) expect(picture.svg).toContain(`<title>cluster_zone_${zone}</title>`);
    const namespace = (r: { inputs?: Record<string, unknown> }) => (r.inputs?.metadata as { namespace?: string } | undefined)?.namespace ?? "";
    const workloads = readSnapshot(snapshot)
      .deployment.resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment")
      .filter((r) => !["kube-system", "kube-public", "kube-node-lease"].includes(namespace(r)));
    const drawn = picture.model.nodes.filter((n) => n.kind === "service" || n.kind === "gateway" || n.kind === "log-shipper");
    expect(drawn.flatMap((n) => n.urns)).toEqual(expect.arrayContaining(workloads.map((w) => w.urn)));
  });

  it("exits 2 on wrong arguments, saying what is allowed", () => {
    expect(diff("--base", BASE).stderr).toContain("--base and --head are required");
    const format = diff("--base", BASE, "--head", HEAD, "--format", "html");
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("allowed: md, text, json");
    expect(diff("--base", BASE, "--head", HEAD, "--colour").code).toBe(2);
  });

  it("prints plain text for a terminal with --format text: verdict first, no Markdown", () => {
    const { code, stdout } = diff("--base", BASE, "--head", HEAD, "--format", "text", "--no-audit");
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines.slice(0, 3)).toEqual(["Infrastructure diff: dev", "Policy: not evaluated.", "3 to delete, 1 to replace, 5 to update, 2 to create, 98 unchanged"]);
    expect(stdout).toContain("! critical data: destroys data volume purchase-history-data");
    expect(stdout).toContain("instanceType: \"m7i.large\" => \"m7i.xlarge\"");
    expect(stdout).not.toMatch(/\*\*|<details>|\| ---/);
  });
});

describe("every command answers --help with its usage and exit 0", () => {
  it.each(["synth", "audit", "diff", "expiry"])("%s --help", (command) => {
    const result = spawnSync(process.execPath, [require.resolve("tsx/cli"), `src/offline/cli/${command}.ts`, "--help"], { cwd: ROOT, encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^usage: npm run ${command} --`));
    expect(result.stderr).toBe("");
  });
});
