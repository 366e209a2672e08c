import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILD_STAMP, staleBuild } from "../../src/offline/cli/build-freshness";

/** The compiled commands refuse a dist/ older than the TypeScript it was built from. */
let root: string;

function write(file: string, mtime: Date): void {
  const full = path.join(root, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, "");
  fs.utimesSync(full, mtime, mtime);
}

const built = new Date("2026-12-03T10:00:00Z");
const before = new Date("2026-12-03T09:00:00Z");
const after = new Date("2026-12-03T11:00:00Z");

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "build-freshness-"));
  for (const f of ["package.json", "tsconfig.json", "tsconfig.build.json", "src/index.ts", "policy/registry.ts", "test/hosts/support/proof-coverage.ts"]) write(f, before);
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe("staleBuild", () => {
  it("reports a missing build", () => {
    expect(staleBuild(root)).toBe("no build");
  });

  it("accepts a build newer than every source", () => {
    write(BUILD_STAMP, built);
    expect(staleBuild(root)).toBeUndefined();
  });

  it.each(["src/config/load.ts", "policy/network/net-02.ts", "test/hosts/support/shipped.ts", "tsconfig.build.json", "package.json"])("names %s when it changed after the build", (file) => {
    write(BUILD_STAMP, built);
    write(file, after);
    expect(staleBuild(root)).toBe(file);
  });

  it("ignores what the build does not compile: non-TypeScript files and the pack's node_modules", () => {
    write(BUILD_STAMP, built);
    write("src/config/catalog.yaml", after);
    write("policy/node_modules/x/index.ts", after);
    write("test/cli/synth.test.ts", after);
    expect(staleBuild(root)).toBeUndefined();
  });
});
