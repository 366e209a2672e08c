import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { REFERENCE_CASES, referenceFile, synthDigests } from "../support/synth-reference";

/**
 * Performance work must not change what synth writes: every file (snapshot, audit reports, picture,
 * manifests) of dev, prod and the generated 10- and 100-service catalogs hashes to its reference
 * (test/fixtures/synth-reference/, written by test/support/synth-reference.ts with the project's synth).
 */
describe("synth outputs stay byte-identical to the references", () => {
  for (const c of REFERENCE_CASES) {
    it(`${c.name}: every file written, and nothing else`, { timeout: 600_000 }, () => {
      const expected = fs.readFileSync(referenceFile(c), "utf8");
      expect(expected.split("\n").length).toBeGreaterThan(20);
      const actual = synthDigests(c);
      // Line by line, so a failure names the files that changed, appeared or went missing.
      expect(actual.split("\n")).toEqual(expected.split("\n"));
    });
  }
});
