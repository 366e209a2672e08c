/**
 * `npm run bench [-- --runs <n>] [--only <text>] [--large]`: the offline toolchain's figures, side by
 * side, each case in a fresh process running what its npm script runs (compiled JavaScript, dist/):
 * synth of dev and prod and of generated catalogs from 10 to 200 services; the audit of generated
 * snapshots from 1,000 to 20,000 resources; and prod audited offline against the same pack served over
 * gRPC as the Pulumi engine runs it. Prints figures, asserts nothing (they depend on the machine); the
 * last line compares offline and engine-served. Record notable changes in docs/performance.md.
 *
 * `--only` keeps the cases whose name contains the text; `--large` adds the 200 MB export (issue 20).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { auditCases } from "./audit-cases";
import { AUDIT_SIZES, auditAtScale } from "./audit-scale-cases";
import { compareEngineServed } from "./engine-served";
import { assertCurrentBuild, type BenchCase, machine, type Measurement, measure } from "./measure";
import { synthCases } from "./synth-cases";

const ENGINE_SERVED_STACK = "prod";

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Medians of wall and CPU, the highest peak memory. */
function summarise(results: readonly Measurement[]): Measurement {
  return { wallMs: median(results.map((r) => r.wallMs)), cpuMs: median(results.map((r) => r.cpuMs)), maxRssMiB: Math.max(...results.map((r) => r.maxRssMiB)) };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mib = (m: number): string => `${m.toFixed(0)} MiB`;

function printTable(title: string, header: readonly string[], rows: readonly string[][]): void {
  if (rows.length === 0) return;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  console.log(`\n${title}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

/** Runs one case `runs` times, each in a fresh scratch directory; the resources of the last run. */
function runCase(c: BenchCase, runs: number): { summary: Measurement; resources: number | undefined; size: string | undefined } {
  const results: Measurement[] = [];
  let resources: number | undefined;
  let size: string | undefined;
  for (let i = 0; i < runs; i++) {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
    try {
      results.push(measure(c.command(scratch)));
      resources = c.resources?.(scratch);
      size = c.size?.(scratch);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  return { summary: summarise(results), resources, size };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "3" }, only: { type: "string" }, large: { type: "boolean", default: false } } });
  const runs = Math.max(1, Number(values.runs));
  const wanted = (name: string): boolean => values.only === undefined || name.includes(values.only);
  assertCurrentBuild();
  console.log(`machine: ${machine()}`);
  console.log(`each case: ${runs} run(s), each in a fresh process; wall and cpu = median, peak RSS = highest`);
  let failed = 0;
  const fail = (name: string, err: unknown): void => {
    failed++;
    console.error(`  ${name}: FAILED\n${(err as Error).message}`);
  };

  const synthRows: string[][] = [];
  for (const c of synthCases().filter((s) => wanted(s.name))) {
    try {
      const { summary: m, resources } = runCase(c, runs);
      const per = (ms: number): string => (resources === undefined ? "" : `${(ms / resources).toFixed(2)} ms`);
      synthRows.push([c.name, String(resources ?? ""), seconds(m.wallMs), seconds(m.cpuMs), mib(m.maxRssMiB), per(m.wallMs), per(m.cpuMs)]);
      console.log(`  ${synthRows.at(-1)?.join("  |  ")}`);
    } catch (err) {
      fail(c.name, err);
    }
  }

  const auditRows: string[][] = [];
  for (const size of AUDIT_SIZES.filter((n) => wanted(`audit ${n}`))) {
    try {
      const results: Measurement[] = [];
      let source = "";
      for (let i = 0; i < runs; i++) {
        const r = auditAtScale(size);
        results.push(r.measurement);
        source = r.source;
      }
      const m = summarise(results);
      auditRows.push([`audit ${size}`, String(size), seconds(m.wallMs), seconds(m.cpuMs), mib(m.maxRssMiB), `${((m.wallMs * 1000) / size).toFixed(0)} µs`, source]);
      console.log(`  ${auditRows.at(-1)?.join("  |  ")}`);
    } catch (err) {
      fail(`audit ${size}`, err);
    }
  }

  const largeRows: string[][] = [];
  for (const c of values.large ? auditCases().filter((a) => wanted(a.name)) : []) {
    try {
      const { summary: m, size } = runCase(c, runs);
      largeRows.push([c.name, size ?? "", seconds(m.wallMs), seconds(m.cpuMs), mib(m.maxRssMiB)]);
    } catch (err) {
      fail(c.name, err);
    }
  }

  let verdictLine: string | undefined;
  const servedRows: string[][] = [];
  if (wanted(`engine-served ${ENGINE_SERVED_STACK}`)) {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-served-"));
    try {
      const comparisons = [];
      for (let i = 0; i < runs; i++) comparisons.push(await compareEngineServed(ENGINE_SERVED_STACK, scratch));
      const offline = summarise(comparisons.map((c) => c.offline));
      const served = summarise(comparisons.map((c) => c.served));
      const resources = String(comparisons[0]?.resources ?? "");
      servedRows.push([`${ENGINE_SERVED_STACK}: offline audit (npm run audit)`, resources, seconds(offline.wallMs), seconds(offline.cpuMs), mib(offline.maxRssMiB)]);
      servedRows.push([`${ENGINE_SERVED_STACK}: engine-served pack (gRPC)`, resources, seconds(served.wallMs), seconds(served.cpuMs), mib(served.maxRssMiB)]);
      const identical = comparisons.every((c) => c.identical);
      for (const d of comparisons.flatMap((c) => c.differences).slice(0, 20)) console.error(`  ${d}`);
      verdictLine = `offline audit vs engine-served pack: ${(served.wallMs / offline.wallMs).toFixed(1)}x faster, verdicts identical: ${identical ? "yes" : "no"}`;
    } catch (err) {
      fail(`engine-served ${ENGINE_SERVED_STACK}`, err);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }

  printTable("synth (npm run synth: program, snapshot, audit reports, picture, manifests)", ["case", "resources", "wall", "cpu", "peak RSS", "wall/resource", "cpu/resource"], synthRows);
  printTable("audit of generated snapshots (every policy, all advisory)", ["case", "resources", "wall", "cpu", "peak RSS", "wall/resource", "measured by"], auditRows);
  printTable("audit of large exports", ["case", "input", "wall", "cpu", "peak RSS"], largeRows);
  printTable("the same snapshot, offline and served as the engine serves the pack", ["case", "resources", "wall", "cpu", "peak RSS"], servedRows);
  if (verdictLine !== undefined) console.log(`\n${verdictLine}`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error((err as Error).message);
    process.exitCode = 1;
  },
);
