import { parseArgs } from "node:util";
import { diffSnapshots, renderMarkdown, type AuditFunction } from "../diff";
import { renderText } from "../diff/render-text";
import { auditWithPolicyPack } from "../diff/policy-audit";
import { readSnapshot, snapshotIdentity } from "../snapshot/reader";
import type { StackExport } from "../snapshot/types";
import { maskSecrets } from "../redaction/secrets";
import { checkOutputTarget, writeFileAtomically } from "./atomic-output";
import { EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, inputErrorLines, internalFaultLines } from "./exit-codes";
import { buildIsCurrent } from "./build-freshness";

/**
 * `npm run diff -- --base <stack.json> --head <stack.json> [--format md|text|json] [--out <file>] [--heading-level <1-6>] [--no-audit]`
 *
 * Compares two snapshots (`synth` output or `pulumi stack export`) and prints what deploying head over
 * base would do, with the policy results that change (the policy pack's offline audit of both, unless
 * `--no-audit`). Two snapshots of different projects or stacks are refused unless
 * `--allow-different-stacks` says the comparison is meant. Exit (exit-codes.ts) 0 whatever the diff says
 * (review is for people; the policy gate is the audit); 2 when an input or `--out` is unusable or the
 * arguments are wrong, with one line saying which; 3 an internal fault, with the invitation to --verbose.
 */
export interface DiffCliDependencies {
  /** The policy pack's offline audit, reduced to findings (the CLI uses auditWithPolicyPack). */
  readonly audit?: AuditFunction;
}

const USAGE =
  "usage: npm run diff -- --base <stack.json> --head <stack.json> [--format md|text|json] [--out <file>] [--heading-level <1-6>] [--no-audit] [--allow-different-stacks] [--verbose]";

/** Base and head are snapshots of different stacks or projects, and nobody said that was meant. */
export class StackMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackMismatchError";
  }
}

function sameStack(base: StackExport, head: StackExport, basePath: string, headPath: string): void {
  const a = snapshotIdentity(base);
  const b = snapshotIdentity(head);
  if (a === undefined || b === undefined || (a.project === b.project && a.stack === b.stack)) return;
  throw new StackMismatchError(
    `--base ${basePath} is stack "${a.stack}" of project "${a.project}" but --head ${headPath} is stack "${b.stack}" of project "${b.project}"; allowed: two snapshots of the same stack, or --allow-different-stacks`,
  );
}

/** The command's result; every line it prints passes the secret mask (redaction/secrets.ts), as every file it writes does. */
export async function runDiffCli(argv: readonly string[], deps: DiffCliDependencies = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await runDiffCliUnmasked(argv, deps);
  return { ...result, stdout: maskSecrets(result.stdout), stderr: maskSecrets(result.stderr) };
}

async function runDiffCliUnmasked(argv: readonly string[], deps: DiffCliDependencies = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let values: {
    base?: string;
    head?: string;
    format?: string;
    out?: string;
    "heading-level"?: string;
    "no-audit"?: boolean;
    "allow-different-stacks"?: boolean;
    verbose?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        base: { type: "string" },
        head: { type: "string" },
        format: { type: "string", default: "md" },
        out: { type: "string" },
        "heading-level": { type: "string", default: "2" },
        "no-audit": { type: "boolean", default: false },
        "allow-different-stacks": { type: "boolean", default: false },
        verbose: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return fail(`diff: ${(error as Error).message.split("\n")[0]}; ${USAGE}`);
  }
  if (values.help === true) return { code: EXIT_OK, stdout: `${USAGE}\n`, stderr: "" };
  if (values.base === undefined || values.head === undefined) return fail(`diff: --base and --head are required; ${USAGE}`);
  if (values.format !== "md" && values.format !== "json" && values.format !== "text") {
    return fail(`diff: --format "${values.format}" is not allowed; allowed: md, text, json`);
  }
  const headingLevel = Number(values["heading-level"]);
  if (!Number.isInteger(headingLevel) || headingLevel < 1 || headingLevel > 6) {
    return fail(`diff: --heading-level "${values["heading-level"]}" is not allowed; allowed: 1..6`);
  }

  const { base: basePath, head: headPath, out } = values;
  try {
    if (out !== undefined) checkOutputTarget("--out", out, "file", [basePath, headPath]);
    const base = readSnapshot(basePath);
    const head = readSnapshot(headPath);
    if (values["allow-different-stacks"] !== true) sameStack(base, head, basePath, headPath);
    const diff = await diffSnapshots(base, head, { audit: values["no-audit"] === true ? undefined : deps.audit });
    const text =
      values.format === "json" ? `${JSON.stringify(diff, null, 2)}\n` : values.format === "text" ? renderText(diff) : renderMarkdown(diff, { headingLevel });
    if (out === undefined) return { code: EXIT_OK, stdout: text, stderr: "" };
    writeFileAtomically(out, text);
    const c = diff.counts;
    const summary = `diff ${diff.head.stack}: ${c.remove} to delete, ${c.replace} to replace, ${c.update} to update, ${c.add} to create; ${diff.warnings.length} warning(s); written to ${out}\n`;
    return { code: EXIT_OK, stdout: summary, stderr: "" };
  } catch (error) {
    const lines = inputErrorLines(error);
    if (lines !== undefined) return { code: EXIT_INPUT, stdout: "", stderr: lines.map((l) => `diff: ${l}\n`).join("") };
    return { code: EXIT_INTERNAL, stdout: "", stderr: `${internalFaultLines("diff", error, values.verbose === true).join("\n")}\n` };
  }
}

function fail(line: string): { code: number; stdout: string; stderr: string } {
  return { code: EXIT_INPUT, stdout: "", stderr: `${line}\n` };
}

async function main(): Promise<void> {
  const result = await runDiffCli(process.argv.slice(2), { audit: auditWithPolicyPack });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.code;
}

if (require.main === module && buildIsCurrent("diff", __filename)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${internalFaultLines("diff", error, process.argv.includes("--verbose")).join("\n")}\n`);
    process.exitCode = EXIT_INTERNAL;
  });
}
