import type {
  Policy,
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import { findingKeyOf, withFindingKey, type FindingReporter } from "./findings";
import { controlLabels, type PlatformResourcePolicy, type PlatformStackPolicy, type PolicyMetadata } from "./metadata";
import { parseWaivers, waiverLedger, waiverMatches, waiverProblems, type Waiver } from "./waivers";

/** A check: like Pulumi's validations, but its reporter takes the finding's key (framework/findings.ts). */
export type PlatformResourceValidation = (args: ResourceValidationArgs, report: FindingReporter) => Promise<void> | void;
export type PlatformStackValidation = (args: StackValidationArgs, report: FindingReporter) => Promise<void> | void;

/**
 * Typed constructors for the pack's policies. They turn our metadata into the fields the Pulumi
 * engine knows (name, severity, remediation steps, tags, config schema) and put waiver handling
 * around the report callback, so each check only states what is wrong.
 */
export interface PolicySpec {
  readonly meta: PolicyMetadata;
  /** Config properties beyond `waivers` (JSON schema, with defaults). */
  readonly config?: PolicyConfigSchema["properties"];
}

export interface ResourcePolicySpec extends PolicySpec {
  readonly validate: PlatformResourceValidation | PlatformResourceValidation[];
}

export interface StackPolicySpec extends PolicySpec {
  readonly validate: PlatformStackValidation;
}

export function defineResourcePolicy(spec: ResourcePolicySpec): PlatformResourcePolicy {
  const validations = Array.isArray(spec.validate) ? spec.validate : [spec.validate];
  const wrapped = validations.map(
    (validate): ResourceValidation =>
      (args, reportViolation) =>
        validate(args, waiverAware(spec.meta, waiversOf(args.getConfig), reportViolation, args.urn)),
  );
  return {
    kind: "resource",
    meta: spec.meta,
    policy: { ...pulumiFields(spec), validateResource: wrapped.length === 1 ? (wrapped[0] as ResourceValidation) : wrapped },
  };
}

export function defineStackPolicy(spec: StackPolicySpec): PlatformStackPolicy {
  return {
    kind: "stack",
    meta: spec.meta,
    policy: {
      ...pulumiFields(spec),
      validateStack: (args, reportViolation) =>
        spec.validate(args, waiverAware(spec.meta, waiversOf(args.getConfig), reportViolation, undefined)),
    },
  };
}

function pulumiFields(spec: PolicySpec): Policy {
  const { meta } = spec;
  return {
    name: meta.id,
    displayName: `${meta.id} ${meta.title}`,
    description: meta.description,
    ...(meta.enforcementLevel === undefined ? {} : { enforcementLevel: meta.enforcementLevel }),
    severity: meta.severity,
    remediationSteps: meta.remediation,
    tags: [...meta.decisions, ...controlLabels(meta.controls)],
    configSchema: { properties: { ...waiversConfigProperties(), ...(spec.config ?? {}) } },
  };
}

function waiversConfigProperties(): PolicyConfigSchema["properties"] {
  return {
    waivers: {
      type: "array",
      description:
        "Accepted findings: resource (URN or name), finding (the key the violation shows as [finding <key>]), reason, approver, expiry (YYYY-MM-DD), ticket.",
      items: {
        type: "object",
        properties: {
          policy: { type: "string" },
          resource: { type: "string", minLength: 1 },
          finding: { type: "string" },
          reason: { type: "string" },
          approver: { type: "string" },
          expiry: { type: "string" },
          ticket: { type: "string" },
        },
        required: ["resource"],
      },
    },
  };
}

/**
 * Waivers parsed per `getConfig` function. Under the engine every request carries a new one
 * (`@pulumi/policy` 1.21.0 server.js, `makeGetConfigFun` per request), so this never hits there; the
 * offline auditor gives each policy one per audit, over a config that does not change during it, so a
 * resource policy parses its waivers once per audit instead of once per resource.
 */
const parsedWaivers = new WeakMap<object, Waiver[]>();

function waiversOf(getConfig: <T extends object>() => T): Waiver[] {
  let waivers = parsedWaivers.get(getConfig);
  if (waivers === undefined) {
    waivers = parseWaivers(getConfig<Record<string, unknown>>());
    parsedWaivers.set(getConfig, waivers);
  }
  return waivers;
}

/**
 * A report callback that honours this policy's valid waivers (recording what they suppressed) and
 * says why an invalid one was not honoured. `subjectUrn` is the resource under validation; stack
 * policies name the resource in each report instead.
 */
function waiverAware(
  meta: PolicyMetadata,
  waivers: readonly Waiver[],
  reportViolation: ReportViolation,
  subjectUrn: string | undefined,
): FindingReporter {
  waiverLedger.record(meta, waivers);
  const today = waiverLedger.today();
  return (message, urn, key) => {
    const target = urn ?? subjectUrn;
    const findingKey = findingKeyOf(message, key);
    const waiver = waivers.find((w) => waiverMatches(w, target, findingKey));
    if (waiver === undefined) {
      reportViolation(withFindingKey(message, key), urn);
      return;
    }
    const problems = waiverProblems(waiver, meta, today);
    if (problems.length === 0) {
      waiverLedger.markApplied({ policy: meta.id, waiver, ...(target === undefined ? {} : { urn: target }), message, finding: findingKey });
      return;
    }
    reportViolation(withFindingKey(`${message} [waiver not honoured (GOV-01): ${problems.join("; ")}]`, key), urn);
  };
}
