/**
 * `npm run mirror -- manifest [--check]`: (re)writes mirror/manifest.json from the stacks, or with
 * `--check` exits 1 when the committed file differs from what the stacks need (CI runs the check).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../config/load";
import { deriveFromProject } from "./derive";
import { renderManifest } from "./manifest";
import { buildIsCurrent } from "../offline/cli/build-freshness";

export const MANIFEST_FILE = path.join(PROJECT_ROOT, "mirror", "manifest.json");

async function run(argv: string[]): Promise<number> {
  const [command, ...flags] = argv;
  if (command !== "manifest" || flags.some((f) => f !== "--check")) {
    process.stderr.write("usage: npm run mirror -- manifest [--check]\n");
    return 2;
  }
  const text = renderManifest(await deriveFromProject(PROJECT_ROOT));
  if (flags.includes("--check")) {
    const committed = fs.existsSync(MANIFEST_FILE) ? fs.readFileSync(MANIFEST_FILE, "utf8") : "";
    if (committed === text) return 0;
    process.stderr.write(`mirror/manifest.json is not what the stacks need: run \`npm run mirror -- manifest\` and commit it\n`);
    return 1;
  }
  fs.writeFileSync(MANIFEST_FILE, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), MANIFEST_FILE)}\n`);
  return 0;
}

if (buildIsCurrent("mirror", __filename)) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
