/**
 * The offline policy audit as a library: synth calls it to write audit.json, audit.md and audit.sarif;
 * the `audit` CLI and the diff wrap it.
 */
export { AuditInputError, fromStackExport, parseAuditInput, readAuditInput, type AuditInput } from "./input";
export { PolicyConfigError, parsePolicyConfig, readPolicyConfig, type PolicyConfig } from "./config";
export { AuditRunError, runAudit, type AuditOptions } from "./runner";
export { REPORT_FILES, REPORT_FORMATS, renderReport, reportContext, type ReportFormat } from "./report/render";
export { POLICY_CONFIG_DIR, stackPolicyConfig, stackPolicyConfigFile, writeAuditReports } from "./files";
export type * from "./types";
