/**
 * Every Kubernetes object of a stack as a manifest (`out/<stack>/manifests/`). Read from the snapshot,
 * so the files show exactly what the program registered (the plans' objects, with deploy-time values
 * as the snapshot records them). Helm releases are listed by chart, version and values, since their
 * objects are rendered in the cluster. Secrets are written without their data: a secret never reaches
 * a file.
 */
import { type ResourceState, SECRET_SIG_KEY, type StackExport } from "../offline/snapshot/types";

export interface Manifest {
  /** Relative path: `<namespace or _cluster>/<kind>-<name>.json`. */
  readonly path: string;
  readonly object: Record<string, unknown>;
}



function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Unwraps `{ 4dabf…: secret, value }` envelopes into a visible redaction marker. */
function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (!isRecord(value)) return value;
  if (value[SECRET_SIG_KEY] !== undefined) return "[secret]";
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
}

const PROVIDER_ONLY_FIELDS = new Set(["__defaults"]);

function clean(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clean);
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !PROVIDER_ONLY_FIELDS.has(k)).map(([k, v]) => [k, clean(v)]));
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_");

/** The Kubernetes objects of a snapshot (every `kubernetes:*` resource but providers), sorted by path. */
export function manifestsFromSnapshot(snapshot: StackExport): Manifest[] {
  const out: Manifest[] = [];
  for (const r of snapshot.deployment.resources as ResourceState[]) {
    if (!r.type.startsWith("kubernetes:") || r.type.startsWith("pulumi:providers:")) continue;
    const inputs = clean(redactSecrets(r.inputs ?? {})) as Record<string, unknown>;
    if (r.type === "kubernetes:helm.sh/v3:Release") {
      const namespace = typeof inputs["namespace"] === "string" ? inputs["namespace"] : "default";
      const name = typeof inputs["name"] === "string" ? inputs["name"] : r.urn.split("::").pop() ?? "release";
      out.push({
        path: `${safe(namespace)}/helmrelease-${safe(name)}.json`,
        object: { kind: "HelmRelease", name, namespace, chart: inputs["chart"], version: inputs["version"], repository: inputs["repositoryOpts"], values: inputs["values"] },
      });
      continue;
    }
    const object = r.type === "kubernetes:core/v1:Secret" ? { ...inputs, data: undefined, stringData: undefined } : inputs;
    const metadata = isRecord(object["metadata"]) ? object["metadata"] : {};
    const namespace = typeof metadata["namespace"] === "string" ? metadata["namespace"] : "_cluster";
    const kind = typeof object["kind"] === "string" ? object["kind"] : (r.type.split(":").pop() ?? "Object");
    const name = typeof metadata["name"] === "string" ? metadata["name"] : (r.urn.split("::").pop() ?? "object");
    out.push({ path: `${safe(namespace)}/${safe(kind.toLowerCase())}-${safe(name)}.json`, object: JSON.parse(JSON.stringify(object)) as Record<string, unknown> });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
