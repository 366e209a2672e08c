import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The repository root (the directory of Pulumi.yaml), found upwards from `from`: the same whether a
 * module runs from its TypeScript source or compiled into dist/ (one level deeper).
 */
export function repositoryRoot(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml")) && fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml with a package.json above ${from}`);
  }
}
