import { createHash } from "node:crypto";
import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from "node-sarif-builder";
import type { ResourceState } from "../../snapshot/types";
import type { AuditResult, PolicyRecord, ViolationRecord } from "../types";

/**
 * SARIF 2.1.0 for code-scanning tools: one rule per policy (with its controls, decisions, severity and a
 * help link: its entry in docs/policies.md on GitHub at the audited commit when the repository is known,
 * else the public page of its first control), one result per violation. A result is located on a real
 * file of the repository, so code scanning annotates the pull request: the program line that declares
 * the resource (the snapshot's `sourcePosition`, as `pulumi stack export` records it), else the stack's
 * `Pulumi.<stack>.yaml`; logically at the resource's URN. Every result carries its finding key (the one
 * a waiver names) as a stable partial fingerprint, and a hash of rule, resource and finding as its
 * fingerprint, so an alert survives unrelated edits. Waived violations are included with an external
 * suppression carrying the waiver's reason, ticket, approver and expiry. The audited commit and the pack
 * version are the run's version-control provenance and properties.
 */
export interface SarifContext {
  /** The audited resources: their `sourcePosition` locates results in the program. */
  readonly resources?: readonly ResourceState[];
  /** `owner/name` on GitHub; help links point into it (GITHUB_REPOSITORY in Actions). */
  readonly repository?: string;
}

const SECURITY_SEVERITY: Readonly<Record<PolicyRecord["severity"], string>> = { critical: "9.5", high: "8.0", medium: "5.5" };

function ruleLevel(p: PolicyRecord): "error" | "warning" | "none" {
  if (p.enforcementLevel === "disabled") return "none";
  return p.enforcementLevel === "advisory" ? "warning" : "error";
}

function resultLevel(v: ViolationRecord): "error" | "warning" | "note" {
  if (v.kind === "unchecked") return "note";
  return v.level === "mandatory" ? "error" : "warning";
}

/** `project:///src/x.ts#12,5` → file and position (the engine's format, see engine/resource-options.ts). */
function fromSourcePosition(position: string | undefined): Physical | undefined {
  const match = /^project:\/\/\/([^#]+)#(\d+)(?:,(\d+))?$/.exec(position ?? "");
  if (match === null || (match[1] ?? "").startsWith("node_modules/")) return undefined;
  return { uri: decodeURI(match[1] as string), line: Number(match[2]), ...(match[3] === undefined ? {} : { column: Number(match[3]) }) };
}

interface Physical {
  readonly uri: string;
  readonly line: number;
  readonly column?: number;
}

function location(where: Physical, urn: string | undefined, name: string | undefined, type: string | undefined) {
  return {
    physicalLocation: {
      artifactLocation: { uri: where.uri, uriBaseId: "%SRCROOT%" },
      region: { startLine: where.line, ...(where.column === undefined ? {} : { startColumn: where.column }) },
    },
    ...(urn === undefined
      ? {}
      : { logicalLocations: [{ fullyQualifiedName: urn, ...(name === undefined ? {} : { name }), kind: "resource", ...(type === undefined ? {} : { decoratedName: type }) }] }),
  };
}

export function renderSarif(result: AuditResult, context: SarifContext = {}): string {
  const run = new SarifRunBuilder().initSimple({ toolDriverName: result.tool.name, toolDriverVersion: result.tool.version });
  const stackFile: Physical = { uri: result.input.stack === undefined ? "Pulumi.yaml" : `Pulumi.${result.input.stack}.yaml`, line: 1 };
  const positions = new Map((context.resources ?? []).map((r) => [r.urn, fromSourcePosition(r.sourcePosition)] as const));
  const where = (urn: string | undefined): Physical => (urn === undefined ? undefined : positions.get(urn)) ?? stackFile;
  const docs = "docs/policies.md";
  const revision = result.commit.replace(/\+dirty$/, "");
  const known = /^[0-9a-f]{7,64}$/.test(revision);
  const controlPages = new Map<string, string>();
  for (const f of result.summary.byFramework) {
    for (const c of f.controls) for (const id of c.policies) if (!controlPages.has(id) && c.url !== undefined) controlPages.set(id, c.url);
  }
  const helpUri = (p: PolicyRecord): string | undefined =>
    context.repository === undefined ? controlPages.get(p.id) : `https://github.com/${context.repository}/blob/${known ? revision : "HEAD"}/${docs}#${p.id.toLowerCase()}`;
  for (const p of result.policies) {
    const anchor = p.id.toLowerCase();
    const uri = helpUri(p);
    run.addRule(
      new SarifRuleBuilder({
        id: p.id,
        name: p.title,
        shortDescription: { text: p.title },
        fullDescription: { text: p.description },
        help: { text: `Remediation: ${p.remediation} See ${docs}#${anchor}.`, markdown: `**Remediation:** ${p.remediation}\n\nSee [${p.id} in ${docs}](${docs}#${anchor}).` },
        ...(uri === undefined ? {} : { helpUri: uri }),
        defaultConfiguration: { level: ruleLevel(p), enabled: p.enforcementLevel !== "disabled" },
        properties: {
          tags: ["security", ...p.decisions, ...p.controls],
          severity: p.severity,
          "security-severity": SECURITY_SEVERITY[p.severity],
          decisions: [...p.decisions],
          controls: [...p.controls],
          enforcementLevel: p.enforcementLevel,
          resourcesInScope: p.scope.resources,
          resourcesPassed: p.scope.passed,
        },
      }),
    );
  }
  for (const v of result.violations) {
    run.addResult(
      new SarifResultBuilder({
        ruleId: v.policy,
        level: resultLevel(v),
        message: { text: `${v.message} Remediation: ${v.remediation}` },
        locations: [location(where(v.urn), v.urn, v.name, v.type)],
        partialFingerprints: { findingKey: `${v.urn ?? "stack"}|${v.finding}` },
        fingerprints: { "findingHash/v1": fingerprint(v.policy, v.urn, v.finding) },
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
          locations: [location(where(s.urn), s.urn, undefined, undefined)],
          partialFingerprints: { findingKey: `${s.urn ?? "stack"}|${s.finding}` },
          fingerprints: { "findingHash/v1": fingerprint(w.policy, s.urn, s.finding) },
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
  if (context.repository !== undefined && known) {
    run.run.versionControlProvenance = [{ repositoryUri: `https://github.com/${context.repository}`, revisionId: revision }];
  }
  run.run.properties = { commit: result.commit, policyPack: `${result.pack.name} ${result.pack.version}`, ...(result.input.stack === undefined ? {} : { stack: result.input.stack }) };
  const builder = new SarifBuilder();
  builder.addRun(run);
  return `${JSON.stringify(builder.buildSarifOutput(), null, 2)}\n`;
}

/** A stable identity of a finding: the same rule, resource and finding key give the same hash on every run. */
function fingerprint(rule: string, urn: string | undefined, finding: string): string {
  return createHash("sha256").update(`${rule}\0${urn ?? "stack"}\0${finding}`).digest("hex");
}
