import * as fs from "node:fs";
import * as path from "node:path";
import { repositoryRoot } from "../../conventions/repository-root";

/**
 * The file to load for the program's entry. Run from the sources (tsx, vitest), the entry itself. Run
 * compiled (`npm run synth` runs dist/, built by `npm ci`), this repository's program is loaded from
 * its compiled twin in the same dist/ tree, so the program skips the TypeScript transform too; another
 * project's TypeScript entry (`--project`) has no twin and is loaded through tsx's require hook.
 */
export function programEntry(main: string): { file: string; typescript: boolean } {
  const compiled = __filename.endsWith(".js");
  if (!compiled || !main.endsWith(".ts")) return { file: main, typescript: false };
  const root = repositoryRoot(__dirname);
  const distRoot = path.join(root, "dist");
  const relative = path.relative(root, main);
  const twin = path.join(distRoot, relative.replace(/\.ts$/, ".js"));
  if (!relative.startsWith("..") && __filename.startsWith(distRoot + path.sep) && fs.existsSync(twin)) return { file: twin, typescript: false };
  return { file: main, typescript: true };
}

/** Lets a compiled engine require a TypeScript program (tsx is installed with the dev dependencies). */
export function enableTypeScript(): () => void {
  // `tsx/cjs/api` is only reachable through package exports, which this project's module resolution
  // does not read for types; its documented API is register() → unregister().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const api = require("tsx/cjs/api") as { register(): () => void };
  return api.register();
}
