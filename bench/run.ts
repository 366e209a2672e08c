/**
 * `npm run bench [-- --runs <n>] [--only <text>]`: wall time and peak memory of the offline
 * toolchain's commands, each run in a fresh process. Prints figures; asserts nothing (timings
 * depend on the machine). Record notable changes in docs/performance.md.
 *
 * To add a benchmark, write a function returning BenchCase[] (see synth-cases.ts) and add it to SUITES.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { type BenchCase, machine, type Measurement, measure } from "./measure";
import { auditCases } from "./audit-cases";
import { synthCases } from "./synth-cases";

const SUITES: ReadonlyArray<() => BenchCase[]> = [synthCases, auditCases];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function main(): void {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "3" }, only: { type: "string" } } });
  const runs = Math.max(1, Number(values.runs));
  const cases = SUITES.flatMap((suite) => suite()).filter((c) => values.only === undefined || c.name.includes(values.only));
  console.log(`machine: ${machine()}`);
  console.log(`each case: ${runs} run(s) in a fresh process; wall = median, peak memory = highest max RSS\n`);
  const header = ["case", "output", "wall", "cpu", "peak memory"];
  const rows: string[][] = [];
  let failed = 0;
  for (const c of cases) {
    const results: Measurement[] = [];
    let size = "";
    try {
      for (let i = 0; i < runs; i++) {
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
        try {
          results.push(measure(c.command(scratch)));
          size = c.size?.(scratch) ?? "";
        } finally {
          fs.rmSync(scratch, { recursive: true, force: true });
        }
      }
    } catch (err) {
      failed++;
      console.error(`  ${c.name}: FAILED\n${(err as Error).message}`);
      continue;
    }
    const row = [
      c.name,
      size,
      `${(median(results.map((r) => r.wallMs)) / 1000).toFixed(2)} s`,
      `${(median(results.map((r) => r.cpuMs)) / 1000).toFixed(2)} s`,
      `${Math.max(...results.map((r) => r.maxRssMiB)).toFixed(0)} MiB`,
    ];
    rows.push(row);
    console.log(`  ${row.join("  |  ")}`);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  console.log(`\n| ${header.map((h, i) => h.padEnd(widths[i] as number)).join(" | ")} |`);
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(`| ${r.map((v, i) => v.padEnd(widths[i] as number)).join(" | ")} |`);
  if (failed > 0) process.exitCode = 1;
}

main();
