import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { staleBuild } from "../src/offline/cli/build-freshness";

export const REPO_ROOT = path.resolve(__dirname, "..");
const PROBE = path.join(__dirname, "usage-probe.mjs");

/** One benchmark: an npm script (or a bench script) run in a fresh process. */
export interface BenchCase {
  readonly name: string;
  /** The npm script (e.g. "synth") and its arguments; `scratch` is a fresh directory for inputs and outputs. */
  command(scratch: string): string[];
  /** How many resources the run handled, read from `scratch` after it (for the time per resource). */
  resources?(scratch: string): number;
  /** What the run produced, e.g. "10000 resources, 1797 findings", read from `scratch` after it. */
  size?(scratch: string): string;
}

/** One run of a command in its own Node process. */
export interface Measurement {
  /** From spawn to exit, as a user waits for it (Node start-up and module loading included). */
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssMiB: number;
}

/** `node [flags] <entry>` of an npm script, e.g. "node --enable-source-maps dist/src/offline/cli/synth.js". */
function scriptCommand(script: string): string[] {
  const scripts = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const line = scripts[script];
  if (line === undefined) throw new Error(`package.json has no script "${script}"`);
  const words = line.split(/\s+/);
  if (words[0] !== "node") throw new Error(`script "${script}" does not run node directly: ${line}`);
  return words.slice(1);
}

/** The measured commands run compiled JavaScript; a stale build would measure old code. */
export function assertCurrentBuild(): void {
  const stale = staleBuild(REPO_ROOT);
  if (stale !== undefined) throw new Error(`bench: ${stale === "no build" ? "dist/ has not been built" : `${stale} changed after dist/ was built`}: run \`npm run build\``);
}

/**
 * Runs what `npm run <script> -- <args>` runs (without npm itself) in a fresh process and measures it;
 * a first word ending in `.js` is run as a plain Node script instead. Throws with the child's stderr.
 */
export function measure(scriptAndArgs: readonly string[]): Measurement {
  const [first, ...args] = scriptAndArgs as [string, ...string[]];
  const command = first.endsWith(".js") ? [first] : scriptCommand(first);
  const usageFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-usage-")), "usage.json");
  const started = performance.now();
  const child = spawnSync(process.execPath, ["--import", PROBE, ...command, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, BENCH_USAGE_FILE: usageFile },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = performance.now() - started;
  if (child.status !== 0) {
    const shown = scriptAndArgs.map((a) => (a.length > 120 ? `${a.slice(0, 117)}...` : a)).join(" ");
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
  return `${os.availableParallelism()} cores (${model}), ${memGiB} GiB RAM, ${os.type()} ${os.release()}, node ${process.version}, load average ${os.loadavg()[0]?.toFixed(1)}`;
}
