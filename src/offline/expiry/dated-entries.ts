import { InputError } from "../../config/input-error";
import { parseJson } from "../../config/json-reader";
import { parseYaml } from "../../config/yaml-reader";

/**
 * Things that stop holding on a date: egress exceptions (D6, `<project>:egress` → `exceptions[].expires`
 * in `Pulumi.<stack>.yaml`) and policy waivers (GOV-01, any object with an `expiry` or `expires` date in
 * the policy config files under `policy/config/`). Read here, judged in expiring.ts.
 */
export interface DatedEntry {
  readonly kind: "egress exception" | "policy waiver";
  readonly file: string;
  /** Key path of the date inside the file. */
  readonly path: string;
  /** What expires, for a person: the host, or the policy and resource. */
  readonly what: string;
  /** YYYY-MM-DD, the last day on which the entry holds. */
  readonly expires: string;
}

/** A file that cannot be read or a date that is not one; the message is one line naming the file. */
export class DatedEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatedEntryError";
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (m === null) return false;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) === value;
}

export function parseDocument(file: string, text: string): unknown {
  try {
    return file.endsWith(".json") ? parseJson(text, file) : parseYaml(text, file);
  } catch (error) {
    if (error instanceof InputError) throw new DatedEntryError(error.message);
    throw error;
  }
}

/** The egress exceptions of one stack config file. */
export function egressExceptions(file: string, document: unknown, project: string): DatedEntry[] {
  const key = `${project}:egress`;
  const config = record(record(document)?.config);
  const egress = record(config?.[key]);
  const exceptions = egress?.exceptions;
  if (exceptions === undefined || exceptions === null) return [];
  if (!Array.isArray(exceptions)) throw new DatedEntryError(`${file}: ${key}.exceptions: expected a list`);
  return exceptions.map((raw, i) => {
    const path = `${key}.exceptions[${i}].expires`;
    const entry = record(raw) ?? {};
    const expires = dateText(entry.expires);
    if (expires === undefined || !isCalendarDate(expires)) {
      throw new DatedEntryError(`${file}: ${path}: ${JSON.stringify(entry.expires ?? null)} is not a date; allowed: YYYY-MM-DD`);
    }
    const host = typeof entry.host === "string" ? entry.host : "(no host)";
    const ticket = typeof entry.ticket === "string" ? `, ${entry.ticket}` : "";
    return { kind: "egress exception", file, path, what: `${host}${ticket}`, expires };
  });
}

/** Every dated object in a policy config file: waivers, wherever the file nests them. */
export function waivers(file: string, document: unknown): DatedEntry[] {
  const found: DatedEntry[] = [];
  const visit = (value: unknown, path: string, owner: string | undefined): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}[${i}]`, owner));
      return;
    }
    const entry = record(value);
    if (entry === undefined) return;
    for (const key of ["expiry", "expires"]) {
      if (entry[key] === undefined) continue;
      const expires = dateText(entry[key]);
      const at = `${path === "" ? "" : `${path}.`}${key}`;
      if (expires === undefined || !isCalendarDate(expires)) {
        throw new DatedEntryError(`${file}: ${at}: ${JSON.stringify(entry[key])} is not a date; allowed: YYYY-MM-DD`);
      }
      const policy = typeof entry.policy === "string" ? entry.policy : (owner ?? "(policy)");
      const resource = typeof entry.resource === "string" ? ` for ${entry.resource}` : "";
      found.push({ kind: "policy waiver", file, path: at, what: `${policy}${resource}`, expires });
    }
    for (const [key, child] of Object.entries(entry)) {
      // A waiver list sits under its policy's entry; that key names the policy.
      const childOwner = key === "waivers" || key === "exceptions" ? owner : key;
      visit(child, path === "" ? key : `${path}.${key}`, childOwner);
    }
  };
  visit(document, "", undefined);
  return found;
}

/** The YAML reader keeps an unquoted date as the string it reads as (core schema: no timestamp type). */
function dateText(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
