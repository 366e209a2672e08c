import { parseArgs } from "node:util";
import { coverageReport, renderCoverage } from "../../../src/offline/host-files";
import { readCoverageRecords } from "./coverage";
import { KNOWN_GAPS } from "./known-gaps";
import { programDigest } from "./program-digest";
import { shippedStack } from "./shipped";
import { buildIsCurrent } from "../../../src/offline/cli/build-freshness";

/**
 * `npm run proof-coverage [-- --strict]`: how many of the host files the program renders for dev and
 * prod the host tests ran on their real daemon (records of the last host-test run against this very
 * program), and why the others were not. --strict exits 1 when a file is neither run nor a known gap.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({ options: { strict: { type: "boolean", default: false } }, strict: true });
  const inventories = [(await shippedStack("dev")).inventory, (await shippedStack("prod")).inventory];
  const report = coverageReport(inventories, readCoverageRecords(), programDigest(), KNOWN_GAPS);
  process.stdout.write(renderCoverage(report));
  const unexplained = report.missing.filter((l) => l.reason === "no host test exercises it").length + report.verifiedOnly.filter((l) => l.reason.endsWith("no host test exercises it")).length;
  return values.strict === true && unexplained > 0 ? 1 : 0;
}

if (buildIsCurrent("proof-coverage", __filename)) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`proof-coverage: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
