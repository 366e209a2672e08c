import * as path from "node:path";
import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from "node-sarif-builder";
import type { AuditResult, PolicyRecord, ViolationRecord } from "../types";

/**
 * SARIF 2.1.0 for code-scanning tools: one rule per policy (with its controls, decisions and severity),
 * one result per violation, located at the audited file and, logically, at the resource's URN.
 * Waived violations are included with an external suppression carrying the waiver's reason; every result
 * carries its finding key (the one a waiver names) as a partial fingerprint.
 */
const SECURITY_SEVERITY: Readonly<Record<PolicyRecord["severity"], string>> = { critical: "9.5", high: "8.0", medium: "5.5" };

function ruleLevel(p: PolicyRecord): "error" | "warning" | "none" {
  if (p.enforcementLevel === "disabled") return "none";
  return p.enforcementLevel === "advisory" ? "warning" : "error";
}

function resultLevel(v: ViolationRecord): "error" | "warning" | "note" {
  if (v.kind === "unchecked") return "note";
  return v.level === "mandatory" ? "error" : "warning";
}

function artifactUri(source: string): string {
  const relative = path.isAbsolute(source) ? path.relative(process.cwd(), source) : source;
  return relative.split(path.sep).join("/");
}

function location(uri: string, urn: string | undefined, name: string | undefined, type: string | undefined) {
  return {
    physicalLocation: { artifactLocation: { uri } },
    ...(urn === undefined
      ? {}
      : { logicalLocations: [{ fullyQualifiedName: urn, ...(name === undefined ? {} : { name }), kind: "resource", ...(type === undefined ? {} : { decoratedName: type }) }] }),
  };
}

export function renderSarif(result: AuditResult): string {
  const run = new SarifRunBuilder().initSimple({ toolDriverName: result.tool.name, toolDriverVersion: result.tool.version });
  for (const p of result.policies) {
    run.addRule(
      new SarifRuleBuilder({
        id: p.id,
        name: p.title,
        shortDescription: { text: p.title },
        fullDescription: { text: p.description },
        help: { text: `Remediation: ${p.remediation}` },
        defaultConfiguration: { level: ruleLevel(p), enabled: p.enforcementLevel !== "disabled" },
        properties: {
          tags: ["security", ...p.decisions, ...p.controls],
          severity: p.severity,
          "security-severity": SECURITY_SEVERITY[p.severity],
          decisions: [...p.decisions],
          controls: [...p.controls],
          enforcementLevel: p.enforcementLevel,
        },
      }),
    );
  }
  const uri = artifactUri(result.input.source);
  for (const v of result.violations) {
    run.addResult(
      new SarifResultBuilder({
        ruleId: v.policy,
        level: resultLevel(v),
        message: { text: `${v.message} Remediation: ${v.remediation}` },
        locations: [location(uri, v.urn, v.name, v.type)],
        partialFingerprints: { findingKey: `${v.urn ?? "stack"}|${v.finding}` },
        properties: { severity: v.severity, enforcementLevel: v.level, kind: v.kind, finding: v.finding, controls: [...v.controls], decisions: [...v.decisions] },
      }),
    );
  }
  const titles = new Map(result.policies.map((p) => [p.id, p] as const));
  for (const w of result.waivers) {
    for (const s of w.suppressed) {
      const policy = titles.get(w.policy);
      run.addResult(
        new SarifResultBuilder({
          ruleId: w.policy,
          level: policy?.enforcementLevel === "advisory" ? "warning" : "error",
          message: { text: s.message },
          locations: [location(uri, s.urn, undefined, undefined)],
          partialFingerprints: { findingKey: `${s.urn ?? "stack"}|${s.finding}` },
          properties: { finding: s.finding },
          suppressions: [
            {
              kind: "external",
              status: "accepted",
              justification: `${w.reason ?? ""} (approved by ${w.approver ?? "?"}${w.expiry === undefined ? "" : `, until ${w.expiry}`}${w.ticket === undefined ? "" : `, ${w.ticket}`})`,
            },
          ],
        }),
      );
    }
  }
  const builder = new SarifBuilder();
  builder.addRun(run);
  return `${JSON.stringify(builder.buildSarifOutput(), null, 2)}\n`;
}
