/**
 * The audit at scale, for `npm run bench` and by hand:
 *
 *   npx tsx bench/audit-scale.ts [--runs <n>] [<resources>[:<MiB>] ...]     e.g. 1000 10000 55000:200
 *
 * `auditScale(n)` writes a generated snapshot of about `n` resources (bench/audit-cases.ts; padded with
 * policy documents to `bytes` when given, like a real export) and audits it with every policy of the pack
 * (all levels advisory, JSON report) in a fresh `npm run audit` process; it returns wall time, CPU time and
 * peak resident memory of that process. Asserts nothing: figures depend on the machine.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { serializeSnapshot } from "../src/offline/snapshot/writer";
import { generatedSnapshot, paddedExport } from "./audit-cases";
import { machine, measure, type Measurement } from "./measure";

const AUDIT = "src/offline/cli/audit.ts";

export interface AuditScaleOptions {
  /** Pad the export with output documents to about this size (a real export's bytes per resource). */
  readonly bytes?: number;
}

export interface AuditScaleResult extends Measurement {
  /** Resources in the audited snapshot, as the report counts them. */
  readonly resources: number;
  readonly bytes: number;
  readonly findings: number;
}

/** One audit of a generated snapshot of about `resources` resources, in a fresh process. */
export function auditScale(resources: number, options: AuditScaleOptions = {}): AuditScaleResult {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-audit-scale-"));
  try {
    const input = path.join(scratch, "stack.json");
    const config = path.join(scratch, "policy-config.json");
    const out = path.join(scratch, "audit.json");
    fs.writeFileSync(input, options.bytes === undefined ? serializeSnapshot(generatedSnapshot(resources)) : paddedExport(resources, options.bytes));
    fs.writeFileSync(config, JSON.stringify({ all: "advisory" }));
    const measured = measure([AUDIT, "--input", input, "--config", config, "--format", "json", "--out", out]);
    const report = JSON.parse(fs.readFileSync(out, "utf8")) as { input: { resources: number }; violations: unknown[] };
    return { ...measured, resources: report.input.resources, bytes: fs.statSync(input).size, findings: report.violations.length };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { runs: { type: "string", default: "3" } }, allowPositionals: true });
  const runs = Math.max(1, Number(values.runs));
  const sizes = positionals.length > 0 ? positionals : ["1000", "5000", "10000", "20000"];
  console.log(`machine: ${machine()}; ${runs} run(s) each: wall and cpu medians, highest peak RSS`);
  console.log("| resources | export | findings | wall | cpu | peak RSS |\n|---:|---:|---:|---:|---:|---:|");
  for (const size of sizes) {
    const [count, mib] = size.split(":");
    const results = Array.from({ length: runs }, () => auditScale(Number(count), mib === undefined ? {} : { bytes: Number(mib) * 2 ** 20 }));
    const first = results[0] as AuditScaleResult;
    console.log(
      `| ${first.resources} | ${(first.bytes / 2 ** 20).toFixed(1)} MiB | ${first.findings} | ${(median(results.map((r) => r.wallMs)) / 1000).toFixed(2)} s | ` +
        `${(median(results.map((r) => r.cpuMs)) / 1000).toFixed(2)} s | ${Math.max(...results.map((r) => r.maxRssMiB)).toFixed(0)} MiB |`,
    );
  }
}

if (require.main === module) main();
