import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { clusterSizedFor, generatedCatalog, imagesWithTags } from "../../bench/catalog-100";

/**
 * The synth outputs every performance change must leave byte-identical: dev, prod and the dev stack
 * with generated catalogs of 10 and 100 services. Each case's reference is the sha256 of every file
 * synth writes (`test/fixtures/synth-reference/<case>.sha256`, `sha256sum` format), so the 100-service
 * outputs (tens of MB) need not be committed.
 *
 * `npx tsx test/support/synth-reference.ts --write [case ...]` regenerates the references with the
 * project's own synth; do that only for a change that is meant to change the outputs, and say so.
 */
export const REFERENCE_DIR = path.resolve(__dirname, "..", "fixtures", "synth-reference");
const ROOT = path.resolve(__dirname, "..", "..");

export interface ReferenceCase {
  readonly name: string;
  /** synth's arguments besides --out; `scratch` receives generated inputs. */
  args(scratch: string): string[];
}

function generated(services: number): ReferenceCase {
  return {
    name: `dev-${services}-services`,
    args: (scratch) => {
      const catalog = generatedCatalog(services);
      const file = path.join(scratch, `catalog-${services}.yaml`);
      fs.writeFileSync(file, catalog.text);
      return [
        "--stack",
        "dev",
        "--catalog",
        file,
        "--config",
        `fitness-platform:images=${imagesWithTags("dev", catalog.services)}`,
        "--config",
        `fitness-platform:cluster=${clusterSizedFor("dev", catalog.services)}`,
      ];
    },
  };
}

export const REFERENCE_CASES: readonly ReferenceCase[] = [
  { name: "dev", args: () => ["--stack", "dev"] },
  { name: "prod", args: () => ["--stack", "prod"] },
  generated(10),
  generated(100),
];

/** `<sha256>  <path>` for every file under `dir`, sorted by path (the format `sha256sum -c` reads). */
export function digestList(dir: string): string {
  const files = (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join("/"))
    .sort();
  return files.map((f) => `${createHash("sha256").update(fs.readFileSync(path.join(dir, f))).digest("hex")}  ${f}\n`).join("");
}

/**
 * The revision the reports name on their first line. Fixed, because otherwise it is the checkout's HEAD
 * (src/offline/audit/commit.ts) and every commit, including the one that updates these references,
 * would change the audit files' digests.
 */
const REFERENCE_COMMIT = "0000000000000000000000000000000000000000";
/**
 * The day the reports judge waivers, exception expiries and key ages on. Fixed for the same reason: the
 * reports name it, and a reference taken on one day must hold on every later one.
 */
const REFERENCE_DAY = "2026-12-03";

/** Runs `npm run synth` for one case into a fresh directory and returns the digest list of what it wrote. */
export function synthDigests(c: ReferenceCase): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `synth-reference-${c.name}-`));
  try {
    const out = path.join(scratch, "out");
    const child = spawnSync("npm", ["run", "--silent", "synth", "--", ...c.args(scratch), "--commit", REFERENCE_COMMIT, "--today", REFERENCE_DAY, "--out", out], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (child.status !== 0) throw new Error(`synth ${c.name} exited with ${child.status ?? child.signal}:\n${child.stderr}`);
    return digestList(out);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

export function referenceFile(c: ReferenceCase): string {
  return path.join(REFERENCE_DIR, `${c.name}.sha256`);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] !== "--write") {
    process.stderr.write("usage: npx tsx test/support/synth-reference.ts --write [case ...]\n");
    process.exit(2);
  }
  const wanted = args.slice(1);
  fs.mkdirSync(REFERENCE_DIR, { recursive: true });
  for (const c of REFERENCE_CASES.filter((r) => wanted.length === 0 || wanted.includes(r.name))) {
    fs.writeFileSync(referenceFile(c), synthDigests(c));
    process.stdout.write(`wrote ${path.relative(process.cwd(), referenceFile(c))}\n`);
  }
}
