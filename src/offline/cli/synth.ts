/**
 * `npm run synth -- --stack <name> [--out <dir>] [--catalog <file>] [--config <key>=<value> ...] [--project <dir>]`
 *
 * Evaluates the program for one stack offline and writes `<out>/stack.json` (default `out/<stack>/`)
 * plus whatever further writers are registered. `--catalog` replaces the stack's service catalog;
 * `--config` overrides one config value for this run only (objects as JSON, as `pulumi config set`
 * stores them), e.g. to try a change without editing Pulumi.<stack>.yaml.
 *
 * Exit codes: 0 success; 2 bad configuration or usage (the one-line errors only, no stack trace);
 * 1 any other failure, with a clear message.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { synthesize } from "../engine/synthesize";
import { phaseReporter } from "./phases";
import { synthSummary } from "./synth-summary";
import { SYNTH_WRITERS, type SynthOutput } from "./synth-writers";

const USAGE =
  "usage: npm run synth -- --stack <name> [--out <dir>] [--catalog <file>] [--config <key>=<value> ...] [--project <dir>] [--verbose]";

/** This repository's root, where Pulumi.yaml lives; `--project` points elsewhere (tests, other checkouts). */
const DEFAULT_PROJECT_ROOT = path.resolve(__dirname, "..", "..", "..");

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_CONFIG = 2;

/** Configuration problems arrive as the program's ConfigError: a RunError with one line per problem. */
function configErrorLines(err: unknown): string[] | undefined {
  if (!(err instanceof Error)) return undefined;
  const lines = (err as { lines?: unknown }).lines;
  if (err.name === "ConfigError" && Array.isArray(lines) && lines.every((l) => typeof l === "string")) return lines;
  return undefined;
}

/** Failures the engine explains itself; anything else is a bug whose trace `--verbose` shows. */
const EXPLAINED = new Set(["SynthError", "SecretLeakError", "SnapshotError"]);

export async function runSynth(argv: string[]): Promise<number> {
  let values: { stack?: string; out?: string; catalog?: string; config?: string[]; project?: string; verbose?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stack: { type: "string", short: "s" },
        out: { type: "string", short: "o" },
        catalog: { type: "string" },
        config: { type: "string", short: "c", multiple: true },
        project: { type: "string" },
        verbose: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    console.error(`synth: ${(err as Error).message}\n${USAGE}`);
    return EXIT_CONFIG;
  }
  if (values.help === true) {
    console.log(USAGE);
    return EXIT_OK;
  }
  if (values.stack === undefined || values.stack === "") {
    console.error(`synth: --stack is required\n${USAGE}`);
    return EXIT_CONFIG;
  }
  const stack = values.stack;
  const configOverrides: Record<string, string> = {};
  for (const entry of values.config ?? []) {
    const at = entry.indexOf("=");
    if (at <= 0) {
      console.error(`synth: --config "${entry}": expected <key>=<value>, e.g. fitness-platform:environment=dev\n${USAGE}`);
      return EXIT_CONFIG;
    }
    configOverrides[entry.slice(0, at)] = entry.slice(at + 1);
  }
  const projectRoot = path.resolve(values.project ?? DEFAULT_PROJECT_ROOT);
  const outDir = path.resolve(values.out ?? path.join("out", stack));

  try {
    const phases = phaseReporter(`synth ${stack}`);
    const result = await phases.run("evaluating the program under the mock runtime", () =>
      synthesize({ stack, projectRoot, catalogFile: values.catalog, configOverrides, stackTraces: values.verbose === true }),
    );
    const output: SynthOutput = { ...result, projectRoot, outDir };
    const files: string[] = [];
    for (const writer of SYNTH_WRITERS) {
      await phases.run(`writing the ${writer.name}`, async () => {
        try {
          files.push(...(await writer.write(output)));
        } catch (err) {
          throw new Error(`writing the ${writer.name} to ${outDir} failed: ${(err as Error).message}`);
        }
      });
    }
    const shown = files.map((f) => path.relative(process.cwd(), f) || f);
    console.log(synthSummary({ stack, snapshot: result.snapshot, warnings: result.warnings, files: shown }));
    return EXIT_OK;
  } catch (err) {
    const lines = configErrorLines(err);
    if (lines !== undefined) {
      for (const line of lines) console.error(line);
      return EXIT_CONFIG;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    console.error(`synth: stack "${stack}" failed: ${e.message}`);
    if (values.verbose === true && e.stack !== undefined) console.error(e.stack);
    else if (!EXPLAINED.has(e.name)) console.error("(run with --verbose for the stack trace)");
    return EXIT_FAILURE;
  }
}

if (require.main === module) {
  runSynth(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`synth: ${(err as Error).message}`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
