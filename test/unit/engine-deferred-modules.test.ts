import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The offline engine defers the two modules `@pulumi/pulumi` loads for its closure serializer and the
 * program never uses (src/offline/engine/defer-closure-modules.ts). Run in a fresh Node process on the
 * compiled engine, as `npm run synth` runs it, because the module cache is per process.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const DEFER = path.join(ROOT, "dist", "src", "offline", "engine", "defer-closure-modules.js");

function run(script: string): Record<string, unknown> {
  const child = spawnSync(process.execPath, ["--no-warnings", "-e", script], { cwd: ROOT, encoding: "utf8" });
  expect(child.stderr).toBe("");
  return JSON.parse(child.stdout) as Record<string, unknown>;
}

const LOADED = `
const loaded = (re) => Object.keys(require.cache).some((f) => re.test(f));
const state = () => ({ arborist: loaded(/node_modules\\/@npmcli\\/arborist\\/lib\\/arborist\\//), typescript: loaded(/node_modules\\/typescript\\/lib\\/typescript\\.js$/) });
`;

describe("deferred closure-serializer modules", () => {
  it("are not loaded by importing the SDK without the deferral (the test can fail), and are with it not", () => {
    const plain = run(`${LOADED} require("@pulumi/pulumi"); process.stdout.write(JSON.stringify(state()));`);
    expect(plain).toEqual({ arborist: true, typescript: true });
    const deferred = run(`${LOADED} require(${JSON.stringify(DEFER)}); require("@pulumi/pulumi"); process.stdout.write(JSON.stringify(state()));`);
    expect(deferred).toEqual({ arborist: false, typescript: false });
  });

  it("still serve the SDK's closure serializer: TypeScript parses and arborist's class is reached on first use", () => {
    const probe = (defer: boolean): string => `${LOADED}
      ${defer ? `require(${JSON.stringify(DEFER)});` : ""}
      const pulumi = require("@pulumi/pulumi");
      const parse = require("@pulumi/pulumi/runtime/closure/parseFunction");
      const parsed = parse.parseFunction("(a) => a + captured.x");
      const codePathsRequire = require("node:module").createRequire(require.resolve("@pulumi/pulumi/runtime/closure/codePaths.js"));
      const standIn = codePathsRequire("@npmcli/arborist");
      const arboristClass = standIn.Arborist;
      const real = codePathsRequire("@npmcli/arborist");
      const after = state();
      const plain = (k, v) => (v instanceof Map ? [...v] : v);
      pulumi.runtime.serializeFunction(() => 42).then((f) => {
        process.stdout.write(JSON.stringify({
          parsed: JSON.stringify(parsed, plain),
          sameClass: arboristClass === real.Arborist && typeof real === "function",
          after,
          serialized: f.text,
        }));
      });`;
    const deferred = run(probe(true));
    expect(deferred).toEqual(run(probe(false)));
    expect(deferred.parsed).toContain("captured");
    expect(deferred.sameClass).toBe(true);
    expect(deferred.after).toEqual({ arborist: true, typescript: true });
  });

  it("leave loading alone when the SDK is already loaded", () => {
    const result = run(`${LOADED}
      require("@pulumi/pulumi");
      const { deferClosureModules } = require(${JSON.stringify(DEFER)});
      process.stdout.write(JSON.stringify({ again: deferClosureModules() }));`);
    expect(result).toEqual({ again: [] });
  });
});
