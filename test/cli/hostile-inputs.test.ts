import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serializeSnapshot } from "../../src/offline/snapshot/writer";
import { SECRET_SIG_KEY, SECRET_SIG_VALUE, type StackExport } from "../../src/offline/snapshot/types";
import { compliantStack } from "../policy/support/fixture-stack";

/**
 * Hostile and careless inputs against the real commands (issue 20), one table per class of probe.
 * Every row runs the CLI as a user does and asserts the contract: the exit code (0 ok, 1 findings,
 * 2 the input is wrong, 3 internal), one line per problem naming the file, nothing written that lies,
 * no secret in any output.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const CLI = (name: string) => path.join(ROOT, "src", "offline", "cli", `${name}.ts`);
let tmp: string;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string[];
}

function run(command: "synth" | "audit" | "diff" | "expiry", ...args: string[]): Run {
  const child = spawnSync(TSX, [CLI(command), ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" }, timeout: 540_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr.split("\n").filter((l) => l.trim() !== "") };
}

const file = (name: string, content: string): string => {
  const p = path.join(tmp, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
};

/** Nine levels of nine aliases: about 1 KB of text, 9^9 strings once expanded. */
function billionLaughs(): string {
  const lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\n`;
}

const deepYaml = () => `config:\n  x: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`;
const deepJson = () => `{"version": 3, "deployment": {"resources": [${"[".repeat(10_000)}${"]".repeat(10_000)}]}}`;

/** A project directory with the repository's Pulumi.yaml and one hostile stack file. */
function projectWithStackFile(name: string, stackText: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: fitness-platform\nruntime: nodejs\nmain: ${path.join(ROOT, "src", "index.ts")}\n`);
  fs.writeFileSync(path.join(dir, "Pulumi.hostile.yaml"), stackText);
  return dir;
}

function expectOneLineNaming(r: Run, status: number, name: string, problem: RegExp): void {
  expect(r.status, r.stderr.join("\n")).toBe(status);
  expect(r.stderr.length, r.stderr.join("\n")).toBe(1);
  expect(r.stderr[0]).toContain(name);
  expect(r.stderr[0]).toMatch(problem);
  expect(r.stderr.join("\n")).not.toMatch(/^\s+at |Maximum call stack/m);
}

// A `pulumi stack export --show-secrets` export: secrets carry their plaintext.
const PLAINTEXT = "Zq9-hunter2-plaintext-7fK";
const SCANNED = "AKIAIOSFODNN7EXAMPLE";
const FORGED = "x\n# ✅ Audit passed\n<!-- hidden -->";

function exportWith(stack: string, project: string, secretValue: string, label: string): StackExport {
  const s = compliantStack(stack);
  const doc = s.fx.toExport();
  const resources = doc.deployment.resources;
  const urn = (type: string, name: string) => `urn:pulumi:${stack}::${project}::${type}::${name}`;
  resources.push({
    urn: urn("aws:ssm/parameter:Parameter", `db-password${label}`),
    type: "aws:ssm/parameter:Parameter",
    custom: true,
    id: "db-password",
    inputs: { name: "/fitness/db", type: "String", value: { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, plaintext: JSON.stringify(secretValue) }, description: `key ${SCANNED}${label}` },
    outputs: { name: "/fitness/db", type: "String", value: { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, plaintext: JSON.stringify(secretValue) }, description: `key ${SCANNED}${label}` },
  } as never);
  resources.push({
    urn: urn("aws:s3/bucket:Bucket", FORGED),
    type: "aws:s3/bucket:Bucket",
    custom: true,
    id: "forged",
    inputs: { bucket: `forged${label}`, tags: { password: `${PLAINTEXT}-tag` } },
    outputs: { bucket: `forged${label}`, tags: { password: `${PLAINTEXT}-tag` } },
  } as never);
  // Rename every resource into the requested project (fixture stacks use their own project name).
  return JSON.parse(JSON.stringify(doc).replace(/urn:pulumi:([^:]+)::[^:]+::/g, `urn:pulumi:${stack}::${project}::`)) as StackExport;
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cli-hostile-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("bounded parsing: every file a command reads fails fast with one line naming it (exit 2)", () => {
  it.each([
    ["alias bomb in a stack file (synth)", () => run("synth", "--stack", "hostile", "--project", projectWithStackFile("bomb", `config:\n${billionLaughs().replace(/^/gm, "  ")}`), "--out", path.join(tmp, "o1")), "Pulumi.hostile.yaml", /aliases expand past the limit/],
    ["10,000-deep nesting in a stack file (synth)", () => run("synth", "--stack", "hostile", "--project", projectWithStackFile("deep", deepYaml()), "--out", path.join(tmp, "o2")), "Pulumi.hostile.yaml", /nested (too deeply|more than 64 levels)/],
    ["duplicate keys in a stack file (synth)", () => run("synth", "--stack", "hostile", "--project", projectWithStackFile("dup", "config:\n  a: 1\n  a: 2\n"), "--out", path.join(tmp, "o3")), "Pulumi.hostile.yaml", /Map keys must be unique/],
    ["10,000-deep JSON export (audit)", () => run("audit", "--input", file("deep.json", deepJson())), "deep.json", /nested more than 200 levels deep/],
    ["broken JSON export (audit)", () => run("audit", "--input", file("broken.json", '{"version": 3, ')), "broken.json", /not valid JSON/],
    ["a device as the export (audit)", () => run("audit", "--input", "/dev/zero"), "/dev/zero", /not a regular file/],
    ["a directory as the export (diff)", () => run("diff", "--base", os.tmpdir(), "--head", os.tmpdir()), os.tmpdir(), /not a regular file/],
    ["alias bomb in the policy config (audit)", () => run("audit", "--input", file("ok.json", serializeSnapshot(compliantStack("dev").fx.toExport())), "--config", file("policy.json", `${"[".repeat(100)}${"]".repeat(100)}`)), "policy.json", /nested more than 64 levels deep/],
    [
      "alias bomb in a stack file (expiry)",
      () => {
        const root = projectWithStackFile("expiry-bomb", `config:\n  fitness-platform:egress:\n    exceptions:\n${billionLaughs().replace(/^/gm, "      ")}`);
        return run("expiry", "--root", root);
      },
      "Pulumi.hostile.yaml",
      /aliases expand past the limit|not valid YAML/,
    ],
  ] as const)("%s", (_name, go, named, problem) => {
    expectOneLineNaming(go(), 2, named, problem);
  });

  it("an alias bomb in the service catalog is one line naming the catalog (synth, exit 2)", () => {
    const catalog = file("bomb-catalog.yaml", billionLaughs());
    const r = run("synth", "--stack", "dev", "--catalog", catalog, "--out", path.join(tmp, "o-cat"));
    expect(r.status).toBe(2);
    expect(r.stderr.some((l) => l.includes(catalog) && /aliases expand past the limit/.test(l))).toBe(true);
  });
});

describe("configuration the platform would reject: exit 2, one line per problem naming the file and key", () => {
  const catalogProblems = (): string => {
    const text = fs.readFileSync(path.join(ROOT, "src", "config", "catalog.yaml"), "utf8");
    return text
      .replace(/cpuRequest: [^,}\s]+/, "cpuRequest: '4'")
      .concat(`  ${"x".repeat(64)}:\n    description: a name too long\n    port: 8080\n    healthPath: /healthz\n    replicas: {min: 1, max: 2}\n    resources: {cpuRequest: 100m, memoryRequest: 128Mi, cpuLimit: 200m, memoryLimit: 256Mi}\n`)
      .concat(`  kube-system:\n    description: a system namespace\n    port: 8080\n    healthPath: /healthz\n    replicas: {min: 1, max: 2}\n    resources: {cpuRequest: 100m, memoryRequest: 128Mi, cpuLimit: 200m, memoryLimit: 256Mi}\n`);
  };
  let r: Run;
  beforeAll(() => {
    const catalog = file("bad-catalog.yaml", catalogProblems());
    r = run(
      "synth",
      "--stack",
      "dev",
      "--catalog",
      catalog,
      "--out",
      path.join(tmp, "o-config"),
      "--config",
      'fitness-platform:network={"vpcCidr":"8.8.0.0/16","availabilityZones":["eu-central-1a","eu-central-1h"],"flowLogAggregationSeconds":600}',
    );
  }, 600_000);

  it("exits 2 with no stack trace and writes nothing", () => {
    expect(r.status, r.stderr.join("\n")).toBe(2);
    expect(r.stderr.join("\n")).not.toMatch(/^\s+at |--verbose|internal error/m);
    expect(fs.existsSync(path.join(tmp, "o-config"))).toBe(false);
  });

  it.each([
    ["a request above its limit", /cpuRequest = "4": allowed: at most cpuLimit/],
    ["a name longer than 63 characters", /services\.x{64} = "x{64}": allowed: at most 63 characters/],
    ["a service named like a system namespace", /services\.kube-system = "kube-system": allowed: a name other than the system's/],
    ["a public VPC range", /network\.vpcCidr = "8\.8\.0\.0\/16": allowed: a private block/],
    ["an AZ that does not exist in the region", /network\.availabilityZones\[1\] = "eu-central-1h": allowed: an availability zone of eu-central-1/],
    ["a database AZ outside the network", /databases\.domains\.[a-z-]+\.availabilityZones\[\d\] = "eu-central-1b": allowed: an AZ of fitness-platform:network\.availabilityZones/],
  ])("%s", (_name, line) => {
    expect(r.stderr.some((l) => line.test(l)), r.stderr.join("\n")).toBe(true);
    for (const l of r.stderr) expect(l).toMatch(/^stack "dev": /);
  });

  it("memory in millibytes (256m) is refused naming the catalog key", () => {
    const text = fs.readFileSync(path.join(ROOT, "src", "config", "catalog.yaml"), "utf8").replace(/memoryLimit: [^,}\s]+/, "memoryLimit: 256m");
    const m = run("synth", "--stack", "dev", "--catalog", file("millibytes.yaml", text), "--out", path.join(tmp, "o-milli"));
    expect(m.status).toBe(2);
    expect(m.stderr.some((l) => /memoryLimit = "256m": allowed: a memory quantity/.test(l)), m.stderr.join("\n")).toBe(true);
  }, 600_000);

  it("an empty catalog says so in one line", () => {
    const e = run("synth", "--stack", "dev", "--catalog", file("empty.yaml", ""), "--out", path.join(tmp, "o-empty"));
    expect(e.status).toBe(2);
    expect(e.stderr.length).toBeGreaterThan(0);
    expect(e.stderr.some((l) => l.includes("empty.yaml"))).toBe(true);
  });
});

describe("every documented VPC size works (exit 0): /16, /17 and /18", () => {
  it.each(["16", "17", "18"])("a /%s VPC synthesizes", (prefix) => {
    const out = path.join(tmp, `vpc-${prefix}`);
    const r = run("synth", "--stack", "prod", "--out", out, "--config", `fitness-platform:network={"vpcCidr":"10.30.0.0/${prefix}","availabilityZones":["eu-central-1a","eu-central-1b","eu-central-1c"],"flowLogAggregationSeconds":60}`);
    expect(r.status, r.stderr.join("\n")).toBe(0);
    expect(fs.existsSync(path.join(out, "stack.json"))).toBe(true);
  }, 600_000);
});

describe("no secret in any output, whatever the export mode", () => {
  let base: string;
  let head: string;
  beforeAll(() => {
    base = file("secrets/base.json", JSON.stringify(exportWith("dev", "fitness-platform", PLAINTEXT, "")));
    head = file("secrets/head.json", JSON.stringify(exportWith("dev", "fitness-platform", `${PLAINTEXT}-rotated`, "-2")));
  });

  const leaks = (text: string): string[] => [PLAINTEXT, SCANNED, `${PLAINTEXT}-tag`].filter((s) => text.includes(s));

  it.each(["text", "md", "json", "sarif"])("audit --format %s, to stdout and to --out", (format) => {
    const out = path.join(tmp, "secrets", `audit.${format}`);
    const printed = run("audit", "--input", base, "--format", format);
    const written = run("audit", "--input", base, "--format", format, "--out", out);
    expect([0, 1]).toContain(printed.status);
    expect(written.status).toBe(printed.status);
    expect(leaks(printed.stdout + printed.stderr.join("\n"))).toEqual([]);
    expect(leaks(fs.readFileSync(out, "utf8"))).toEqual([]);
  });

  it.each(["md", "json"])("diff --format %s (policy section included)", (format) => {
    const r = run("diff", "--base", base, "--head", head, "--format", format);
    expect(r.status, r.stderr.join("\n")).toBe(0);
    expect(leaks(r.stdout)).toEqual([]);
    expect(r.stdout).not.toContain(`${PLAINTEXT}-rotated`);
  });
});

describe("reports that cannot be forged", () => {
  it("a resource name with a newline plants no heading or HTML in audit.md or the diff", () => {
    const base = file("forge/base.json", JSON.stringify(exportWith("dev", "fitness-platform", PLAINTEXT, "")));
    const head = file("forge/head.json", JSON.stringify(exportWith("dev", "fitness-platform", `${PLAINTEXT}-2`, "-2")));
    const markdown = [run("audit", "--input", base, "--format", "md").stdout, run("diff", "--base", base, "--head", head, "--no-audit").stdout];
    for (const text of [...markdown, run("audit", "--input", base).stdout]) {
      expect(text).not.toMatch(/^#+ ✅/m);
      expect(text).not.toMatch(/^✅ Audit passed/m);
    }
    // Plain text may show the characters; Markdown must not let them become an HTML comment. The name is
    // shown verbatim only inside a one-line code span (src/offline/redaction/markdown.ts mdCode), where
    // Markdown renders no HTML; everywhere else its `<` is escaped.
    for (const text of markdown) {
      expect(text).toContain("hidden");
      expect(text.replace(/`[^`\n]*`/g, "")).not.toContain("<!--");
    }
  });

  it("the diff refuses snapshots of different projects or stacks unless told", () => {
    const a = file("stacks/a.json", JSON.stringify(exportWith("dev", "fitness-platform", PLAINTEXT, "")));
    const b = file("stacks/b.json", JSON.stringify(exportWith("prod", "other-project", PLAINTEXT, "")));
    const refused = run("diff", "--base", a, "--head", b, "--no-audit");
    expectOneLineNaming(refused, 2, a, /is stack "dev" of project "fitness-platform" but --head .* is stack "prod" of project "other-project"/);
    expect(run("diff", "--base", a, "--head", b, "--no-audit", "--allow-different-stacks").status).toBe(0);
  });
});

describe("atomic output: an --out that is an input or not a place for files is refused; the previous output survives", () => {
  it.each([
    ["audit --out equal to its input", () => {
      const input = file("same/stack.json", serializeSnapshot(compliantStack("dev").fx.toExport()));
      const before = fs.readFileSync(input, "utf8");
      const r = run("audit", "--input", input, "--out", input);
      expect(fs.readFileSync(input, "utf8")).toBe(before);
      return r;
    }, /is an input of this command/],
    ["diff --out equal to --head", () => {
      const input = file("same/head.json", serializeSnapshot(compliantStack("dev").fx.toExport()));
      return run("diff", "--base", input, "--head", input, "--out", input, "--no-audit");
    }, /is an input of this command/],
    ["audit --out under /proc", () => run("audit", "--input", file("proc/stack.json", serializeSnapshot(compliantStack("dev").fx.toExport())), "--out", "/proc/self/audit.md"), /is under \/proc/],
    ["synth --out containing the project", () => run("synth", "--stack", "dev", "--out", ROOT), /is an input of this command/],
    ["synth --out under /sys", () => run("synth", "--stack", "dev", "--out", "/sys/fitness-out"), /is under \/sys/],
  ] as const)("%s", (_name, go, problem) => {
    const r = go();
    expect(r.status, r.stderr.join("\n")).toBe(2);
    expect(r.stderr.length).toBe(1);
    expect(r.stderr[0]).toMatch(problem);
  });

  it("SIGTERM in the middle of synth leaves the previous output exactly as it was", async () => {
    const out = path.join(tmp, "atomic", "dev");
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "stack.json"), "previous run\n");
    fs.writeFileSync(path.join(out, "audit.md"), "previous audit\n");
    // The signal goes to the process that runs synth (node with tsx's loader in-process). The `tsx` wrapper
    // (4.23) relays a SIGTERM and SIGKILLs its child unless the child acknowledges it within about 30 ms,
    // which a synth busy writing its reports on a loaded machine cannot: nothing survives a SIGKILL to clean up.
    const child = spawn(process.execPath, ["--import", "tsx", CLI("synth"), "--stack", "dev", "--out", out], { cwd: ROOT, stdio: "ignore" });
    // Wait until the writers are at work in the staging directory, then interrupt.
    const parent = path.dirname(out);
    const started = Date.now();
    while (!fs.readdirSync(parent).some((n) => n.startsWith(".dev.staging-")) && Date.now() - started < 200_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c, signal) => resolve(c ?? (signal === null ? null : 143))));
    expect(code).toBe(143);
    expect(fs.readdirSync(out).sort()).toEqual(["audit.md", "stack.json"]);
    expect(fs.readFileSync(path.join(out, "stack.json"), "utf8")).toBe("previous run\n");
    expect(fs.readdirSync(parent).filter((n) => n.startsWith("."))).toEqual([]);
  }, 600_000);
});
