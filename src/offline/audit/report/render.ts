import type { ResourceState } from "../../snapshot/types";
import type { AuditResult } from "../types";
import { renderJson } from "./json";
import { renderMarkdown } from "./markdown";
import { renderSarif, type SarifContext } from "./sarif";
import { renderText } from "./text";

export const REPORT_FORMATS = ["text", "json", "md", "sarif"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** What a report may use beyond the result: the audited resources (SARIF locations), the repository (help links). */
export type ReportContext = SarifContext;

/** The context a report is rendered in: the resources, and the GitHub repository when run in Actions. */
export function reportContext(resources: readonly ResourceState[], env: NodeJS.ProcessEnv = process.env): ReportContext {
  const repository = env.GITHUB_REPOSITORY;
  return { resources, ...(repository === undefined || repository === "" ? {} : { repository }) };
}

export function renderReport(result: AuditResult, format: ReportFormat, context: ReportContext = {}): string {
  switch (format) {
    case "json":
      return renderJson(result);
    case "md":
      return renderMarkdown(result);
    case "sarif":
      return renderSarif(result, context);
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
