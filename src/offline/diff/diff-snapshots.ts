import type { ResourceState, StackExport } from "../snapshot/types";
import { ROOT_STACK_TYPE } from "../snapshot/urn";
import { criticalKind, isCriticalData } from "./critical-data";
import { addedExposure, type ExposureRule } from "./exposure";
import { NOT_EVALUATED, policyResultChanges, type AuditFunction, type PolicyResultChanges } from "./policy-results";
import { diffProperties, pathCovers, type PropertyChange } from "./property-diff";
import { replacementCauses } from "./replace-rules";
import { nameOf, propsOf, SnapshotIndex, stackOf, type ComponentRef } from "./resource-facts";
import { reviewableInputs } from "./reviewable-inputs";

/**
 * The review of a change: what a deployment of head over base would do, resource by resource and
 * grouped by the component that owns each resource, with warnings for lost critical data and new
 * exposure, and the policy results that changed. Resources are matched by URN, as the engine does.
 */
export type Operation = "remove" | "replace" | "update" | "add";
export const OPERATIONS: readonly Operation[] = ["remove", "replace", "update", "add"];

export interface ResourceChange {
  readonly op: Operation;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly component: ComponentRef;
  /**
   * Changed inputs (and `(protect)`, `(retainOnDelete)`, `(provider)`), for updates and replacements;
   * for a creation, its reviewable inputs (policies, rules, routes, images: reviewable-inputs.ts).
   */
  readonly changes: readonly PropertyChange[];
  /** The changed properties that force the replacement (an estimate, see replace-rules.ts). */
  readonly replaceCauses: readonly string[];
  /** Changed inputs the resource's `ignoreChanges` option keeps from reaching the cloud resource. */
  readonly ignored: readonly string[];
  readonly critical: boolean;
}

export interface ComponentChanges {
  readonly component: ComponentRef;
  readonly counts: Readonly<Record<Operation, number>>;
  readonly changes: readonly ResourceChange[];
}

export type WarningRule = "critical-destroyed" | "critical-replaced" | "critical-unprotected" | ExposureRule;

export interface DiffWarning {
  readonly kind: "critical-data" | "exposure";
  readonly rule: WarningRule;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly message: string;
}

/** Changes a resource's `ignoreChanges` option holds back: in the program, not deployed by an update. */
export interface IgnoredChanges {
  readonly urn: string;
  readonly name: string;
  readonly paths: readonly string[];
}

export interface SnapshotDiff {
  readonly base: { readonly stack: string; readonly resources: number };
  readonly head: { readonly stack: string; readonly resources: number };
  readonly counts: Readonly<Record<Operation | "same", number>>;
  readonly warnings: readonly DiffWarning[];
  readonly components: readonly ComponentChanges[];
  readonly ignored: readonly IgnoredChanges[];
  readonly policy: PolicyResultChanges;
}

export interface DiffOptions {
  /** The policy pack's offline audit; without it the policy section says it was not evaluated. */
  readonly audit?: AuditFunction;
}

export async function diffSnapshots(base: StackExport, head: StackExport, options: DiffOptions = {}): Promise<SnapshotDiff> {
  const structural = diffStructure(base, head);
  return { ...structural, policy: await policyResultChanges(options.audit, base, head) };
}

/** Everything but the policy results: pure and synchronous. */
export function diffStructure(base: StackExport, head: StackExport): SnapshotDiff {
  const before = new SnapshotIndex(base);
  const after = new SnapshotIndex(head);
  const changes: ResourceChange[] = [];
  const held: IgnoredChanges[] = [];
  let same = 0;

  for (const resource of after.resources) {
    if (!reviewed(resource)) continue;
    const old = before.byUrn.get(resource.urn);
    if (old === undefined || !reviewed(old)) {
      const shown = reviewableInputs(resource.type, propsOf(resource));
      changes.push(change("add", resource, after, shown === undefined ? [] : diffProperties({}, shown), [], isCriticalData(resource)));
      continue;
    }
    // A component is not deployed itself: only its children change (what it registers as outputs is not an operation).
    const inputChanges = resource.custom ? diffProperties(propsOf(old), propsOf(resource)) : [];
    // The engine diffs with the old value of every path the new registration lists in `ignoreChanges`.
    const ignoring = resource.ignoreChanges ?? [];
    const ignored = inputChanges.filter((p) => ignoring.some((pattern) => pathCovers(pattern, p.path)));
    const properties = [...inputChanges.filter((p) => !ignored.includes(p)), ...(resource.custom ? metadataChanges(old, resource) : [])];
    if (ignored.length > 0) held.push({ urn: resource.urn, name: nameOf(resource.urn), paths: ignored.map((p) => p.path) });
    if (properties.length === 0) {
      same += 1;
      continue;
    }
    const changedPaths = properties.filter((p) => !p.path.startsWith("(")).map((p) => p.path);
    const causes = replacementCauses(resource.type, changedPaths, propsOf(resource), resource.replaceOnChanges ?? []);
    if (providerUrn(old) !== providerUrn(resource)) causes.push("(provider)");
    const op: Operation = causes.length > 0 ? "replace" : "update";
    changes.push(change(op, resource, after, properties, causes, isCriticalData(old) || isCriticalData(resource), ignored.map((p) => p.path)));
  }
  for (const resource of before.resources) {
    if (!reviewed(resource)) continue;
    const now = after.byUrn.get(resource.urn);
    if (now === undefined || !reviewed(now)) changes.push(change("remove", resource, before, [], [], isCriticalData(resource)));
  }

  const counts = { remove: 0, replace: 0, update: 0, add: 0, same };
  for (const c of changes) counts[c.op] += 1;
  // An empty snapshot (a first synth) has no URN to name its stack; it is the same stack as the other.
  const baseStack = stackOf(base) ?? after.stack;
  return {
    base: { stack: baseStack, resources: before.resources.length },
    head: { stack: stackOf(head) ?? baseStack, resources: after.resources.length },
    counts,
    warnings: [...criticalWarnings(changes, before, after), ...exposureWarnings(before, after)],
    components: groupByComponent(changes),
    ignored: held.sort((a, b) => a.urn.localeCompare(b.urn)),
    policy: NOT_EVALUATED,
  };
}

/** The root stack resource carries no inputs, and resources read with `.get` are not managed here. */
function reviewed(resource: ResourceState): boolean {
  return resource.type !== ROOT_STACK_TYPE && resource.external !== true;
}

function change(
  op: Operation,
  resource: ResourceState,
  index: SnapshotIndex,
  changes: readonly PropertyChange[],
  replaceCauses: readonly string[],
  critical: boolean,
  ignored: readonly string[] = [],
): ResourceChange {
  return { op, urn: resource.urn, type: resource.type, name: nameOf(resource.urn), component: index.componentOf(resource), changes, replaceCauses, ignored, critical };
}

function metadataChanges(old: ResourceState, now: ResourceState): PropertyChange[] {
  const out: PropertyChange[] = [];
  for (const flag of ["protect", "retainOnDelete"] as const) {
    const a = old[flag] === true;
    const b = now[flag] === true;
    if (a !== b) out.push({ path: `(${flag})`, kind: "changed", secret: false, before: String(a), after: String(b) });
  }
  if (providerUrn(old) !== providerUrn(now)) out.push({ path: "(provider)", kind: "changed", secret: false });
  return out;
}

/** The provider a resource is managed by; its id part changes with every provider instance and is ignored. */
function providerUrn(resource: ResourceState): string {
  const ref = resource.provider ?? "";
  const at = ref.lastIndexOf("::");
  return at < 0 ? ref : ref.slice(0, at);
}

function criticalWarnings(changes: readonly ResourceChange[], before: SnapshotIndex, after: SnapshotIndex): DiffWarning[] {
  const warnings: DiffWarning[] = [];
  for (const c of changes) {
    if (!c.critical) continue;
    const resource = (c.op === "remove" ? before : after).byUrn.get(c.urn) as ResourceState;
    const what = `${criticalKind(resource)} \`${c.name}\``;
    const base = { kind: "critical-data" as const, urn: c.urn, type: c.type, name: c.name };
    if (c.op === "remove") warnings.push({ ...base, rule: "critical-destroyed", message: `destroys ${what}` });
    if (c.op === "replace") {
      const causes = c.replaceCauses.map((p) => `\`${p}\``).join(", ");
      warnings.push({ ...base, rule: "critical-replaced", message: `replaces ${what} (delete and re-create, forced by ${causes})` });
    }
    for (const p of c.changes) {
      if ((p.path === "(protect)" || p.path === "(retainOnDelete)") && p.after === "false") {
        warnings.push({ ...base, rule: "critical-unprotected", message: `removes \`${p.path.slice(1, -1)}\` from ${what}` });
      }
    }
  }
  return warnings;
}

function exposureWarnings(before: SnapshotIndex, after: SnapshotIndex): DiffWarning[] {
  return addedExposure(before, after).map((fact) => ({
    kind: "exposure",
    rule: fact.rule,
    urn: fact.urn,
    type: fact.type,
    name: fact.name,
    message: fact.message,
  }));
}

function groupByComponent(changes: readonly ResourceChange[]): ComponentChanges[] {
  const groups = new Map<string, { component: ComponentRef; changes: ResourceChange[] }>();
  for (const c of changes) {
    const key = c.component.urn;
    const group = groups.get(key) ?? { component: c.component, changes: [] };
    group.changes.push(c);
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort((a, b) => componentOrder(a.component).localeCompare(componentOrder(b.component)))
    .map((group) => {
      const counts = { remove: 0, replace: 0, update: 0, add: 0 };
      for (const c of group.changes) counts[c.op] += 1;
      const sorted = [...group.changes].sort(
        (a, b) => OPERATIONS.indexOf(a.op) - OPERATIONS.indexOf(b.op) || a.type.localeCompare(b.type) || a.urn.localeCompare(b.urn),
      );
      return { component: group.component, counts, changes: sorted };
    });
}

/** The stack's own resources first, then components by type and name. */
function componentOrder(component: ComponentRef): string {
  return component.type === ROOT_STACK_TYPE ? "" : `${component.type}\0${component.name}\0${component.urn}`;
}
