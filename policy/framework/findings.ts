/**
 * A finding is one thing a rule found wrong, with a key of its own: the port range and source of an
 * opening, the action of a statement, the principal of a trust policy. Waivers name that key, so a
 * waiver accepts one finding, not everything a resource may ever get wrong: widening a waived
 * opening changes its key and fails again.
 *
 * The Pulumi engine only carries a message (and a URN) per violation, so the key travels at the end
 * of the message as ` [finding <key>]`; the offline auditor reads it back into its own field. A
 * finding reported without a key is keyed by its whole message, so any change to it fails again too.
 */
export type FindingReporter = (message: string, urn?: string, key?: string) => void;

const SUFFIX = /\s\[finding ([^\]]+)\]$/;

/** Keys are single-line text without brackets, so they survive the message round trip. */
export function normaliseKey(key: string): string {
  return key.replace(/[[\]\n\r]+/g, " ").replace(/\s+/g, " ").trim();
}

/** The message the engine gets: the finding's key appended when it has one of its own. */
export function withFindingKey(message: string, key: string | undefined): string {
  if (key === undefined || normaliseKey(key) === "") return message;
  return `${message} [finding ${normaliseKey(key)}]`;
}

/** The finding key and the plain message of a reported violation. */
export function splitFinding(reported: string): { message: string; key: string } {
  const m = SUFFIX.exec(reported);
  if (m === null) return { message: reported, key: reported };
  return { message: reported.slice(0, m.index), key: m[1] as string };
}

/** A finding's key for waiver matching: its own key, else its whole message. */
export function findingKeyOf(message: string, key: string | undefined): string {
  return key === undefined || normaliseKey(key) === "" ? message : normaliseKey(key);
}
