import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Synth no longer runs with `--enable-source-maps`; the engine maps stacks itself while the program
 * runs (src/offline/engine/source-mapped-stacks.ts). The SDK takes each resource's sourcePosition from
 * such a stack, so the text must equal Node's own mapping frame for frame: the same probe runs once
 * under Node's flag and once under the engine's hook, and the stacks are compared whole.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const HOOK = path.join(ROOT, "dist", "src", "offline", "engine", "source-mapped-stacks.js");

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";

export class Registrar {
  constructor(readonly name: string) {}
  positions(): string {
    return JSON.stringify(pulumi.Resource.callsites());
  }
  stack(): string {
    return new Error("probe").stack ?? "";
  }
}

function nested(depth: number, f: () => string): string {
  return depth === 0 ? [1].map(() => f())[0] ?? "" : nested(depth - 1, f);
}

export const run = (): string[] => {
  const r = new Registrar("r");
  let nodeError = "";
  try {
    require("node:util").promisify(1);
  } catch (e) {
    nodeError = (e as Error).stack ?? "";
  }
  return [nested(3, () => r.stack()), nested(2, () => r.positions()), nodeError];
};
`;

const PROBE = `
const mode = process.argv[2];
Error.stackTraceLimit = Infinity;
if (mode === "engine") require(${JSON.stringify(HOOK)}).mapStacksWhileRunning();
const files = process.argv.slice(3);
const out = [];
for (const f of files) out.push(...require(f).run());
process.stdout.write(JSON.stringify(out));
`;

let dir: string;

function compile(name: string, inline: boolean): string {
  const out = ts.transpileModule(PROGRAM, {
    fileName: path.join(dir, `${name}.ts`),
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, sourceMap: !inline, inlineSourceMap: inline, esModuleInterop: true },
  });
  const js = path.join(dir, `${name}.js`);
  fs.writeFileSync(js, out.outputText);
  if (out.sourceMapText !== undefined) fs.writeFileSync(`${js}.map`, out.sourceMapText);
  return js;
}

function probe(mode: "node" | "engine", files: string[]): string[] {
  const args = [...(mode === "node" ? ["--enable-source-maps"] : []), path.join(dir, "probe.js"), mode, ...files];
  const child = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules") } });
  expect(child.stderr).toBe("");
  return JSON.parse(child.stdout) as string[];
}

describe("the engine's stack mapping equals --enable-source-maps", () => {
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "source-mapped-stacks-"));
    fs.writeFileSync(path.join(dir, "probe.js"), PROBE);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("maps program frames (map file and inline map), SDK frames and Node's own errors identically", () => {
    const files = [compile("beside", false), compile("inline", true)];
    const native = probe("node", files);
    const engine = probe("engine", files);
    expect(engine).toEqual(native);
    // The probe would prove nothing if nothing were mapped: the program frames name the TypeScript files,
    // the SDK's name its own TypeScript sources, and the Node error keeps its code.
    expect(native[0]).toContain(`${path.join(dir, "beside.ts")}:`);
    expect(native[3]).toContain(`${path.join(dir, "inline.ts")}:`);
    expect(native[1]).toContain("resource.ts");
    expect(native[2]).toMatch(/^TypeError \[ERR_INVALID_ARG_TYPE\]: /);
  });

  it("without the hook the frames are the compiled JavaScript's (the comparison can fail)", () => {
    const files = [compile("plain", false)];
    const unmapped = spawnSync(process.execPath, [path.join(dir, "probe.js"), "none", ...files], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules") } });
    expect(JSON.parse(unmapped.stdout)).not.toEqual(probe("node", files));
  });
});
