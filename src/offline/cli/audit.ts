/**
 * `npm run audit -- --input <file> [--format text|json|md|sarif] [--out <file>] [--config <policy-config.json>]`
 *
 * Evaluates the policy pack offline against a synth snapshot, a `pulumi stack export`, or the output of
 * `pulumi preview --json`, with the same policy objects `pulumi preview --policy-pack policy` loads.
 * `--config` takes the file `--policy-pack-config` takes (e.g. policy/config/prod.json).
 *
 * Exit codes: 0 no mandatory violation; 1 one or more; 2 unreadable input, config or arguments
 * (one line naming the file and the problem).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import {
  AuditInputError,
  AuditRunError,
  PolicyConfigError,
  readAuditInput,
  readPolicyConfig,
  renderReport,
  reportContext,
  REPORT_FORMATS,
  runAudit,
  type ReportFormat,
} from "../audit";

const USAGE = "usage: npm run audit -- --input <file> [--format text|json|md|sarif] [--out <file>] [--config <policy-config.json>]";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runAuditCli(argv: readonly string[], now?: Date): Promise<CliResult> {
  let values: { input?: string; format?: string; out?: string; config?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        input: { type: "string", short: "i" },
        format: { type: "string", short: "f", default: "text" },
        out: { type: "string", short: "o" },
        config: { type: "string", short: "c" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return fail(`audit: ${(error as Error).message.split("\n")[0]}; ${USAGE}`);
  }
  if (values.help === true) return { code: 0, stdout: `${USAGE}\n`, stderr: "" };
  if (values.input === undefined) return fail(`audit: --input is required; ${USAGE}`);
  const format = values.format ?? "text";
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    return fail(`audit: --format "${format}" is not allowed; allowed: ${REPORT_FORMATS.join(", ")}`);
  }
  try {
    const input = readAuditInput(values.input);
    const config = values.config === undefined ? undefined : readPolicyConfig(values.config);
    const result = await runAudit(input, {
      ...(config === undefined ? {} : { config, configSource: values.config }),
      ...(now === undefined ? {} : { now }),
    });
    const report = renderReport(result, format as ReportFormat, reportContext(input.resources));
    const code = result.summary.passed ? 0 : 1;
    if (values.out === undefined) return { code, stdout: report, stderr: "" };
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, report);
    const s = result.summary;
    return {
      code,
      stdout: `audit ${result.input.stack ?? values.input}: ${s.passed ? "passed" : "failed"}; ${s.mandatory} mandatory, ${s.advisory} advisory, ${s.waived} waived; written to ${values.out}\n`,
      stderr: "",
    };
  } catch (error) {
    if (error instanceof AuditInputError || error instanceof PolicyConfigError || error instanceof AuditRunError) {
      return fail(`audit: ${error.message.split("\n")[0]}`);
    }
    throw error;
  }
}

function fail(line: string): CliResult {
  return { code: 2, stdout: "", stderr: `${line}\n` };
}

async function main(): Promise<void> {
  const result = await runAuditCli(process.argv.slice(2));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.code;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`audit: ${(error as Error).message.split("\n")[0]}\n`);
    process.exitCode = 2;
  });
}
