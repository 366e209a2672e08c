import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { diffSnapshots, renderMarkdown, type AuditFunction } from "../diff";
import { renderText } from "../diff/render-text";
import { auditWithPolicyPack } from "../diff/policy-audit";
import { readSnapshot, SnapshotError } from "../snapshot/reader";
import type { StackExport } from "../snapshot/types";

/**
 * `npm run diff -- --base <stack.json> --head <stack.json> [--format md|text|json] [--out <file>] [--heading-level <1-6>] [--no-audit]`
 *
 * Compares two snapshots (`synth` output or `pulumi stack export`) and prints what deploying head over
 * base would do, with the policy results that change (the policy pack's offline audit of both, unless
 * `--no-audit`). Exit 0 whatever the diff says (review is for people; the policy gate is the audit);
 * 2 when an input is unreadable or the arguments are wrong, with one line saying which.
 */
export interface DiffCliDependencies {
  /** The policy pack's offline audit, reduced to findings (the CLI uses auditWithPolicyPack). */
  readonly audit?: AuditFunction;
}

const USAGE =
  "usage: npm run diff -- --base <stack.json> --head <stack.json> [--format md|text|json] [--out <file>] [--heading-level <1-6>] [--no-audit]";

export async function runDiffCli(argv: readonly string[], deps: DiffCliDependencies = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let values: { base?: string; head?: string; format?: string; out?: string; "heading-level"?: string; "no-audit"?: boolean; help?: boolean };
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
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return fail(`diff: ${(error as Error).message.split("\n")[0]}; ${USAGE}`);
  }
  if (values.help === true) return { code: 0, stdout: `${USAGE}\n`, stderr: "" };
  if (values.base === undefined || values.head === undefined) return fail(`diff: --base and --head are required; ${USAGE}`);
  if (values.format !== "md" && values.format !== "json" && values.format !== "text") {
    return fail(`diff: --format "${values.format}" is not allowed; allowed: md, text, json`);
  }
  const headingLevel = Number(values["heading-level"]);
  if (!Number.isInteger(headingLevel) || headingLevel < 1 || headingLevel > 6) {
    return fail(`diff: --heading-level "${values["heading-level"]}" is not allowed; allowed: 1..6`);
  }

  let base: StackExport;
  let head: StackExport;
  try {
    base = readSnapshot(values.base);
    head = readSnapshot(values.head);
  } catch (error) {
    if (error instanceof SnapshotError) return fail(`diff: ${error.message.split("\n")[0]}`);
    throw error;
  }

  const diff = await diffSnapshots(base, head, { audit: values["no-audit"] === true ? undefined : deps.audit });
  const text =
    values.format === "json" ? `${JSON.stringify(diff, null, 2)}\n` : values.format === "text" ? renderText(diff) : renderMarkdown(diff, { headingLevel });
  if (values.out === undefined) return { code: 0, stdout: text, stderr: "" };
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, text);
  const c = diff.counts;
  const summary = `diff ${diff.head.stack}: ${c.remove} to delete, ${c.replace} to replace, ${c.update} to update, ${c.add} to create; ${diff.warnings.length} warning(s); written to ${values.out}\n`;
  return { code: 0, stdout: summary, stderr: "" };
}

function fail(line: string): { code: number; stdout: string; stderr: string } {
  return { code: 2, stdout: "", stderr: `${line}\n` };
}

async function main(): Promise<void> {
  const result = await runDiffCli(process.argv.slice(2), { audit: auditWithPolicyPack });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.code;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`diff: ${(error as Error).message.split("\n")[0]}\n`);
    process.exitCode = 1;
  });
}
