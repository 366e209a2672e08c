import { ROOT_STACK_TYPE } from "../snapshot/urn";
import type { ComponentChanges, DiffWarning, Operation, ResourceChange, SnapshotDiff } from "./diff-snapshots";
import type { PolicyFinding, PolicyResultChanges } from "./policy-results";
import type { PropertyChange } from "./property-diff";
import { mdCode, mdText, oneLine } from "../redaction/markdown";

/**
 * The diff as GitHub-flavoured Markdown for a pull-request comment: a summary line, the warnings in an
 * alert block, the policy results that changed, a table of components, then each component's changes
 * in a collapsible section (open when short). Long lists are capped so a comment stays within limits;
 * the JSON format always has everything.
 */
export interface MarkdownOptions {
  /** `#` count of the top heading; the comment that holds both stacks uses 3. */
  readonly headingLevel?: number;
  /** Components with at most this many changes are shown expanded. */
  readonly openUpTo?: number;
  readonly maxRowsPerComponent?: number;
  readonly maxPropertiesPerResource?: number;
  readonly maxWarnings?: number;
}

const SYMBOL: Record<Operation, string> = { remove: "- delete", replace: "+- replace", update: "~ update", add: "+ create" };
const VERB: Record<Operation, string> = { remove: "to delete", replace: "to replace", update: "to update", add: "to create" };

export function renderMarkdown(diff: SnapshotDiff, options: MarkdownOptions = {}): string {
  const level = options.headingLevel ?? 2;
  const h = (n: number): string => "#".repeat(Math.min(6, level + n));
  const lines: string[] = [];
  const stack = diff.head.stack === diff.base.stack ? mdCode(diff.head.stack) : `${mdCode(diff.base.stack)} → ${mdCode(diff.head.stack)}`;
  lines.push(`${h(0)} Infrastructure diff: ${stack}`, "");
  // The verdict comes first: nothing reassuring may stand above a new mandatory violation.
  lines.push(`**${policyVerdict(diff.policy)}**`, "");
  const total = diff.counts.remove + diff.counts.replace + diff.counts.update + diff.counts.add;
  const counts = (["remove", "replace", "update", "add"] as const).map((op) => `${diff.counts[op]} ${VERB[op]}`).join(" · ");
  lines.push(total === 0 ? `**No changes.** ${diff.counts.same} resources unchanged.` : `**${counts}** · ${diff.counts.same} unchanged`, "");
  if (diff.base.resources === 0 && diff.head.resources > 0) {
    lines.push("_The base snapshot has no resources (first synth, or the base could not be synthesized): everything is new._", "");
  }

  lines.push(...renderWarnings(diff.warnings, options.maxWarnings ?? 25), "");
  if (diff.ignored.length > 0) {
    const held = diff.ignored.map((i) => `\`${escapeCell(i.name)}\` (${i.paths.map((p) => `\`${escapeCell(p)}\``).join(", ")})`).join(", ");
    lines.push(`Held back by \`ignoreChanges\` (in the program, not deployed by this update): ${held}.`, "");
  }
  lines.push(`${h(1)} Policy results that changed`, "", ...renderPolicy(diff.policy), "");

  if (diff.components.length > 0) {
    lines.push(`${h(1)} Changes by component`, "");
    lines.push("| component | delete | replace | update | create |", "|---|---:|---:|---:|---:|");
    for (const group of diff.components) {
      const c = group.counts;
      lines.push(`| ${componentLabel(group)} | ${c.remove} | ${c.replace} | ${c.update} | ${c.add} |`);
    }
    lines.push("");
    for (const group of diff.components) lines.push(...renderComponent(group, options), "");
  }
  lines.push(
    "<sub>Replacements are an estimate from a table of replace-forcing properties (docs/ci.md); `pulumi preview --diff` is authoritative. " +
      "Secret values are never shown: a changed secret is listed as changed.</sub>",
  );
  return `${lines.join("\n").replace(/\n{3,}/g, "\n\n")}\n`;
}

function renderWarnings(warnings: readonly DiffWarning[], max: number): string[] {
  if (warnings.length === 0) return ["No critical data is destroyed or replaced, and no exposure is added."];
  const lines = ["> [!CAUTION]"];
  const shown = warnings.slice(0, max);
  for (const kind of ["critical-data", "exposure"] as const) {
    const ofKind = shown.filter((w) => w.kind === kind);
    if (ofKind.length === 0) continue;
    const all = warnings.filter((w) => w.kind === kind).length;
    lines.push(`> **${kind === "critical-data" ? "Critical data" : "Exposure added"}** (${all})`, ">");
    for (const w of ofKind) lines.push(`> - ${mdText(w.message)} <sub>${mdCode(w.type)}</sub>`);
    lines.push(">");
  }
  if (warnings.length > max) lines.push(`> … and ${warnings.length - max} more: see the JSON diff.`);
  else lines.pop();
  return lines;
}

/** The first line of the comment: what the policy pack says about the change. */
export function policyVerdict(policy: PolicyResultChanges): string {
  if (!policy.evaluated) return policy.error === undefined ? "Policy: not evaluated." : `Policy: the audit failed (${policy.error}).`;
  const mandatory = policy.introduced.filter((f) => f.level === "mandatory").length;
  if (mandatory > 0) return `Policy: FAILS — ${mandatory} new mandatory violation(s).`;
  const other = policy.introduced.length;
  return other > 0 ? `Policy: passes — no new mandatory violation; ${other} new advisory finding(s).` : "Policy: passes — no new finding.";
}

function renderPolicy(policy: PolicyResultChanges): string[] {
  if (!policy.evaluated) {
    return [policy.error === undefined ? "_Not evaluated (no policy audit was given to the diff)._" : `_Policy audit failed: ${mdText(policy.error)}_`];
  }
  if (policy.introduced.length === 0 && policy.resolved.length === 0) {
    return [`No change: ${policy.unchanged} finding(s) in both base and head.`];
  }
  const lines = [
    `${policy.introduced.length} new, ${policy.resolved.length} resolved, ${policy.unchanged} unchanged.`,
    "",
    "| | policy | level | resource | message |",
    "|---|---|---|---|---|",
  ];
  const row = (label: string, f: PolicyFinding): string =>
    `| ${label} | \`${escapeCell(f.policy)}\` | ${mdText(f.level)} | ${f.urn === undefined ? "(stack)" : `\`${escapeCell(shortUrn(f.urn))}\``} | ${mdText(f.message)} |`;
  for (const f of policy.introduced) lines.push(row("new", f));
  for (const f of policy.resolved) lines.push(row("resolved", f));
  return lines;
}

function renderComponent(group: ComponentChanges, options: MarkdownOptions): string[] {
  const maxRows = options.maxRowsPerComponent ?? 100;
  const counts = (["remove", "replace", "update", "add"] as const)
    .filter((op) => group.counts[op] > 0)
    .map((op) => `${group.counts[op]} ${VERB[op]}`)
    .join(", ");
  const open = group.changes.length <= (options.openUpTo ?? 8) ? " open" : "";
  const lines = [
    `<details${open}><summary>${escapeHtml(componentText(group))}: ${counts}</summary>`,
    "",
    "| | resource | type | changed properties |",
    "|---|---|---|---|",
  ];
  // A creation with reviewable inputs (policies, rules, routes, images) gets its own row; the rest one row per type.
  const rows = [
    ...group.changes.filter((c) => c.op !== "add" || c.changes.length > 0).map((c) => renderRow(c, options.maxPropertiesPerResource ?? 12)),
    ...createdByType(group.changes.filter((c) => c.op === "add" && c.changes.length === 0)),
  ];
  lines.push(...rows.slice(0, maxRows));
  if (rows.length > maxRows) lines.push(`| | … ${rows.length - maxRows} more rows | | see the JSON diff |`);
  lines.push("", "</details>");
  return lines;
}

function renderRow(c: ResourceChange, maxProperties: number): string {
  const parts: string[] = [];
  if (c.op === "replace") parts.push(`**forced by** ${c.replaceCauses.map((p) => `\`${escapeCell(p)}\``).join(", ")}`);
  for (const p of c.changes.slice(0, maxProperties)) parts.push(renderProperty(p));
  if (c.changes.length > maxProperties) parts.push(`… and ${c.changes.length - maxProperties} more`);
  const critical = c.critical ? " **(critical data)**" : "";
  return `| \`${SYMBOL[c.op]}\` | \`${escapeCell(c.name)}\`${critical} | ${mdCode(c.type)} | ${parts.join("<br>")} |`;
}

function createdByType(created: readonly ResourceChange[]): string[] {
  const byType = new Map<string, ResourceChange[]>();
  for (const c of created) byType.set(c.type, [...(byType.get(c.type) ?? []), c]);
  return [...byType.entries()].map(([type, changes]) => {
    const names = changes.map((c) => `\`${escapeCell(c.name)}\`${c.critical ? " **(critical data)**" : ""}`).join(", ");
    return `| \`${SYMBOL.add}\` | ${names} | ${mdCode(type)} | |`;
  });
}

function renderProperty(p: PropertyChange): string {
  const path = `\`${escapeCell(p.path)}\``;
  if (p.secret) return `${path} (secret ${p.kind})`;
  const value = (v: string | undefined): string => (v === undefined ? "…" : `\`${escapeCell(v).replace(/`/g, "'")}\``);
  if (p.kind === "added") return `${path} added: ${value(p.after)}`;
  if (p.kind === "removed") return `${path} removed (was ${value(p.before)})`;
  return `${path}: ${value(p.before)} → ${value(p.after)}`;
}

function componentText(group: ComponentChanges): string {
  const { type, name } = group.component;
  return type === ROOT_STACK_TYPE ? `stack ${name} (top level)` : `${type} ${name}`;
}

function componentLabel(group: ComponentChanges): string {
  const { type, name } = group.component;
  return type === ROOT_STACK_TYPE ? `stack \`${escapeCell(name)}\` (top level)` : `\`${escapeCell(type)}\` ${mdText(name)}`;
}

function shortUrn(urn: string): string {
  const parts = urn.split("::");
  return parts.length >= 4 ? `${parts[2]?.split("$").pop() ?? ""}::${parts.slice(3).join("::")}` : urn;
}

/** Inside code spans in table cells: one line, no backtick, pipes escaped (GitHub honours `\|` there too). */
function escapeCell(text: string): string {
  return oneLine(text).replace(/`/g, "'").replace(/\|/g, "\\|");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
