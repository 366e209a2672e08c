import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { repositoryRoot } from "../../../src/conventions/repository-root";

/** The repository root (this file is test/hosts/support/program-digest.ts). */
export const ROOT = repositoryRoot(__dirname);

function walk(dir: string, out: string[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile()) out.push(full);
  }
}

/**
 * A digest of everything that decides what the program ships: its sources, the project and stack files,
 * and the locked dependencies. Synthesised snapshots are cached under it, and coverage records made
 * against another digest are stale.
 */
export function programDigest(root: string = ROOT): string {
  const files: string[] = [];
  walk(path.join(root, "src"), files);
  for (const name of fs.readdirSync(root).sort()) {
    if (/^Pulumi(\.[A-Za-z0-9._-]+)?\.yaml$/.test(name) || name === "package-lock.json") files.push(path.join(root, name));
  }
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(path.relative(root, file)).update("\0").update(fs.readFileSync(file)).update("\0");
  }
  return hash.digest("hex").slice(0, 32);
}
