import type {
  EnforcementLevel,
  PolicyProviderResource,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import rootPackage from "../../../package.json";
import { splitFinding } from "../../../policy/framework/findings";
import { controlLabels, DECISION_TITLES, DECISIONS, type PlatformPolicy, type PlatformResourcePolicy } from "../../../policy/framework/metadata";
import { waiverLedger, waiverProblems, type Waiver } from "../../../policy/framework/waivers";
import { backupCoverage } from "../../../policy/backups/coverage";
import { DEFAULT_PROXY_COMPONENTS, analyseNetwork } from "../../../policy/network/net-02-reachability";
import { SUBNET_TYPES } from "../../../policy/network/types";
import { packInfo as defaultPack, policyRegistry, type PackInfo } from "../../../policy/registry";
import { isProviderType } from "../snapshot/graph";
import type { ResourceState, StackExport } from "../snapshot/types";
import { parseProviderReference, parseUrn } from "../snapshot/urn";
import { parsePolicyConfig, reconcile, type PolicyConfig, type PolicyPackConfigFile } from "./config";
import { fromStackExport, type AuditInput } from "./input";
import type { AuditResult, BackupCoverageReport, ControlSummary, DecisionSummary, FrameworkSummary, PolicyRecord, ReachabilityReport, ViolationRecord, WaiverRecord } from "./types";
import { controlRefs, controlUrl, FRAMEWORK_ORDER, type ControlRef } from "./frameworks";
import { naturalCompare } from "./natural-order";
import { deepFreeze, onPropertyRead, readOnlyProps } from "./read-only-view";
import { scopeCounts } from "./scope";
import { deserialize, UnknownValueError } from "./values";

export interface AuditOptions {
  /** Policy pack config: the parsed `--config` file, or its JSON object. */
  readonly config?: ReadonlyMap<string, PolicyConfig> | PolicyPackConfigFile;
  /** Where the config came from, for error messages. */
  readonly configSource?: string;
  /** The day waivers are judged against; defaults to now. */
  readonly now?: Date;
  /** The policies to evaluate; defaults to the pack's registry. */
  readonly policies?: readonly PlatformPolicy[];
  readonly pack?: PackInfo;
  readonly stackTags?: Readonly<Record<string, string>>;
  /** Label of the input when a StackExport object is passed (e.g. its file name). */
  readonly source?: string;
  /** The git revision of the inputs, reported on every report's first line (commit.ts detects it). */
  readonly commit?: string;
}

/** A policy failed with an error of its own (not an unknown value): a defect to fix, not a finding. */
export class AuditRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuditRunError";
  }
}

/**
 * Thrown for every resource a policy does not apply to (most of them), and caught by the runner alone:
 * not an Error, because an Error's construction captures a stack trace, which is costly and never shown
 * (at 10,000 resources it was 5 % of the audit, even with the trace limit set to 0).
 */
class NotApplicableError {
  constructor(readonly reason: string | undefined) {}
}

function throwNotApplicable(reason?: string): never {
  throw new NotApplicableError(reason);
}

interface Tally {
  /** Resources the rule judged: it read their configuration or reported on them (scope.ts). */
  readonly scope: Set<string>;
  unchecked: number;
  notApplicable: string | undefined;
  readonly violations: ViolationRecord[];
}

function typeOf(resourceClass: object): string | undefined {
  const token = (resourceClass as { __pulumiType?: unknown }).__pulumiType;
  return typeof token === "string" && token !== "" ? token : undefined;
}

/** As the engine does: the class's Pulumi type token, else its isInstance check. */
function isTypeOf(type: string, resourceClass: object): boolean {
  const token = typeOf(resourceClass);
  if (token !== undefined) return token === type;
  const isInstance = (resourceClass as { isInstance?: unknown }).isInstance;
  return typeof isInstance === "function" && (isInstance as (o: unknown) => unknown)({ __pulumiType: type }) === true;
}

function extra<T>(state: ResourceState, key: string): T | undefined {
  return (state as unknown as Record<string, T | undefined>)[key];
}

function optionsOf(state: ResourceState): PolicyResourceOptions {
  const timeouts = extra<Record<string, unknown>>(state, "customTimeouts") ?? {};
  const seconds = (v: unknown): number => (typeof v === "number" ? v : 0);
  const deleteBeforeReplace = extra<boolean>(state, "deleteBeforeReplace");
  return {
    protect: state.protect === true,
    ignoreChanges: extra<string[]>(state, "ignoreChanges") ?? [],
    aliases: (extra<unknown[]>(state, "aliases") ?? []).filter((a): a is string => typeof a === "string"),
    customTimeouts: { createSeconds: seconds(timeouts["create"]), updateSeconds: seconds(timeouts["update"]), deleteSeconds: seconds(timeouts["delete"]) },
    additionalSecretOutputs: state.additionalSecretOutputs ?? [],
    ...(deleteBeforeReplace === undefined ? {} : { deleteBeforeReplace }),
    ...(state.parent === undefined ? {} : { parent: state.parent }),
  };
}

function nameOf(urn: string): string {
  try {
    return parseUrn(urn).name;
  } catch {
    return urn;
  }
}

/**
 * A resource's name and frozen options, made once per state: its resource-policy subject, its stack view
 * and its findings share them (all read-only), instead of parsing the URN and copying the options for each.
 */
const identities = new WeakMap<ResourceState, { readonly name: string; readonly opts: PolicyResourceOptions }>();

function identityOf(state: ResourceState): { readonly name: string; readonly opts: PolicyResourceOptions } {
  let identity = identities.get(state);
  if (identity === undefined) {
    identity = { name: nameOf(state.urn), opts: deepFreeze(optionsOf(state)) };
    identities.set(state, identity);
  }
  return identity;
}

/**
 * What every policy sees of a resource, as the engine's analyzer builds it for resource and stack
 * policies alike: type, properties (inputs for the one, outputs for the other), name, options, provider,
 * and the type checks.
 */
function policyResource(state: ResourceState, props: Record<string, unknown>, provider: PolicyProviderResource | undefined) {
  const isType = (resourceClass: object): boolean => isTypeOf(state.type, resourceClass);
  const { name, opts } = identityOf(state);
  return {
    type: state.type,
    props,
    urn: state.urn,
    name,
    opts,
    isType,
    asType: (resourceClass: object) => (isType(resourceClass) ? props : undefined),
    ...(provider === undefined ? {} : { provider }),
  };
}

/** Outputs, as the engine gives stack policies; inputs when a state has none (preview steps, bare exports). */
function stackProps(state: ResourceState): Record<string, unknown> {
  const outputs = state.outputs !== undefined && Object.keys(state.outputs).length > 0 ? state.outputs : (state.inputs ?? {});
  const props = deserialize(outputs) as Record<string, unknown>;
  // Terraform-based providers report the id among the outputs; keep states that lack it comparable.
  // (A copy: deserialize may return the state's own object.)
  if (!("id" in props) && state.id !== undefined && state.custom) return { ...props, id: state.id };
  return props;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Evaluates the pack's policy objects in-process against a stack, with the Pulumi engine's semantics:
 * resource policies see each resource's inputs, stack policies see every resource's outputs linked to
 * its parent, dependencies and property dependencies; provider resources and pending deletes are not
 * evaluated; levels resolve from config, then the policy, then the pack; a value unknown during preview
 * gives an advisory instead of failing. Runs are serialised (the waiver ledger is per evaluation).
 */
export function runAudit(input: StackExport | AuditInput, options: AuditOptions = {}): Promise<AuditResult> {
  const run = queue.then(() => evaluate("deployment" in input ? fromStackExport(input, options.source) : input, options));
  queue = run.catch(() => undefined);
  return run;
}

async function evaluate(input: AuditInput, options: AuditOptions): Promise<AuditResult> {
  const policies = options.policies ?? policyRegistry;
  const pack = options.pack ?? defaultPack;
  const configSource = options.configSource ?? "policy config";
  const given = options.config instanceof Map ? options.config : parsePolicyConfig(options.config ?? {}, configSource);
  const config = reconcile(policies, given, configSource);
  const now = options.now ?? new Date();
  waiverLedger.reset(now);

  const byUrn = new Map(input.resources.map((r) => [r.urn, r] as const));
  const live = input.resources.filter((r) => !isProviderType(r.type) && r.delete !== true);
  const stackTags: ReadonlyMap<string, string> = new Map(Object.entries(options.stackTags ?? {}));
  const levelOf = (p: PlatformPolicy): EnforcementLevel => config.policies.get(p.policy.name)?.enforcementLevel ?? p.policy.enforcementLevel ?? pack.enforcementLevel;
  // One getConfig per policy for the whole audit (each call still hands out a fresh copy): the pack's
  // define.ts parses a policy's waivers once per getConfig function (see waiversOf there).
  const getConfigs = new Map(policies.map((p) => [p, (): Record<string, unknown> => structuredClone({ ...(config.policies.get(p.policy.name)?.properties ?? {}) })] as const));
  const getConfigOf = (p: PlatformPolicy) => getConfigs.get(p) as () => Record<string, unknown>;
  const tallies = new Map<string, Tally>(policies.map((p) => [p.policy.name, { scope: new Set<string>(), unchecked: 0, notApplicable: undefined, violations: [] }]));

  const record = (p: PlatformPolicy, level: EnforcementLevel, kind: ViolationRecord["kind"], reported: string, state: ResourceState | undefined): ViolationRecord => {
    const { message, key } = splitFinding(reported);
    return {
      policy: p.meta.id,
      title: p.meta.title,
      level: kind === "unchecked" || level === "advisory" ? "advisory" : "mandatory",
      severity: p.meta.severity,
      kind,
      ...(state === undefined ? {} : { urn: state.urn, type: state.type, name: identityOf(state).name }),
      message,
      finding: key,
      remediation: p.meta.remediation,
      decisions: p.meta.decisions,
      controls: controlLabels(p.meta.controls),
    };
  };

  // One object per provider, shared (frozen) by every resource it manages and every policy.
  const providers = new Map<string, PolicyProviderResource | undefined>();
  const providerOf = (state: ResourceState): PolicyProviderResource | undefined => {
    if (state.provider === undefined) return undefined;
    if (providers.has(state.provider)) return providers.get(state.provider);
    let found: PolicyProviderResource | undefined;
    try {
      const provider = byUrn.get(parseProviderReference(state.provider).urn);
      if (provider !== undefined) {
        found = Object.freeze({ type: provider.type, props: readOnlyProps(deserialize(provider.inputs ?? {}) as Record<string, unknown>), urn: provider.urn, name: nameOf(provider.urn) });
      }
    } catch {
      found = undefined;
    }
    providers.set(state.provider, found);
    return found;
  };

  // Resource policies: every resource, in registration order, sees its inputs (one read-only copy for all policies).
  const resourcePolicies = policies.filter((p): p is PlatformResourcePolicy => p.kind === "resource" && levelOf(p) !== "disabled");
  // What each policy's runs share, worked out once instead of once per resource.
  const resourceRuns = resourcePolicies.map((p) => {
    const configured = levelOf(p);
    const v = p.policy.validateResource;
    return {
      p,
      level: configured === "remediate" ? "mandatory" : configured,
      tally: tallies.get(p.policy.name) as Tally,
      validations: v === undefined ? [] : Array.isArray(v) ? v : [v],
      getConfig: getConfigOf(p),
    };
  });
  let read = false;
  const markRead = (): void => {
    read = true;
  };
  for (const state of live) {
    const props = readOnlyProps(deserialize(state.inputs ?? {}) as Record<string, unknown>, state.urn);
    const subject = { ...policyResource(state, props, providerOf(state)), stackTags, notApplicable: throwNotApplicable };
    for (const { p, level, tally, validations, getConfig } of resourceRuns) {
      let applied = false;
      read = false;
      onPropertyRead(markRead);
      for (const validation of validations) {
        const args = { ...subject, getConfig } as unknown as ResourceValidationArgs;
        const report: ReportViolation = (message) => {
          tally.scope.add(state.urn);
          tally.violations.push(record(p, level, "violation", message, state));
        };
        try {
          // Most validations are synchronous: awaiting only a promise spares a microtask turn per resource and rule.
          const pending = validation(args, report);
          if (pending instanceof Promise) await pending;
          applied = true;
        } catch (err) {
          if (err instanceof NotApplicableError) continue;
          applied = true;
          if (err instanceof UnknownValueError) {
            tally.unchecked++;
            tally.scope.add(state.urn);
            tally.violations.push(record(p, level, "unchecked", `cannot be checked during preview: ${err.message}`, state));
          } else {
            throw new AuditRunError(`policy ${p.policy.name} failed on ${state.urn}: ${(err as Error).message ?? String(err)}`);
          }
        }
      }
      onPropertyRead(undefined);
      if (applied && read) tally.scope.add(state.urn);
    }
  }

  // Stack policies, and the reports' reachability matrix and backup coverage: every resource's outputs,
  // linked to parent, dependencies and property dependencies, built once and shared read-only.
  const resources = stackView(live, providerOf);

  for (const p of policies) {
    if (p.kind !== "stack") continue;
    const configured = levelOf(p);
    if (configured === "disabled") continue;
    const level = configured === "remediate" ? "mandatory" : configured;
    const tally = tallies.get(p.policy.name) as Tally;
    // Typed mutable by @pulumi/policy; frozen here, which only a policy that tried to change it would notice.
    const args: StackValidationArgs = { resources: resources as PolicyResource[], stackTags, getConfig: getConfigOf(p) as StackValidationArgs["getConfig"], notApplicable: throwNotApplicable };
    const report: ReportViolation = (message, urn) => {
      if (urn !== undefined && byUrn.has(urn)) tally.scope.add(urn);
      tally.violations.push(record(p, level, "violation", message, urn === undefined ? undefined : byUrn.get(urn)));
    };
    onPropertyRead((urn) => tally.scope.add(urn));
    try {
      await p.policy.validateStack(args, report);
    } catch (err) {
      if (err instanceof NotApplicableError) {
        tally.notApplicable = err.reason ?? "does not apply";
        tally.scope.clear();
      } else if (err instanceof UnknownValueError) {
        tally.unchecked++;
        tally.violations.push(record(p, level, "unchecked", `cannot be checked during preview: ${err.message}`, undefined));
      } else {
        throw new AuditRunError(`policy ${p.policy.name} failed: ${(err as Error).message ?? String(err)}`);
      }
    } finally {
      onPropertyRead(undefined);
    }
  }

  const assembled = assemble(input, policies, pack, levelOf, tallies, config.unknownKeys, now, reachabilityOf(resources, config.policies.get("NET-02")), options.commit);
  return { ...assembled, backupCoverage: backupCoverageOf(resources) };
}

/**
 * The resources as every stack policy sees them, as the engine builds them for each policy: outputs
 * (stackProps), options, provider, and links to parent, dependencies and property dependencies. Built
 * once per audit: the list, the resources, their options and links are frozen and the properties are
 * read-only views (read-only-view.ts), so one policy cannot change what the next one sees.
 */
function stackView(live: readonly ResourceState[], providerOf: (state: ResourceState) => PolicyProviderResource | undefined): readonly PolicyResource[] {
  const made = new Map<string, PolicyResource>();
  for (const state of live) {
    const resource = {
      ...policyResource(state, readOnlyProps(stackProps(state), state.urn), providerOf(state)),
      dependencies: [],
      propertyDependencies: {},
    } as unknown as PolicyResource;
    made.set(state.urn, resource);
  }
  const linked = (urns: readonly string[] | undefined): PolicyResource[] =>
    (urns ?? []).map((u) => made.get(u)).filter((r): r is PolicyResource => r !== undefined);
  for (const state of live) {
    const resource = made.get(state.urn) as PolicyResource;
    if (state.parent !== undefined && made.has(state.parent)) resource.parent = made.get(state.parent);
    resource.dependencies = linked(state.dependencies);
    for (const [key, urns] of Object.entries(state.propertyDependencies ?? {})) resource.propertyDependencies[key] = linked(urns);
  }
  // Freeze only once every link is set (parents and dependencies point at each other).
  for (const resource of made.values()) {
    Object.freeze(resource.dependencies);
    for (const list of Object.values(resource.propertyDependencies)) Object.freeze(list);
    Object.freeze(resource.propertyDependencies);
    Object.freeze(resource);
  }
  return Object.freeze([...made.values()]);
}

function backupCoverageOf(resources: readonly PolicyResource[]): BackupCoverageReport {
  try {
    const rows = backupCoverage(resources);
    return rows.length > 0 ? { rows } : { rows, unavailable: "the stack has no host tagged data-class=critical" };
  } catch (err) {
    if (err instanceof UnknownValueError) return { rows: [], unavailable: `cannot be computed during preview: ${err.message}` };
    throw err;
  }
}

function reachabilityOf(resources: readonly PolicyResource[], net02: PolicyConfig | undefined): ReachabilityReport {
  if (!resources.some((r) => SUBNET_TYPES.includes(r.type))) return { zones: [], cells: [], unavailable: "the stack has no subnets" };
  const configured = net02?.properties["proxyComponents"];
  const proxyComponents = Array.isArray(configured) ? configured.filter((c): c is string => typeof c === "string") : DEFAULT_PROXY_COMPONENTS;
  try {
    const { reachability } = analyseNetwork(resources, proxyComponents);
    const cells: Array<{ from: string; to: string; flows: string }> = [];
    for (const from of reachability.zones) {
      for (const to of reachability.zones) {
        const flows = reachability.matrix.get(from)?.get(to);
        if (flows !== undefined && !flows.isEmpty()) cells.push({ from, to, flows: flows.toString() });
      }
    }
    return { zones: reachability.zones, cells };
  } catch (err) {
    if (err instanceof UnknownValueError) return { zones: [], cells: [], unavailable: `cannot be computed during preview: ${err.message}` };
    throw err;
  }
}

function sameWaiver(a: Waiver, b: Waiver): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function assemble(
  input: AuditInput,
  policies: readonly PlatformPolicy[],
  pack: PackInfo,
  levelOf: (p: PlatformPolicy) => EnforcementLevel,
  tallies: ReadonlyMap<string, Tally>,
  unknownKeys: readonly string[],
  now: Date,
  reachability: ReachabilityReport,
  commit: string | undefined,
): Omit<AuditResult, "backupCoverage"> {
  const today = waiverLedger.today();
  const applied = waiverLedger.applied();
  const waivers: WaiverRecord[] = [];
  for (const { meta, waivers: list } of waiverLedger.entries()) {
    for (const w of list) {
      const problems = waiverProblems(w, meta, today);
      const suppressed = applied
        .filter((a) => a.policy === meta.id && sameWaiver(a.waiver, w))
        .map((a) => ({ ...(a.urn === undefined ? {} : { urn: a.urn }), message: a.message, finding: a.finding }))
        .sort((x, y) => `${x.urn ?? ""}${x.message}`.localeCompare(`${y.urn ?? ""}${y.message}`));
      waivers.push({
        policy: meta.id,
        resource: w.resource,
        ...(w.finding === undefined ? {} : { finding: w.finding }),
        ...(w.reason === undefined ? {} : { reason: w.reason }),
        ...(w.approver === undefined ? {} : { approver: w.approver }),
        ...(w.expiry === undefined ? {} : { expiry: w.expiry }),
        ...(w.ticket === undefined ? {} : { ticket: w.ticket }),
        status: problems.length > 0 ? "invalid" : suppressed.length > 0 ? "applied" : "unused",
        problems,
        suppressed,
      });
    }
  }
  waivers.sort((a, b) => `${a.policy}\0${a.resource}\0${a.finding ?? ""}`.localeCompare(`${b.policy}\0${b.resource}\0${b.finding ?? ""}`));

  const violations = [...tallies.values()]
    .flatMap((t) => t.violations)
    .sort((a, b) => `${a.policy}\0${a.urn ?? ""}\0${a.message}\0${a.finding}`.localeCompare(`${b.policy}\0${b.urn ?? ""}\0${b.message}\0${b.finding}`));

  const records: PolicyRecord[] = policies
    .map((p) => {
      const t = tallies.get(p.policy.name) as Tally;
      return {
        id: p.meta.id,
        name: p.policy.name,
        title: p.meta.title,
        description: p.meta.description,
        kind: p.kind,
        severity: p.meta.severity,
        decisions: p.meta.decisions,
        controls: controlLabels(p.meta.controls),
        remediation: p.meta.remediation,
        enforcementLevel: levelOf(p),
        scope: scopeCounts(
          t.scope,
          t.violations,
          new Set(applied.filter((a) => a.policy === p.meta.id && a.urn !== undefined).map((a) => a.urn as string)),
          t.notApplicable !== undefined,
        ),
        violations: t.violations.filter((v) => v.kind === "violation").length,
        unchecked: t.unchecked,
        waived: applied.filter((a) => a.policy === p.meta.id).length,
        ...(t.notApplicable === undefined ? {} : { notApplicable: t.notApplicable }),
      };
    })
    .sort((a, b) => naturalCompare(a.id, b.id));

  const counts = (list: readonly ViolationRecord[]) => ({
    mandatory: list.filter((v) => v.level === "mandatory").length,
    advisory: list.filter((v) => v.level === "advisory").length,
  });
  const byDecision: DecisionSummary[] = DECISIONS.map((d) => ({
    decision: d,
    title: DECISION_TITLES[d],
    policies: records.filter((r) => r.decisions.includes(d)).map((r) => r.id),
    ...counts(violations.filter((v) => v.decisions.includes(d))),
  }));
  const byFramework = frameworkSummaries(policies, records, violations, counts);


  const first = input.resources[0];
  let stack: { stack?: string; project?: string } = {};
  if (first !== undefined) {
    try {
      const parsed = parseUrn(first.urn);
      stack = { stack: parsed.stack, project: parsed.project };
    } catch {
      stack = {};
    }
  }
  const { mandatory, advisory } = counts(violations);
  return {
    tool: { name: `${rootPackage.name} audit`, version: rootPackage.version },
    commit: commit ?? "unknown",
    pack: { name: pack.name, version: pack.version },
    input: { source: input.source, format: input.format, resources: input.resources.length, ...stack },
    date: now.toISOString().slice(0, 10),
    summary: {
      passed: mandatory === 0,
      mandatory,
      advisory,
      unchecked: violations.filter((v) => v.kind === "unchecked").length,
      waived: applied.length,
      byDecision,
      byFramework,
    },
    policies: records,
    violations,
    waivers,
    reachability,
    notes: unknownKeys.map((k) => `policy config names "${k}", which is no policy of this pack (ignored, as the Pulumi CLI does)`),
  };
}

/** Controls grouped by framework (in FRAMEWORK_ORDER), each naturally sorted, with the rules mapping to them. */
function frameworkSummaries(
  policies: readonly PlatformPolicy[],
  records: readonly PolicyRecord[],
  violations: readonly ViolationRecord[],
  counts: (list: readonly ViolationRecord[]) => { mandatory: number; advisory: number },
): FrameworkSummary[] {
  const refs = new Map<string, { ref: ControlRef; policies: Set<string> }>();
  for (const p of policies) {
    for (const ref of controlRefs(p.meta.controls)) {
      const key = `${ref.framework.key}\0${ref.id}`;
      const entry = refs.get(key) ?? { ref, policies: new Set<string>() };
      entry.policies.add(p.meta.id);
      refs.set(key, entry);
    }
  }
  const known = new Set(records.map((r) => r.id));
  const groups = new Map<string, FrameworkSummary & { controls: ControlSummary[] }>();
  for (const { ref, policies: ids } of refs.values()) {
    const { framework } = ref;
    const group = groups.get(framework.key) ?? { key: framework.key, name: framework.name, ...(framework.version === undefined ? {} : { version: framework.version }), ...(framework.url === undefined ? {} : { url: framework.url }), controls: [] };
    const url = controlUrl(ref);
    const rules = [...ids].filter((id) => known.has(id)).sort(naturalCompare);
    group.controls.push({
      control: ref.label,
      id: ref.id,
      ...(url === undefined ? {} : { url }),
      policies: rules,
      ...counts(violations.filter((v) => rules.includes(v.policy))),
    });
    groups.set(framework.key, group);
  }
  const rank = (key: string): number => (FRAMEWORK_ORDER.includes(key) ? FRAMEWORK_ORDER.indexOf(key) : FRAMEWORK_ORDER.length);
  return [...groups.values()]
    .sort((a, b) => rank(a.key) - rank(b.key) || naturalCompare(a.key, b.key))
    .map((g) => ({ ...g, controls: g.controls.sort((a, b) => naturalCompare(a.id, b.id)) }));
}
