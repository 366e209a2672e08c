import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { staleBuild } from "../../src/offline/cli/build-freshness";

/**
 * Vitest global setup: the CLI tests run the commands as a user does (`npm run synth` runs dist/), so
 * a build older than the sources is rebuilt first (`npm run build`, incremental).
 */
export default function setup(): void {
  const root = path.resolve(__dirname, "..", "..");
  if (staleBuild(root) === undefined) return;
  execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
}
