/** Findings as text (one line each, grouped by severity) or JSON (for CI). Deterministic. */
import type { Finding } from "./types";

export type ReportFormat = "text" | "json";

export const findingLine = (stack: string, f: Finding): string => `stack "${stack}": ${f.check}: ${f.problem}; ${f.action}`;

export interface ReportInput {
  readonly stack: string;
  readonly accountId: string;
  readonly region: string;
  readonly checks: readonly string[];
  readonly findings: readonly Finding[];
}

export function renderReport(input: ReportInput, format: ReportFormat): string {
  const errors = input.findings.filter((f) => f.severity === "error");
  const warnings = input.findings.filter((f) => f.severity === "warning");
  if (format === "json") {
    return `${JSON.stringify(
      {
        stack: input.stack,
        account: input.accountId,
        region: input.region,
        checks: input.checks,
        summary: { errors: errors.length, warnings: warnings.length },
        findings: input.findings.map((f) => ({ severity: f.severity, check: f.check, problem: f.problem, action: f.action, line: findingLine(input.stack, f) })),
      },
      null,
      2,
    )}\n`;
  }
  if (input.findings.length === 0) {
    return `stack "${input.stack}": preflight passed: ${input.checks.length} checks against account ${input.accountId} in ${input.region}, no findings\n`;
  }
  const lines: string[] = [];
  for (const [title, group] of [["errors", errors], ["warnings", warnings]] as const) {
    if (group.length === 0) continue;
    lines.push(`${title} (${group.length}):`);
    for (const f of group) lines.push(findingLine(input.stack, f));
  }
  return `${lines.join("\n")}\n`;
}
