import { oneLine } from "../../redaction/markdown";
import type { AuditResult } from "../types";

/** For a terminal: the verdict, then each violation with the resource and the fix. */
export function renderText(result: AuditResult): string {
  const { summary, input } = result;
  const lines: string[] = [];
  const where = [input.stack === undefined ? undefined : `stack ${input.stack}`, `${input.resources} resources`].filter((x) => x !== undefined).join(", ");
  lines.push(`Policy audit of ${oneLine(input.source)} (${oneLine(where)}); pack ${result.pack.name} ${result.pack.version}; judged on ${result.date}`);
  const verdict = summary.passed ? "PASSED" : "FAILED";
  lines.push(
    `${verdict}: ${summary.mandatory} mandatory, ${summary.advisory} advisory (${summary.unchecked} not checkable), ${summary.waived} waived; ` +
      `${result.policies.length} policies`,
  );
  for (const v of result.violations) {
    lines.push("");
    // Messages and URNs quote user-chosen names: kept to one line, so none can forge a verdict line.
    lines.push(`[${v.level}] ${v.policy} (${v.severity}) ${oneLine(v.message)}`);
    if (v.urn !== undefined) lines.push(`    resource: ${oneLine(v.urn)}`);
    if (v.kind === "violation") lines.push(`    fix: ${v.remediation}`);
  }
  const invalid = result.waivers.filter((w) => w.status === "invalid");
  const applied = result.waivers.filter((w) => w.status === "applied");
  if (applied.length > 0 || invalid.length > 0) lines.push("");
  for (const w of applied) lines.push(oneLine(`waived: ${w.policy} on ${w.resource} (approved by ${w.approver ?? "?"}, until ${w.expiry ?? "no expiry"}): ${w.reason ?? ""}`));
  for (const w of invalid) lines.push(oneLine(`invalid waiver: ${w.policy} on ${w.resource}: ${w.problems.join("; ")}`));
  for (const note of result.notes) lines.push(`note: ${note}`);
  return `${lines.join("\n")}\n`;
}
