import * as fs from "node:fs";
import * as path from "node:path";
import type { DeploymentV3, ResourceState, StackExport } from "./types";

/**
 * Field order of a resource as `pulumi stack export` writes it (the engine's ResourceV3 struct in pulumi/pulumi sdk/go/common/apitype/core.go), so
 * that our files read, and diff, like real exports. Unknown fields follow in name order.
 */
const RESOURCE_FIELDS = [
  "urn",
  "custom",
  "delete",
  "id",
  "type",
  "inputs",
  "outputs",
  "parent",
  "protect",
  "taint",
  "external",
  "dependencies",
  "initErrors",
  "provider",
  "propertyDependencies",
  "pendingReplacement",
  "additionalSecretOutputs",
  "aliases",
  "customTimeouts",
  "importID",
  "retainOnDelete",
  "deletedWith",
  "replaceWith",
  "created",
  "modified",
  "sourcePosition",
  "stackTrace",
  "ignoreChanges",
  "hideDiff",
  "replaceOnChanges",
  "replacementTrigger",
  "refreshBeforeUpdate",
  "viewOf",
  "resourceHooks",
] as const;

const DEPLOYMENT_FIELDS = ["manifest", "secrets_providers", "resources", "pending_operations"] as const;

/** Property maps are written with sorted keys at every depth, as the engine's JSON encoder does. */
function sortedValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedValue);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortedValue(v);
    }
    return out;
  }
  return value;
}

function ordered(source: object, fields: readonly string[], valueOf: (key: string, v: unknown) => unknown): Record<string, unknown> {
  const record = source as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const known = new Set(fields);
  for (const key of [...fields, ...Object.keys(record).filter((k) => !known.has(k)).sort()]) {
    const v = record[key];
    if (v !== undefined) out[key] = valueOf(key, v);
  }
  return out;
}

function orderedResource(resource: ResourceState): Record<string, unknown> {
  return ordered(resource, RESOURCE_FIELDS, (_key, v) => sortedValue(v));
}

const MANIFEST_FIELDS = ["time", "magic", "version"] as const;

function orderedDeployment(deployment: DeploymentV3): Record<string, unknown> {
  return ordered(deployment, DEPLOYMENT_FIELDS, (key, v) => {
    if (key === "resources") return (v as ResourceState[]).map(orderedResource);
    if (key === "manifest") return ordered(v as object, MANIFEST_FIELDS, (_k, x) => sortedValue(x));
    return sortedValue(v);
  });
}

/** The snapshot as text: same snapshot, same bytes (4-space indent, as `pulumi stack export`). */
export function serializeSnapshot(snapshot: StackExport): string {
  const doc = { version: snapshot.version, deployment: orderedDeployment(snapshot.deployment) };
  return `${JSON.stringify(doc, null, 4)}\n`;
}

/** Writes the snapshot atomically (a reader never sees half a file). Returns the path written. */
export function writeSnapshot(file: string, snapshot: StackExport): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, serializeSnapshot(snapshot));
  fs.renameSync(tmp, file);
  return file;
}
