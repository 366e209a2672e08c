/**
 * `npm run synth -- --stack <name> [--out <dir>] [--catalog <file>] [--config <key>=<value> ...] [--project <dir>] [--commit <rev>] [--today YYYY-MM-DD]`
 *
 * Evaluates the program for one stack offline and writes `<out>/stack.json` (default `out/<stack>/`)
 * plus whatever further writers are registered. `--catalog` replaces the stack's service catalog;
 * `--config` overrides one config value for this run only (objects as JSON, as `pulumi config set`
 * stores them), e.g. to try a change without editing Pulumi.<stack>.yaml. `--today` fixes the day the
 * reports judge expiries on (reproducible reports); the program itself, as under `pulumi up`, leaves out
 * the egress exceptions expired on the real day.
 *
 * Output is staged beside `<out>` and renamed into place only when every writer succeeded: a failed or
 * interrupted run leaves the previous output as it was.
 *
 * Exit codes (exit-codes.ts): 0 success; 2 bad configuration, input or usage (the one-line errors only,
 * no stack trace); 3 an internal fault, with the invitation to --verbose.
 */
// First: it must run before anything loads @pulumi/pulumi (the config schema does).
import "../engine/defer-closure-modules";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { PROJECT } from "../../config/schema";
import { checkCommit, detectCommit } from "../audit/commit";
import { stackPolicyConfigFile } from "../audit/files";
import { synthesize } from "../engine/synthesize";
import { maskSecrets, rememberFlaggedValues } from "../redaction/secrets";
import { checkOutputTarget, maskDirectory, withStagedDirectory } from "./atomic-output";
import { EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, inputErrorLines, internalFaultLines } from "./exit-codes";
import { judgementDay } from "./today-option";
import { phaseReporter } from "./phases";
import { synthSummary } from "./synth-summary";
import { SYNTH_WRITERS, type SynthOutput } from "./synth-writers";
import { repositoryRoot } from "../../conventions/repository-root";
import { buildIsCurrent } from "./build-freshness";

const USAGE =
  "usage: npm run synth -- --stack <name> [--out <dir>] [--catalog <file>] [--config <key>=<value> ...] [--project <dir>] [--commit <rev>] [--today YYYY-MM-DD] [--verbose]";

/** This repository's root, where Pulumi.yaml lives; `--project` points elsewhere (tests, other checkouts). */
const DEFAULT_PROJECT_ROOT = repositoryRoot(__dirname);

/** Every file the run reads, none of which `--out` may be or contain. */
function synthInputs(projectRoot: string, stack: string, catalog: string | undefined): string[] {
  return [
    projectRoot,
    path.join(projectRoot, "Pulumi.yaml"),
    path.join(projectRoot, `Pulumi.${stack}.yaml`),
    path.join(projectRoot, "src", "config", "catalog.yaml"),
    stackPolicyConfigFile(stack),
    ...(catalog === undefined ? [] : [path.resolve(catalog)]),
  ];
}

export async function runSynth(argv: string[]): Promise<number> {
  let values: { stack?: string; out?: string; catalog?: string; config?: string[]; project?: string; commit?: string; today?: string; verbose?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stack: { type: "string", short: "s" },
        out: { type: "string", short: "o" },
        catalog: { type: "string" },
        config: { type: "string", short: "c", multiple: true },
        project: { type: "string" },
        commit: { type: "string" },
        today: { type: "string" },
        verbose: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    console.error(`synth: ${(err as Error).message}\n${USAGE}`);
    return EXIT_INPUT;
  }
  if (values.help === true) {
    console.log(USAGE);
    return EXIT_OK;
  }
  if (values.stack === undefined || values.stack === "") {
    console.error(`synth: --stack is required\n${USAGE}`);
    return EXIT_INPUT;
  }
  const stack = values.stack;
  const commitProblem = values.commit === undefined ? undefined : checkCommit(values.commit);
  if (commitProblem !== undefined) {
    console.error(`synth: ${commitProblem}\n${USAGE}`);
    return EXIT_INPUT;
  }
  const day = judgementDay("synth", values.today);
  if ("problem" in day) {
    console.error(`${day.problem}\n${USAGE}`);
    return EXIT_INPUT;
  }
  const configOverrides: Record<string, string> = {};
  for (const entry of values.config ?? []) {
    const at = entry.indexOf("=");
    if (at <= 0) {
      console.error(`synth: --config "${entry}": expected <key>=<value>, e.g. fitness-platform:environment=dev\n${USAGE}`);
      return EXIT_INPUT;
    }
    configOverrides[entry.slice(0, at)] = entry.slice(at + 1);
  }
  const projectRoot = path.resolve(values.project ?? DEFAULT_PROJECT_ROOT);
  const outDir = path.resolve(values.out ?? path.join("out", stack));

  try {
    const catalogOverride = configOverrides[`${PROJECT}:catalogFile`] ?? values.catalog;
    checkOutputTarget("--out", outDir, "directory", synthInputs(projectRoot, stack, catalogOverride));
    const phases = phaseReporter(`synth ${stack}`);
    const result = await phases.run("evaluating the program under the mock runtime", () =>
      synthesize({ stack, projectRoot, catalogFile: values.catalog, configOverrides, stackTraces: values.verbose === true }),
    );
    const files = await withStagedDirectory(outDir, async (staging) => {
      const output: SynthOutput = { ...result, projectRoot, outDir: staging, commit: values.commit ?? detectCommit(projectRoot), ...day };
      const written: string[] = [];
      for (const writer of SYNTH_WRITERS) {
        await phases.run(`writing the ${writer.name}`, async () => {
          try {
            written.push(...(await writer.write(output)));
          } catch (err) {
            throw new Error(`writing the ${writer.name} to ${outDir} failed: ${(err as Error).message}`);
          }
        });
      }
      // The snapshot holds secrets as ciphertext only (the engine's leak guard); every report, picture
      // and manifest is masked for what the secret scanner flags in it.
      rememberFlaggedValues(result.snapshot);
      maskDirectory(staging, new Set(["stack.json"]));
      return written.map((f) => path.join(outDir, path.relative(staging, f)));
    });
    const shown = files.map((f) => path.relative(process.cwd(), f) || f);
    console.log(maskSecrets(synthSummary({ stack, snapshot: result.snapshot, warnings: result.warnings, files: shown })));
    return EXIT_OK;
  } catch (err) {
    const lines = inputErrorLines(err);
    if (lines !== undefined) {
      for (const line of lines) console.error(maskSecrets(line));
      return EXIT_INPUT;
    }
    for (const line of internalFaultLines(`synth: stack "${stack}"`, err, values.verbose === true)) console.error(maskSecrets(line));
    return EXIT_INTERNAL;
  }
}

if (require.main === module && buildIsCurrent("synth", __filename)) {
  runSynth(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      for (const line of internalFaultLines("synth", err, process.argv.includes("--verbose"))) console.error(line);
      process.exitCode = EXIT_INTERNAL;
    },
  );
}
