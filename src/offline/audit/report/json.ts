import type { AuditResult } from "../types";

/** The result as it is: every policy with its resolved level and counts, every violation, every waiver. */
export function renderJson(result: AuditResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
