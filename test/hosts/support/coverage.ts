import * as fs from "node:fs";
import * as path from "node:path";
import { contentDigest, type CoverageRecord, type Exercise, type HostFile } from "../../../src/offline/host-files";
import { ROOT } from "./program-digest";
import type { ShippedStack } from "./shipped";

/**
 * Where host tests record which shipped files they exercised (one JSON-lines file per test file);
 * `npm run proof-coverage` reads them. FITNESS_PROOF_DIR moves it.
 */
export const PROOF_DIR = process.env.FITNESS_PROOF_DIR ?? path.join(ROOT, "out", "proof-coverage");

export interface CoverageRecorder {
  /** Records that these shipped files were exercised, with what was asserted. */
  record(shipped: ShippedStack, files: readonly HostFile[], how: Exercise, detail: string): void;
}

/** A recorder for one test file; its earlier records are dropped, so a file that stops testing something stops counting it. */
export function coverageRecorder(test: string): CoverageRecorder {
  fs.mkdirSync(PROOF_DIR, { recursive: true });
  const file = path.join(PROOF_DIR, `${test}.jsonl`);
  fs.writeFileSync(file, "");
  return {
    record(shipped, files, how, detail) {
      const lines = files.map((f) => {
        const record: CoverageRecord = { stack: f.stack, hostRole: f.hostRole, path: f.path, how, detail, test, digest: shipped.digest, variant: shipped.variant, sha256: contentDigest(f.content) };
        return JSON.stringify(record);
      });
      if (lines.length > 0) fs.appendFileSync(file, `${lines.join("\n")}\n`);
    },
  };
}

export function readCoverageRecords(dir: string = PROOF_DIR): CoverageRecord[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(".jsonl"))
    .sort()
    .flatMap((name) =>
      fs
        .readFileSync(path.join(dir, name), "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as CoverageRecord),
    );
}
