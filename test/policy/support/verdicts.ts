import { splitFinding } from "../../../policy/framework/findings";
import type { Diagnostic } from "./pack-server";

/**
 * One verdict as a line both sides can be compared by: the engine-served pack's diagnostic, or the
 * offline auditor's violation (in-process or from audit.json).
 */
export function comparable(d: Pick<Diagnostic, "policy" | "level" | "message"> & { readonly urn?: string | undefined; readonly finding?: string }): string {
  // The engine carries the finding key in the message; the auditor splits it into its own field.
  const split = splitFinding(d.message);
  const finding = d.finding ?? split.key;
  // The engine and the auditor word the unknown-value advisory differently; the finding is the same.
  const message = split.message.replace(/^can't run policy '[^']+' from policy pack '[^']+' during preview: /, "unknown: ").replace(/^cannot be checked during preview: /, "unknown: ");
  return `${d.policy} [${d.level}] ${d.urn ?? "stack"}: ${message}${finding === split.message || finding === d.message ? "" : ` [finding ${finding}]`}`;
}
