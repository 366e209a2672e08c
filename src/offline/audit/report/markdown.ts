import type { AuditResult, PolicyRecord, ViolationRecord, WaiverRecord } from "../types";
import { mdCell, mdCode, mdText } from "../../redaction/markdown";
import { frameworkTitle } from "../frameworks";
import { plural, reportHeadline, waiverMatch } from "./wording";

/**
 * For people (auditors, reviewers): on the first line the stack, the commit and the pack version; then
 * the verdict, the summary by architecture decision, the controls grouped by framework, the violations
 * with their remediation, the waivers with exactly what each suppresses, the zone-to-zone reachability
 * matrix, the backup coverage, and every rule with the resources in its scope and how many passed.
 * Every number says what it counts.
 */
function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(mdCell).join(" | ")} |`)];
}

const code = mdCode;

function violationLines(v: ViolationRecord): string[] {
  const subject = v.name === undefined ? "the stack" : `${code(v.name)} (${code(v.type ?? "")})`;
  const lines = [`- **${v.level}** · ${subject}: ${mdCell(v.message)}`];
  if (v.urn !== undefined) lines.push(`  - URN: ${code(v.urn)}`);
  if (v.kind === "violation" && v.finding !== v.message) lines.push(`  - Finding: ${code(v.finding)}`);
  if (v.kind === "violation") lines.push(`  - Remediation: ${v.remediation}`);
  return lines;
}

function scopeCells(p: PolicyRecord): string[] {
  if (p.notApplicable !== undefined) return [`n/a (${mdText(p.notApplicable)})`, "—", "—", "—", "—"];
  const s = p.scope;
  return [String(s.resources), String(s.passed), String(s.failed), String(s.waived), String(s.unchecked)];
}

function suppressedCell(w: WaiverRecord): string {
  if (w.suppressed.length === 0) return "—";
  return w.suppressed.map((s) => `${code(s.urn ?? "the stack")} finding ${code(s.finding)}`).join("; ");
}

export function renderMarkdown(result: AuditResult): string {
  const { summary, input } = result;
  const out: string[] = [];
  out.push(`# ${mdText(reportHeadline(result))}`);
  out.push("");
  out.push(
    `**${summary.passed ? "Passed" : "Failed"}**: ${plural(summary.mandatory, "mandatory violation")}, ${plural(summary.advisory, "advisory violation")} ` +
      `(${summary.unchecked} not checkable), ${plural(summary.waived, "waived finding")}; ${plural(result.policies.length, "rule")} judged.`,
  );
  out.push("");
  out.push(
    `Input ${code(input.source)} (${input.format}, ${plural(input.resources, "resource")} in the stack${input.project === undefined ? "" : `, project ${code(input.project)}`}); ` +
      `commit ${code(result.commit)}; policy pack ${code(result.pack.name)} ${result.pack.version}; waivers judged on ${result.date}.`,
  );

  out.push("", "## Summary by architecture decision", "");
  out.push(
    ...table(
      ["Decision", "Rules", "Mandatory violations", "Advisory violations"],
      summary.byDecision.map((d) => [`${d.decision}: ${d.title}`, d.policies.join(", ") || "—", String(d.mandatory), String(d.advisory)]),
    ),
  );

  out.push("", "## Controls by framework", "");
  out.push("Each public control the pack maps to, grouped by the catalogue and version it comes from, in natural order; the rules that enforce it and their open violations.");
  for (const f of summary.byFramework) {
    out.push("", `### ${mdText(frameworkTitle(f))}`, "");
    if (f.url !== undefined) out.push(`Source: <${f.url}>`, "");
    out.push(
      ...table(
        ["Control", "Rules", "Mandatory violations", "Advisory violations"],
        f.controls.map((c) => [c.url === undefined || c.url === f.url ? mdText(c.id) : `[${mdText(c.id)}](${c.url})`, c.policies.join(", "), String(c.mandatory), String(c.advisory)]),
      ),
    );
  }

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
    out.push("Each waiver of `policy/config/<stack>.json`: what it names, who approved it until when, and exactly which findings it suppressed in this audit.", "");
    out.push(
      ...table(
        ["Rule", "Resource (as named)", "Finding key", "Ticket", "Approver", "Expiry", "Matched", "Suppresses (resource URN, finding key)", "Reason", "Problems"],
        result.waivers.map((w) => [
          w.policy,
          code(w.resource),
          w.finding === undefined ? "—" : code(w.finding),
          w.ticket === undefined ? "—" : mdText(w.ticket),
          w.approver === undefined ? "—" : mdText(w.approver),
          w.expiry === undefined ? "—" : mdText(w.expiry),
          waiverMatch(w),
          suppressedCell(w),
          w.reason === undefined ? "—" : mdText(w.reason),
          w.problems.map(mdText).join("; ") || "—",
        ]),
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

  out.push("", "## Rules", "");
  out.push(
    "Resources in scope: those whose configuration the rule read while judging, or that it reported on (not the stack's size). " +
      "Each counts once: failed (an open violation), else unchecked (a value unknown during preview), else waived (only waived findings), else passed.",
    "",
  );
  out.push(
    ...table(
      ["Rule", "Title", "Severity", "Level", "Resources in scope", "Passed", "Failed", "Waived", "Unchecked", "Open violations", "Waived findings", "Decisions", "Controls"],
      result.policies.map((p) => [
        p.id,
        p.title,
        p.severity,
        p.enforcementLevel,
        ...scopeCells(p),
        String(p.violations),
        String(p.waived),
        p.decisions.join(", "),
        p.controls.join(", ") || "—",
      ]),
    ),
  );
  if (result.notes.length > 0) out.push("", "## Notes", "", ...result.notes.map((n) => `- ${mdText(n)}`));
  return `${out.join("\n")}\n`;
}
