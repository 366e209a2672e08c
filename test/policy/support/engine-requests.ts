import {
  AnalyzeRequest,
  AnalyzerPropertyDependencies,
  AnalyzerProviderResource,
  AnalyzerResource,
  AnalyzerResourceOptions,
} from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { parseProviderReference } from "../../../src/offline/snapshot/urn";
import { SECRET_SIG_KEY, SECRET_SIG_VALUE, type ResourceState, type StackExport } from "../../../src/offline/snapshot/types";

/**
 * The analyzer requests the Pulumi engine builds from a stack's resource states (pulumi/pulumi, read 2026-12-03:
 * pkg/resource/deploy/step_generator.go for Analyze during an update,
 * pkg/resource/deploy/analyze_snapshot.go `stateToAnalyzerResource` for AnalyzeStack,
 * sdk/go/common/resource/plugin/analyzer_plugin.go for the wire form):
 * - Analyze: the inputs; AnalyzeStack: the outputs, with parent, dependencies and property dependencies;
 * - both: the options (protect, ignoreChanges, deleteBeforeReplace when set, additionalSecretOutputs,
 *   aliases, customTimeouts, parent) and the provider resource (type, URN, name and its *inputs*);
 * - every resource the engine registers is analyzed, provider resources and components included;
 * - properties marshalled with KeepSecrets: a secret arrives as the secret signature object carrying the
 *   decrypted `value` (the pack's deserializer unwraps it), and with KeepUnknowns.
 * A synth snapshot holds no plaintext, so a ciphertext-only secret is delivered with `standInSecret` as
 * its decrypted value; an export with plaintexts (`--show-secrets`) delivers those.
 */
export const STAND_IN_SECRET = "decrypted-by-the-engine";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A state value as the engine marshals it for an analyzer. */
export function engineValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(engineValue);
  if (!isRecord(value)) return value;
  if (value[SECRET_SIG_KEY] === SECRET_SIG_VALUE) {
    let plain: unknown = STAND_IN_SECRET;
    if ("value" in value) plain = value["value"];
    else if (typeof value["plaintext"] === "string") plain = JSON.parse(value["plaintext"]) as unknown;
    return { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, value: engineValue(plain) };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = engineValue(v);
  return out;
}

function struct(value: Record<string, unknown> | undefined): Struct {
  return Struct.fromJavaScript(engineValue(value ?? {}) as Record<string, JavaScriptValue>);
}

function nameOf(urn: string): string {
  return urn.split("::").pop() ?? "";
}

function extra<T>(state: ResourceState, key: string): T | undefined {
  return (state as unknown as Record<string, T | undefined>)[key];
}

function options(state: ResourceState): AnalyzerResourceOptions {
  const o = new AnalyzerResourceOptions();
  o.setProtect(state.protect === true);
  o.setIgnorechangesList(state.ignoreChanges ?? []);
  const deleteBeforeReplace = extra<boolean>(state, "deleteBeforeReplace");
  if (deleteBeforeReplace !== undefined) {
    o.setDeletebeforereplace(deleteBeforeReplace);
    o.setDeletebeforereplacedefined(true);
  }
  o.setAdditionalsecretoutputsList(state.additionalSecretOutputs ?? []);
  o.setAliasesList((state.aliases ?? []).filter((a): a is string => typeof a === "string"));
  const timeouts = new AnalyzerResourceOptions.CustomTimeouts();
  timeouts.setCreate(state.customTimeouts?.create ?? 0);
  timeouts.setUpdate(state.customTimeouts?.update ?? 0);
  timeouts.setDelete(state.customTimeouts?.delete ?? 0);
  o.setCustomtimeouts(timeouts);
  if (state.parent !== undefined) o.setParent(state.parent);
  return o;
}

/** Builds the engine's requests for the live resources of one snapshot. */
export class EngineRequests {
  private readonly byUrn: Map<string, ResourceState>;
  /** What the engine analyzes: every resource but pending deletes, in snapshot order. */
  readonly live: readonly ResourceState[];

  constructor(snapshot: StackExport) {
    this.live = snapshot.deployment.resources.filter((r) => r.delete !== true);
    this.byUrn = new Map(this.live.map((r) => [r.urn, r] as const));
  }

  private provider(state: ResourceState): AnalyzerProviderResource | undefined {
    if (state.provider === undefined) return undefined;
    const provider = this.byUrn.get(parseProviderReference(state.provider).urn);
    if (provider === undefined) return undefined;
    const p = new AnalyzerProviderResource();
    p.setType(provider.type);
    p.setUrn(provider.urn);
    p.setName(nameOf(provider.urn));
    p.setProperties(struct(provider.inputs));
    return p;
  }

  /** Analyze: one resource's inputs, before it is created or updated. */
  analyze(state: ResourceState): AnalyzeRequest {
    const req = new AnalyzeRequest();
    req.setType(state.type);
    req.setUrn(state.urn);
    req.setName(nameOf(state.urn));
    req.setProperties(struct(state.inputs));
    req.setOptions(options(state));
    const provider = this.provider(state);
    if (provider !== undefined) req.setProvider(provider);
    return req;
  }

  /** AnalyzeStack: every live resource's outputs, linked to its parent and dependencies. */
  analyzeStack(): AnalyzerResource[] {
    return this.live.map((s) => {
      const r = new AnalyzerResource();
      r.setType(s.type);
      r.setUrn(s.urn);
      r.setName(nameOf(s.urn));
      r.setProperties(struct(s.outputs));
      r.setOptions(options(s));
      const provider = this.provider(s);
      if (provider !== undefined) r.setProvider(provider);
      if (s.parent !== undefined) r.setParent(s.parent);
      r.setDependenciesList(s.dependencies ?? []);
      for (const [k, urns] of Object.entries(s.propertyDependencies ?? {})) {
        if (urns.length > 0) r.getPropertydependenciesMap().set(k, new AnalyzerPropertyDependencies().setUrnsList(urns));
      }
      return r;
    });
  }
}
