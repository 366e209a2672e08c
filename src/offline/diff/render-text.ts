import { ROOT_STACK_TYPE } from "../snapshot/urn";
import type { Operation, SnapshotDiff } from "./diff-snapshots";
import type { PropertyChange } from "./property-diff";
import { policyVerdict } from "./render-markdown";

/**
 * The diff as plain text for a terminal (`npm run diff -- --format text`): the verdict, the counts,
 * the warnings, then each component's changes with their properties, `pulumi preview --diff` style.
 */
const SYMBOL: Record<Operation, string> = { remove: "-  delete ", replace: "+- replace", update: "~  update ", add: "+  create " };

export function renderText(diff: SnapshotDiff): string {
  const stack = diff.head.stack === diff.base.stack ? diff.head.stack : `${diff.base.stack} -> ${diff.head.stack}`;
  const c = diff.counts;
  const lines = [
    `Infrastructure diff: ${stack}`,
    policyVerdict(diff.policy),
    `${c.remove} to delete, ${c.replace} to replace, ${c.update} to update, ${c.add} to create, ${c.same} unchanged`,
    "",
  ];
  if (diff.warnings.length === 0) lines.push("No critical data is destroyed or replaced, and no exposure is added.");
  for (const w of diff.warnings) lines.push(`! ${w.kind === "critical-data" ? "critical data" : "exposure"}: ${w.message.replace(/`/g, "")}`);
  for (const i of diff.ignored) lines.push(`  held back by ignoreChanges: ${i.name} (${i.paths.join(", ")})`);
  if (diff.policy.evaluated) {
    for (const f of diff.policy.introduced) lines.push(`  new finding: ${f.policy} [${f.level}] ${f.message}`);
    for (const f of diff.policy.resolved) lines.push(`  resolved: ${f.policy} [${f.level}] ${f.message}`);
  }
  for (const group of diff.components) {
    const { type, name } = group.component;
    lines.push("", type === ROOT_STACK_TYPE ? `stack ${name} (top level)` : `${type} ${name}`);
    for (const change of group.changes) {
      const forced = change.op === "replace" ? ` (forced by ${change.replaceCauses.join(", ")})` : "";
      lines.push(`  ${SYMBOL[change.op]} ${change.name}  ${change.type}${change.critical ? "  [critical data]" : ""}${forced}`);
      for (const p of change.changes) lines.push(`        ${property(p)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function property(p: PropertyChange): string {
  if (p.secret) return `${p.path}: (secret ${p.kind})`;
  if (p.kind === "added") return `${p.path}: ${p.after ?? "…"}`;
  if (p.kind === "removed") return `${p.path}: removed (was ${p.before ?? "…"})`;
  return `${p.path}: ${p.before ?? "…"} => ${p.after ?? "…"}`;
}
