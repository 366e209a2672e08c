import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";

export const REPO_ROOT = path.resolve(__dirname, "..");
const PROBE = path.join(__dirname, "usage-probe.ts");

/** One benchmark: a command run in a fresh process (see synth-cases.ts for examples). */
export interface BenchCase {
  readonly name: string;
  /** The TypeScript entry (relative to the repository) and its arguments; `scratch` is a fresh directory. */
  command(scratch: string): string[];
  /** What the run produced, e.g. "1234 resources", read from `scratch` after the run. */
  size?(scratch: string): string;
}

/** One run of a command in its own Node process. */
export interface Measurement {
  /** From spawn to exit, as a user waits for it (Node start-up and module loading included). */
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssMiB: number;
}

/**
 * Runs a TypeScript entry (relative to the repository) in a fresh `node --import tsx` process, as
 * `npm run <script>` would, and measures it. Throws with the child's stderr if it fails.
 */
export function measure(entryAndArgs: readonly string[]): Measurement {
  const usageFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-usage-")), "usage.json");
  const started = performance.now();
  const child = spawnSync(process.execPath, ["--import", "tsx", "--import", PROBE, ...entryAndArgs], {
    cwd: REPO_ROOT,
    env: { ...process.env, BENCH_USAGE_FILE: usageFile },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = performance.now() - started;
  if (child.status !== 0) {
    const shown = entryAndArgs.map((a) => (a.length > 120 ? `${a.slice(0, 117)}...` : a)).join(" ");
    throw new Error(`${shown} exited with ${child.status ?? child.signal}:\n${child.stderr.trim()}`);
  }
  const usage = JSON.parse(fs.readFileSync(usageFile, "utf8")) as { maxRssKiB: number; cpuMs: number };
  fs.rmSync(path.dirname(usageFile), { recursive: true, force: true });
  return { wallMs, cpuMs: usage.cpuMs, maxRssMiB: usage.maxRssKiB / 1024 };
}

/** The machine the figures come from, for docs/performance.md. */
export function machine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.replace(/\s+/g, " ").trim() ?? "unknown CPU";
  const memGiB = (os.totalmem() / 1024 ** 3).toFixed(1);
  return `${os.availableParallelism()} cores (${model}), ${memGiB} GiB RAM, ${os.type()} ${os.release()}, node ${process.version}`;
}
