import { existsSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { readBoundedText } from "../../config/bounded-file";
import { InputError } from "../../config/input-error";
import { YAML_LIMITS } from "../../config/yaml-reader";
import { DatedEntryError, egressExceptions, isCalendarDate, parseDocument, waivers, type DatedEntry } from "../expiry/dated-entries";
import { describe, expiringWithin } from "../expiry/expiring";
import { removeExpiredExceptions } from "../expiry/remove-expired";
import { writeFileAtomically } from "./atomic-output";
import { EXIT_INTERNAL, internalFaultLines } from "./exit-codes";
import { buildIsCurrent } from "./build-freshness";

/**
 * `npm run expiry -- [--days 7] [--today YYYY-MM-DD] [--root <repo>] [--format text|md]`
 *
 * Fails (exit 1) when an egress exception (`Pulumi.<stack>.yaml`, `<project>:egress.exceptions[].expires`)
 * or a policy waiver (`policy/config/**`, `expiry`) expires within `--days` days or has expired, so that
 * someone renews or removes it before the proxy host or the policy pack does it for them. Exit 0 when
 * none does; 2 when a file cannot be read or holds a date that is not one (one line naming it); 3 an
 * internal fault (exit-codes.ts).
 *
 * `--remove-expired` instead deletes the egress exceptions whose last day has passed from every
 * `Pulumi.<stack>.yaml`, keeping comments and layout; the scheduled workflow opens a pull request with it.
 */
const USAGE = "usage: npm run expiry -- [--days <n>] [--today YYYY-MM-DD] [--root <dir>] [--format text|md] [--remove-expired]";

export interface ExpiryResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runExpiryCli(argv: readonly string[], now: Date = new Date()): ExpiryResult {
  let values: { days?: string; today?: string; root?: string; format?: string; help?: boolean; "remove-expired"?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        days: { type: "string", default: "7" },
        today: { type: "string" },
        root: { type: "string", default: "." },
        format: { type: "string", default: "text" },
        help: { type: "boolean", short: "h", default: false },
        "remove-expired": { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return fail(`expiry: ${(error as Error).message.split("\n")[0]}; ${USAGE}`);
  }
  if (values.help === true) return { code: 0, stdout: `${USAGE}\n`, stderr: "" };
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 0) return fail(`expiry: --days "${values.days}" is not allowed; allowed: a whole number of days, 0 or more`);
  const today = values.today ?? now.toISOString().slice(0, 10);
  if (!isCalendarDate(today)) return fail(`expiry: --today "${today}" is not allowed; allowed: a date YYYY-MM-DD`);
  if (values.format !== "text" && values.format !== "md") return fail(`expiry: --format "${values.format}" is not allowed; allowed: text, md`);
  const root = values.root as string;
  if (values["remove-expired"] === true) return removeExpired(root, today);

  let entries: DatedEntry[];
  try {
    entries = collect(root);
  } catch (error) {
    if (error instanceof DatedEntryError) return fail(`expiry: ${error.message}`);
    throw error;
  }
  const expiring = expiringWithin(entries, today, days);
  const summary = `${expiring.length} of ${entries.length} dated entr${entries.length === 1 ? "y" : "ies"} expire${expiring.length === 1 ? "s" : ""} within ${days} days of ${today}`;
  const lines =
    values.format === "md"
      ? [
          `### Expiry check: ${expiring.length === 0 ? "nothing expires soon" : `${expiring.length} to renew or remove`}`,
          "",
          `${summary}.`,
          ...(expiring.length === 0 ? [] : ["", ...expiring.map((e) => `- ${describe(e).replace(/: (\S+) (\S+)$/, ": `$1` `$2`")}`)]),
        ]
      : [...expiring.map((e) => `EXPIRING ${describe(e)}`), summary];
  return { code: expiring.length === 0 ? 0 : 1, stdout: `${lines.join("\n")}\n`, stderr: "" };
}

/** `--remove-expired`: drops expired egress exceptions from every stack file (the scheduled job's pull request). */
function removeExpired(root: string, today: string): ExpiryResult {
  let project: string;
  try {
    project = projectName(root);
  } catch (error) {
    if (error instanceof DatedEntryError) return fail(`expiry: ${error.message}`);
    throw error;
  }
  const lines: string[] = [];
  for (const name of readdirSync(root).filter((n) => /^Pulumi\.[^.]+\.ya?ml$/.test(n)).sort()) {
    const { text, removed } = removeExpiredExceptions(read(root, name), project, today);
    if (removed.length === 0) continue;
    writeFileAtomically(path.join(root, name), text);
    lines.push(...removed.map((r) => `REMOVED ${name}: egress exception ${r}`));
  }
  lines.push(`${lines.length} expired egress exception(s) removed (today ${today})`);
  return { code: 0, stdout: `${lines.join("\n")}\n`, stderr: "" };
}

/** Every stack config at the root, and every JSON or YAML file under policy/config/. */
function collect(root: string): DatedEntry[] {
  const project = projectName(root);
  const entries: DatedEntry[] = [];
  for (const name of readdirSync(root).filter((n) => /^Pulumi\.[^.]+\.ya?ml$/.test(n)).sort()) {
    entries.push(...egressExceptions(name, parseDocument(name, read(root, name)), project));
  }
  const policyDir = path.join(root, "policy", "config");
  if (existsSync(policyDir)) {
    for (const file of listFiles(policyDir)) {
      const relative = path.relative(root, file);
      entries.push(...waivers(relative, parseDocument(relative, read(root, relative))));
    }
  }
  return entries;
}

function projectName(root: string): string {
  const document = parseDocument("Pulumi.yaml", read(root, "Pulumi.yaml"));
  const name = typeof document === "object" && document !== null ? (document as Record<string, unknown>).name : undefined;
  if (typeof name !== "string") throw new DatedEntryError("Pulumi.yaml: no project `name`");
  return name;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return listFiles(full);
      return /\.(json|ya?ml)$/.test(name) ? [full] : [];
    });
}

function read(root: string, relative: string): string {
  try {
    return readBoundedText(path.join(root, relative), YAML_LIMITS.maxBytes, "configuration");
  } catch (error) {
    if (error instanceof InputError) throw new DatedEntryError(`${relative}: ${error.problem}`);
    throw error;
  }
}

function fail(line: string): ExpiryResult {
  return { code: 2, stdout: "", stderr: `${line}\n` };
}

if (require.main === module && buildIsCurrent("expiry", __filename)) {
  try {
    const result = runExpiryCli(process.argv.slice(2));
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    process.exitCode = result.code;
  } catch (error) {
    process.stderr.write(`${internalFaultLines("expiry", error, process.argv.includes("--verbose")).join("\n")}\n`);
    process.exitCode = EXIT_INTERNAL;
  }
}
