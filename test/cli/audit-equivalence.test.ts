import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runAuditCli } from "../../src/offline/cli/audit";
import { EQUIVALENCE_CASES, EQUIVALENCE_FORMATS, EQUIVALENCE_NOW, readExpectedReport, unpackCase, withoutScratch } from "../fixtures/audit-equivalence/cases";

/**
 * The audit's verdicts do not move when its reading and evaluation are made faster: dev, prod and a
 * generated 3,000-resource snapshot (frozen inputs) give byte for byte the reports the audit wrote for
 * them before (test/fixtures/audit-equivalence/regenerate.ts, run on the code before the change).
 */
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fp-audit-equivalence-"));
afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  vi.unstubAllEnvs();
});
// SARIF help links name the GitHub repository when run in Actions; the fixtures were written without one.
vi.stubEnv("GITHUB_REPOSITORY", "");

describe("audit reports are unchanged by the faster reader and evaluation", () => {
  for (const c of EQUIVALENCE_CASES) {
    it(`${c}: json and sarif byte-identical`, async () => {
      const { input, config } = unpackCase(c, scratch);
      for (const format of EQUIVALENCE_FORMATS) {
        const result = await runAuditCli(["--input", input, "--config", config, "--format", format], EQUIVALENCE_NOW);
        expect(result.stderr).toBe("");
        const actual = withoutScratch(result.stdout, scratch);
        const expected = readExpectedReport(c, format);
        // Compare as text (byte for byte), but fail with a short message rather than a megabyte diff.
        if (actual !== expected) {
          const at = [...actual].findIndex((ch, i) => ch !== expected[i]);
          expect.fail(`${c}.audit.${format} differs at character ${at}: ${JSON.stringify(actual.slice(Math.max(0, at - 80), at + 80))}`);
        }
      }
    });
  }
});
