import { graphOf, isProviderType } from "../snapshot/graph";
import type { ResourceState, StackExport } from "../snapshot/types";
import { ROOT_STACK_TYPE } from "../snapshot/urn";

/** Counts, biggest first, names breaking ties, so the summary reads the same on every run. */
function table(counts: Map<string, number>, indent: string): string[] {
  const rows = [...counts.entries()].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, n]) => `${indent}${label.padEnd(width)}  ${String(n).padStart(4)}`);
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** The short report `synth` prints: totals, resources by top-level component and by type, warnings. */
export function synthSummary(args: { stack: string; snapshot: StackExport; warnings: readonly string[]; files: readonly string[] }): string {
  const graph = graphOf(args.snapshot);
  const managed = graph.resources.filter((r) => r.custom && !isProviderType(r.type));
  const components = graph.resources.filter((r) => !r.custom && r.type !== ROOT_STACK_TYPE);
  const providers = graph.resources.filter((r) => isProviderType(r.type));

  const topComponent = (r: ResourceState): string => {
    let component = graph.componentOf(r);
    let outer = component;
    while (component !== undefined) {
      outer = component;
      component = graph.componentOf(component);
    }
    return outer === undefined ? "(stack root)" : `${outer.type} ${outer.urn.slice(outer.urn.lastIndexOf("::") + 2)}`;
  };
  const byComponent = new Map<string, number>();
  const byType = new Map<string, number>();
  for (const r of managed) {
    bump(byComponent, topComponent(r));
    bump(byType, r.type);
  }

  const lines = [
    `synth ${args.stack}: ${managed.length} cloud resources, ${components.length} components, ${providers.length} providers`,
    "resources by component:",
    ...table(byComponent, "  "),
    "resources by type:",
    ...table(byType, "  "),
    args.warnings.length === 0 ? "warnings: none" : `warnings (${args.warnings.length}):`,
    ...args.warnings.map((w) => `  - ${w}`),
    ...wroteLines(args.files),
  ];
  return lines.join("\n");
}

/** One line per file, except that a directory of many files (the manifests) is one line with a count. */
function wroteLines(files: readonly string[]): string[] {
  const perDir = new Map<string, string[]>();
  for (const file of files) {
    const parts = file.split("/");
    const manifests = parts.lastIndexOf("manifests");
    const key = manifests >= 0 ? parts.slice(0, manifests + 1).join("/") : file;
    perDir.set(key, [...(perDir.get(key) ?? []), file]);
  }
  return [...perDir].map(([key, group]) => (group.length === 1 && group[0] === key ? `wrote ${key}` : `wrote ${key}/ (${group.length} files)`));
}
