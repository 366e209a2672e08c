import type { AuditResult, ViolationRecord } from "../types";
import { mdCell, mdCode, mdText } from "../../redaction/markdown";

/**
 * For people (auditors, reviewers): the verdict, the summary by architecture decision and by control,
 * the violations with their remediation, the waivers, the zone-to-zone reachability matrix, and the
 * policy list with resolved levels.
 */
function cell(value: string): string {
  return mdCell(value);
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)];
}

function code(value: string): string {
  return mdCode(value);
}

function violationLines(v: ViolationRecord): string[] {
  const subject = v.name === undefined ? "the stack" : `${code(v.name)} (${code(v.type ?? "")})`;
  const lines = [`- **${v.level}** · ${subject}: ${mdText(v.message)}`];
  if (v.urn !== undefined) lines.push(`  - URN: ${code(v.urn)}`);
  if (v.kind === "violation" && v.finding !== v.message) lines.push(`  - Finding: ${code(v.finding)}`);
  if (v.kind === "violation") lines.push(`  - Remediation: ${v.remediation}`);
  return lines;
}

export function renderMarkdown(result: AuditResult): string {
  const { summary, input } = result;
  const out: string[] = [];
  out.push(`# Policy audit${input.stack === undefined ? "" : `: stack ${code(input.stack)}`}`);
  out.push("");
  out.push(
    `**${summary.passed ? "Passed" : "Failed"}**: ${summary.mandatory} mandatory violation(s), ${summary.advisory} advisory ` +
      `(${summary.unchecked} not checkable), ${summary.waived} waived.`,
  );
  out.push("");
  out.push(
    `Input ${code(input.source)} (${input.format}, ${input.resources} resources${input.project === undefined ? "" : `, project ${code(input.project)}`}); ` +
      `policy pack ${code(result.pack.name)} ${result.pack.version}; waivers judged on ${result.date}.`,
  );

  out.push("", "## Summary by architecture decision", "");
  out.push(...table(["Decision", "Policies", "Mandatory", "Advisory"], summary.byDecision.map((d) => [`${d.decision}: ${d.title}`, d.policies.join(", ") || "—", String(d.mandatory), String(d.advisory)])));

  out.push("", "## Summary by control", "");
  out.push(...table(["Control", "Policies", "Mandatory", "Advisory"], summary.byControl.map((c) => [c.control, c.policies.join(", "), String(c.mandatory), String(c.advisory)])));

  out.push("", "## Violations", "");
  if (result.violations.length === 0) out.push("None.");
  const byPolicy = new Map<string, ViolationRecord[]>();
  for (const v of result.violations) byPolicy.set(v.policy, [...(byPolicy.get(v.policy) ?? []), v]);
  for (const [id, list] of byPolicy) {
    const first = list[0] as ViolationRecord;
    out.push(`### ${id} ${first.title}`, "");
    out.push(`Severity ${first.severity}; decisions ${first.decisions.join(", ")}; controls ${first.controls.join(", ") || "—"}.`, "");
    for (const v of list) out.push(...violationLines(v));
    out.push("");
  }

  out.push("## Waivers", "");
  if (result.waivers.length === 0) out.push("None.");
  else {
    out.push(
      ...table(
        ["Policy", "Resource", "Finding", "Status", "Approver", "Expiry", "Reason", "Problems"],
        result.waivers.map((w) => [w.policy, w.resource, w.finding ?? "—", w.status, w.approver ?? "—", w.expiry ?? "—", w.reason ?? "—", w.problems.join("; ") || "—"]),
      ),
    );
  }

  out.push("", "## Zone-to-zone reachability", "");
  const r = result.reachability;
  if (r.unavailable !== undefined) out.push(`Not available: ${mdText(r.unavailable)}.`);
  else {
    out.push("Direct connections the network admits (routes, security groups and network ACLs together); rows are sources, columns destinations.", "");
    const flows = (from: string, to: string): string => r.cells.find((c) => c.from === from && c.to === to)?.flows ?? "—";
    out.push(...table(["from \\ to", ...r.zones], r.zones.map((from) => [from, ...r.zones.map((to) => flows(from, to))])));
  }

  out.push("", "## Backup coverage (D7)", "");
  const b = result.backupCoverage;
  if (b.unavailable !== undefined) out.push(`Not available: ${mdText(b.unavailable)}.`);
  else {
    out.push("Every host tagged data-class=critical: point-in-time recovery (pgBackRest repository), AWS Backup snapshots (rule, retention), copies in another region.", "");
    out.push(...table(["Host", "PITR", "Snapshots", "Cross-region copy"], b.rows.map((r) => [r.host, r.pitr, r.snapshots, r.crossRegion])));
  }

  out.push("", "## Policies", "");
  out.push(
    ...table(
      ["Id", "Title", "Severity", "Level", "Decisions", "Controls", "Resources evaluated", "Violations", "Waived"],
      result.policies.map((p) => [
        p.id,
        p.title,
        p.severity,
        p.enforcementLevel,
        p.decisions.join(", "),
        p.controls.join(", ") || "—",
        p.notApplicable === undefined ? String(p.resourcesEvaluated) : `n/a (${p.notApplicable})`,
        String(p.violations),
        String(p.waived),
      ]),
    ),
  );
  if (result.notes.length > 0) out.push("", "## Notes", "", ...result.notes.map((n) => `- ${mdText(n)}`));
  return `${out.join("\n")}\n`;
}
