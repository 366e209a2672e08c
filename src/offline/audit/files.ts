import * as fs from "node:fs";
import * as path from "node:path";
import type { StackExport } from "../snapshot/types";
import { readPolicyConfig, type PolicyConfig } from "./config";
import { fromStackExport } from "./input";
import { REPORT_FILES, renderReport, reportContext } from "./report/render";
import { runAudit, type AuditOptions } from "./runner";
import type { AuditResult } from "./types";
import { repositoryRoot } from "../../conventions/repository-root";

/** Where each stack's policy config lives (the same file `pulumi preview --policy-pack-config` takes). */
export const POLICY_CONFIG_DIR = path.join(repositoryRoot(__dirname), "policy", "config");

export function stackPolicyConfigFile(stack: string): string {
  return path.join(POLICY_CONFIG_DIR, `${stack}.json`);
}

/** The stack's policy config, or none when the stack has no file. */
export function stackPolicyConfig(stack: string): ReadonlyMap<string, PolicyConfig> | undefined {
  const file = stackPolicyConfigFile(stack);
  return fs.existsSync(file) ? readPolicyConfig(file) : undefined;
}

/**
 * For synth: audits the snapshot with the stack's policy config and writes audit.json, audit.md and
 * audit.sarif into `outDir`; returns the paths written and the result.
 */
export async function writeAuditReports(
  outDir: string,
  stack: string,
  snapshot: StackExport,
  options: AuditOptions = {},
): Promise<{ files: string[]; result: AuditResult }> {
  const config = options.config ?? stackPolicyConfig(stack);
  // The reports sit next to the snapshot: name it relatively so the files do not depend on where out/ is.
  const result = await runAudit(fromStackExport(snapshot, "stack.json"), {
    ...options,
    ...(config === undefined ? {} : { config, configSource: stackPolicyConfigFile(stack) }),
  });
  fs.mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  for (const [name, format] of REPORT_FILES) {
    const file = path.join(outDir, name);
    fs.writeFileSync(file, renderReport(result, format, reportContext(snapshot.deployment.resources)));
    files.push(file);
  }
  return { files, result };
}
