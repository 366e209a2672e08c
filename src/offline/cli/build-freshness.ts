import * as fs from "node:fs";
import * as path from "node:path";
import { repositoryRoot } from "../../conventions/repository-root";
import { EXIT_INPUT } from "./exit-codes";

/**
 * The commands run compiled JavaScript from dist/ (built by `npm ci` through the `prepare` script, or
 * `npm run build`). A build older than the TypeScript it was made from would run old code without a
 * word, so a compiled command first checks that no source is newer than the build's stamp.
 */
export const BUILD_STAMP = path.join("dist", ".build-stamp");
/** What the build compiles: the program, the toolchain, the pack and the host-test support it reads. */
const SOURCE_DIRS = ["src", "policy", path.join("test", "hosts", "support")];
const SOURCE_FILES = ["tsconfig.json", "tsconfig.build.json", "package.json"];

function newerSource(dir: string, since: number): string | undefined {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = newerSource(full, since);
      if (found !== undefined) return found;
    } else if (entry.name.endsWith(".ts") && fs.statSync(full).mtimeMs > since) return full;
  }
  return undefined;
}

/** The first source file changed since the build, "no build" without a stamp, undefined when current. */
export function staleBuild(root: string): string | undefined {
  const stamp = path.join(root, BUILD_STAMP);
  if (!fs.existsSync(stamp)) return "no build";
  const since = fs.statSync(stamp).mtimeMs;
  for (const file of SOURCE_FILES) if (fs.statSync(path.join(root, file)).mtimeMs > since) return file;
  for (const dir of SOURCE_DIRS) {
    const found = newerSource(path.join(root, dir), since);
    if (found !== undefined) return path.relative(root, found);
  }
  return undefined;
}

/**
 * True when this command may run: from the sources (tsx, tests), or compiled from a current build.
 * Otherwise prints one line saying what to do, sets exit code 2 and returns false.
 */
export function buildIsCurrent(command: string, entryFile: string): boolean {
  if (!entryFile.endsWith(".js")) return true;
  const root = repositoryRoot(path.dirname(entryFile));
  const stale = staleBuild(root);
  if (stale === undefined) return true;
  const why = stale === "no build" ? "dist/ has not been built" : `${stale} changed after dist/ was built`;
  process.stderr.write(`${command}: ${why}: run \`npm run build\` (the compiled commands would run old code)\n`);
  process.exitCode = EXIT_INPUT;
  return false;
}
