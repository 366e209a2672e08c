/**
 * `npm run audit -- --input <file> [--format text|json|md|sarif] [--out <file>] [--config <policy-config.json>] [--today YYYY-MM-DD]`
 *
 * Evaluates the policy pack offline against a synth snapshot, a `pulumi stack export`, or the output of
 * `pulumi preview --json`, with the same policy objects `pulumi preview --policy-pack policy` loads.
 * `--config` takes the file `--policy-pack-config` takes (e.g. policy/config/prod.json).
 *
 * Exit codes (exit-codes.ts): 0 no mandatory violation; 1 one or more; 2 unreadable input, config,
 * `--out` or arguments (one line naming the file and the problem); 3 an internal fault (a policy that
 * crashed), with the invitation to --verbose. `--out` is written through a temporary file and a rename.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import {
  readAuditInput,
  readPolicyConfig,
  renderReport,
  reportContext,
  REPORT_FORMATS,
  runAudit,
  type ReportFormat,
} from "../audit";
import { checkCommit, detectCommit } from "../audit/commit";
import { maskSecrets } from "../redaction/secrets";
import { checkOutputTarget, writeFileAtomically } from "./atomic-output";
import { EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, inputErrorLines, internalFaultLines } from "./exit-codes";
import { buildIsCurrent } from "./build-freshness";
import { judgementDay } from "./today-option";

const USAGE = "usage: npm run audit -- --input <file> [--format text|json|md|sarif] [--out <file>] [--config <policy-config.json>] [--commit <rev>] [--today YYYY-MM-DD] [--verbose]";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The command's result; every line it prints passes the secret mask (redaction/secrets.ts), as every file it writes does. */
export async function runAuditCli(argv: readonly string[], now?: Date): Promise<CliResult> {
  const result = await runAuditCliUnmasked(argv, now);
  return { ...result, stdout: maskSecrets(result.stdout), stderr: maskSecrets(result.stderr) };
}

async function runAuditCliUnmasked(argv: readonly string[], now?: Date): Promise<CliResult> {
  let values: { input?: string; format?: string; out?: string; config?: string; commit?: string; today?: string; help?: boolean; verbose?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        input: { type: "string", short: "i" },
        format: { type: "string", short: "f", default: "text" },
        out: { type: "string", short: "o" },
        config: { type: "string", short: "c" },
        commit: { type: "string" },
        today: { type: "string" },
        help: { type: "boolean", short: "h" },
        verbose: { type: "boolean", short: "v" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return fail(`audit: ${(error as Error).message.split("\n")[0]}; ${USAGE}`);
  }
  if (values.help === true) return { code: EXIT_OK, stdout: `${USAGE}\n`, stderr: "" };
  if (values.input === undefined) return fail(`audit: --input is required; ${USAGE}`);
  const format = values.format ?? "text";
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    return fail(`audit: --format "${format}" is not allowed; allowed: ${REPORT_FORMATS.join(", ")}`);
  }
  const commitProblem = values.commit === undefined ? undefined : checkCommit(values.commit);
  if (commitProblem !== undefined) return fail(`audit: ${commitProblem}`);
  const day = judgementDay("audit", values.today);
  if ("problem" in day) return fail(day.problem);
  const judgedOn = day.now ?? now;
  try {
    if (values.out !== undefined) checkOutputTarget("--out", values.out, "file", [values.input, ...(values.config === undefined ? [] : [values.config])]);
    const input = readAuditInput(values.input);
    const config = values.config === undefined ? undefined : readPolicyConfig(values.config);
    const result = await runAudit(input, {
      ...(config === undefined ? {} : { config, configSource: values.config }),
      ...(judgedOn === undefined ? {} : { now: judgedOn }),
      // The revision of the checkout holding the input, unless CI says which commit it audits.
      commit: values.commit ?? detectCommit(path.dirname(path.resolve(values.input))),
    });
    const report = renderReport(result, format as ReportFormat, reportContext(input.resources));
    const code = result.summary.passed ? EXIT_OK : EXIT_FINDINGS;
    if (values.out === undefined) return { code, stdout: report, stderr: "" };
    writeFileAtomically(values.out, report);
    const s = result.summary;
    return {
      code,
      stdout: `audit ${result.input.stack ?? values.input}: ${s.passed ? "passed" : "failed"}; ${s.mandatory} mandatory, ${s.advisory} advisory, ${s.waived} waived; written to ${values.out}\n`,
      stderr: "",
    };
  } catch (error) {
    const lines = inputErrorLines(error);
    if (lines !== undefined) return { code: EXIT_INPUT, stdout: "", stderr: lines.map((l) => `audit: ${l}\n`).join("") };
    return { code: EXIT_INTERNAL, stdout: "", stderr: `${internalFaultLines("audit", error, values.verbose === true).join("\n")}\n` };
  }
}

function fail(line: string): CliResult {
  return { code: EXIT_INPUT, stdout: "", stderr: `${line}\n` };
}

async function main(): Promise<void> {
  const result = await runAuditCli(process.argv.slice(2));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.code;
}

if (require.main === module && buildIsCurrent("audit", __filename)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${internalFaultLines("audit", error, process.argv.includes("--verbose")).join("\n")}\n`);
    process.exitCode = EXIT_INTERNAL;
  });
}
