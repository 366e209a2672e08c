import type { AuditResult } from "../types";
import { renderJson } from "./json";
import { renderMarkdown } from "./markdown";
import { renderSarif } from "./sarif";
import { renderText } from "./text";

export const REPORT_FORMATS = ["text", "json", "md", "sarif"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function renderReport(result: AuditResult, format: ReportFormat): string {
  switch (format) {
    case "json":
      return renderJson(result);
    case "md":
      return renderMarkdown(result);
    case "sarif":
      return renderSarif(result);
    case "text":
      return renderText(result);
  }
}

/** The files synth writes next to the snapshot. */
export const REPORT_FILES: ReadonlyArray<readonly [string, ReportFormat]> = [
  ["audit.json", "json"],
  ["audit.md", "md"],
  ["audit.sarif", "sarif"],
];
