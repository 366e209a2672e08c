import type { AuditResult, WaiverRecord } from "../types";

/** Shared wording of the audit reports, so text, Markdown and SARIF say the same thing. */

/** "1 rule", "3 rules": every count says what it counts. */
export function plural(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}

/** The first line of every report: what was judged, at which commit, by which pack. */
export function reportHeadline(result: AuditResult): string {
  const stack = result.input.stack === undefined ? "" : `: stack ${result.input.stack}`;
  return `Policy audit${stack} · commit ${result.commit} · policy pack ${result.pack.name} ${result.pack.version}`;
}

/** Whether a waiver matched anything: the number of findings it suppressed, nothing, or why it is void. */
export function waiverMatch(w: WaiverRecord): string {
  if (w.status === "invalid") return "invalid: not honoured";
  if (w.suppressed.length === 0) return "matched nothing";
  return `matched ${plural(w.suppressed.length, "finding")}`;
}
