import { oneLine } from "../../redaction/markdown";
import type { AuditResult } from "../types";
import { plural, reportHeadline, waiverMatch } from "./wording";

/** For a terminal: the headline (stack, commit, pack), the verdict, each violation with the resource and the fix, then the waivers. */
export function renderText(result: AuditResult): string {
  const { summary, input } = result;
  const lines: string[] = [];
  lines.push(oneLine(reportHeadline(result)));
  lines.push(`input ${oneLine(input.source)} (${input.format}, ${plural(input.resources, "resource")} in the stack); waivers judged on ${result.date}`);
  const verdict = summary.passed ? "PASSED" : "FAILED";
  const inScope = result.policies.reduce((n, p) => n + p.scope.resources, 0);
  const passed = result.policies.reduce((n, p) => n + p.scope.passed, 0);
  lines.push(
    `${verdict}: ${plural(summary.mandatory, "mandatory violation")}, ${plural(summary.advisory, "advisory violation")} (${summary.unchecked} not checkable), ` +
      `${plural(summary.waived, "waived finding")}; ${plural(result.policies.length, "rule")} judged; ${passed} of ${inScope} rule-resource checks passed`,
  );
  for (const v of result.violations) {
    lines.push("");
    // Messages and URNs quote user-chosen names: kept to one line, so none can forge a verdict line.
    lines.push(`[${v.level}] ${v.policy} (${v.severity}) ${oneLine(v.message)}`);
    if (v.urn !== undefined) lines.push(`    resource: ${oneLine(v.urn)}`);
    if (v.kind === "violation" && v.finding !== v.message) lines.push(`    finding: ${oneLine(v.finding)}`);
    if (v.kind === "violation") lines.push(`    fix: ${v.remediation}`);
  }
  if (result.waivers.length > 0) lines.push("", `waivers (${result.waivers.length}):`);
  for (const w of result.waivers) {
    const who = `ticket ${w.ticket ?? "none"}, approved by ${w.approver ?? "nobody"}, until ${w.expiry ?? "no expiry"}`;
    lines.push(oneLine(`  ${w.policy} on ${w.resource}, finding ${w.finding ?? "(none named)"}: ${waiverMatch(w)} (${who})${w.reason === undefined ? "" : `: ${w.reason}`}`));
    for (const s of w.suppressed) lines.push(oneLine(`    suppresses ${s.urn ?? "the stack"} finding ${s.finding}`));
    if (w.problems.length > 0) lines.push(oneLine(`    problems: ${w.problems.join("; ")}`));
  }
  for (const note of result.notes) lines.push(`note: ${note}`);
  return `${lines.join("\n")}\n`;
}
