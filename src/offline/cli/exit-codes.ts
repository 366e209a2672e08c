import { InputError } from "../../config/input-error";

/**
 * The one exit-code contract of every command (synth, audit, diff, expiry, preflight), in README.md:
 * 0 success; 1 findings (audit, preflight, expiry); 2 the user's input is wrong (one line per problem
 * naming the file and the key); 3 an internal fault (a bug: the message and an invitation to --verbose).
 */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_INPUT = 2;
export const EXIT_INTERNAL = 3;

/** Errors that mean "the input is wrong" and carry their own one-line message(s). */
const INPUT_ERROR_NAMES = new Set([
  "InputError",
  "ConfigError",
  "SnapshotError",
  "AuditInputError",
  "PolicyConfigError",
  "DatedEntryError",
  "OutputTargetError",
  "StackMismatchError",
]);

/** The one-line problems of a user-input error, or undefined when the error is a fault of ours. */
export function inputErrorLines(err: unknown): string[] | undefined {
  if (!(err instanceof Error)) return undefined;
  if (!(err instanceof InputError) && !INPUT_ERROR_NAMES.has(err.name)) return undefined;
  const lines = (err as { lines?: unknown }).lines;
  if (Array.isArray(lines) && lines.length > 0 && lines.every((l) => typeof l === "string")) return lines as string[];
  return [err.message.split("\n")[0] ?? err.name];
}

/** What an internal fault prints: the message, then the stack trace with --verbose or the invitation to it. */
export function internalFaultLines(command: string, err: unknown, verbose: boolean): string[] {
  const e = err instanceof Error ? err : new Error(String(err));
  const [first = e.name, ...details] = e.message.split("\n");
  const message = [`${command}: internal error: ${first}`, ...details];
  if (verbose && e.stack !== undefined) return [...message, e.stack];
  return [...message, "(this is a bug, not your input; run again with --verbose for the stack trace)"];
}
