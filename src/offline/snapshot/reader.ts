import { InputError } from "../../config/input-error";
import { parseJson, SNAPSHOT_JSON_LIMITS } from "../../config/json-reader";
import { readJsonFileStreaming } from "../../config/json-stream-reader";
import { concealPlaintextSecrets, rememberFlaggedValues } from "../redaction/secrets";
import type { DeploymentV3, ResourceState, StackExport } from "./types";
import { parseUrn } from "./urn";

/** A snapshot that cannot be used; the message is one line naming the file and what is wrong. */
export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SnapshotError";
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

function stringList(source: string, where: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new SnapshotError(`${source}: ${where}: expected a list of URNs, found ${describe(value)}`);
  }
  return value as string[];
}

function readResource(source: string, index: number, raw: unknown): ResourceState {
  const where = `deployment.resources[${index}]`;
  if (!isObject(raw)) throw new SnapshotError(`${source}: ${where}: expected an object, found ${describe(raw)}`);
  const { urn, type, custom } = raw;
  if (typeof urn !== "string" || !urn.startsWith("urn:pulumi:") || urn.split("::").length < 4) {
    throw new SnapshotError(`${source}: ${where}.urn: expected a URN "urn:pulumi:<stack>::<project>::<type>::<name>", found ${describe(urn)}`);
  }
  if (typeof type !== "string" || type === "") {
    throw new SnapshotError(`${source}: ${where}.type (${urn}): expected a type token, found ${describe(type)}`);
  }
  if (custom !== undefined && typeof custom !== "boolean") {
    throw new SnapshotError(`${source}: ${where}.custom (${urn}): expected true or false, found ${describe(custom)}`);
  }
  for (const key of ["inputs", "outputs"] as const) {
    if (raw[key] !== undefined && raw[key] !== null && !isObject(raw[key])) {
      throw new SnapshotError(`${source}: ${where}.${key} (${urn}): expected an object, found ${describe(raw[key])}`);
    }
  }
  // Real exports write `null` for a property without dependencies; normalise to empty lists.
  let propertyDependencies: Record<string, string[]> | undefined;
  if (raw.propertyDependencies !== undefined && raw.propertyDependencies !== null) {
    if (!isObject(raw.propertyDependencies)) {
      throw new SnapshotError(`${source}: ${where}.propertyDependencies (${urn}): expected an object, found ${describe(raw.propertyDependencies)}`);
    }
    propertyDependencies = {};
    for (const [prop, deps] of Object.entries(raw.propertyDependencies)) {
      propertyDependencies[prop] = stringList(source, `${where}.propertyDependencies.${prop} (${urn})`, deps) ?? [];
    }
  }
  const resource: ResourceState = {
    ...(raw as object),
    urn,
    type,
    custom: custom ?? false,
  } as ResourceState;
  const dependencies = stringList(source, `${where}.dependencies (${urn})`, raw.dependencies);
  if (dependencies === undefined) delete resource.dependencies;
  else resource.dependencies = dependencies;
  if (propertyDependencies === undefined) delete resource.propertyDependencies;
  else resource.propertyDependencies = propertyDependencies;
  for (const key of ["inputs", "outputs", "parent", "provider", "id"] as const) {
    if (resource[key] === null || resource[key] === "") delete resource[key];
  }
  return resource;
}

/** How a deployment's resources are checked: from raw JSON, or already checked while streamed. */
type ResourceReader = (source: string, index: number, raw: unknown) => ResourceState;

function readDeployment(source: string, raw: unknown, where: string, read: ResourceReader): DeploymentV3 {
  if (!isObject(raw)) throw new SnapshotError(`${source}: ${where}: expected an object, found ${describe(raw)}`);
  const resources = raw.resources ?? [];
  if (!Array.isArray(resources)) {
    throw new SnapshotError(`${source}: ${where}.resources: expected a list of resources, found ${describe(resources)}`);
  }
  const manifest = isObject(raw.manifest) ? raw.manifest : {};
  return {
    ...(raw as object),
    manifest: {
      time: typeof manifest.time === "string" ? manifest.time : "",
      magic: typeof manifest.magic === "string" ? manifest.magic : "",
      version: typeof manifest.version === "string" ? manifest.version : "",
    },
    resources: oneStack(source, resources.map((r: unknown, i) => read(source, i, r))),
  } as DeploymentV3;
}

/** A snapshot is one stack of one project: a resource naming another is a forged or spliced file. */
function oneStack(source: string, resources: ResourceState[]): ResourceState[] {
  const first = resources[0];
  if (first === undefined) return resources;
  const { stack, project } = parseUrn(first.urn);
  resources.forEach((r, i) => {
    const other = parseUrn(r.urn);
    if (other.stack !== stack || other.project !== project) {
      throw new SnapshotError(`${source}: deployment.resources[${i}].urn: names stack "${other.stack}" of project "${other.project}", the first resource stack "${stack}" of project "${project}"; allowed: one stack per snapshot`);
    }
  });
  return resources;
}

/** The project and stack a snapshot belongs to, from its URNs; undefined for an empty snapshot. */
export function snapshotIdentity(snapshot: StackExport): { project: string; stack: string } | undefined {
  const first = snapshot.deployment.resources[0];
  if (first === undefined) return undefined;
  const { project, stack } = parseUrn(first.urn);
  return { project, stack };
}

/**
 * Accepts what `pulumi stack export` prints (and what `synth` writes), and also a checkpoint file of a
 * self-managed backend (`.pulumi/stacks/<project>/<stack>.json`), whose deployment sits under
 * `checkpoint.latest`. Extra fields are kept; only deployment version 3 is understood.
 */
export function parseSnapshot(text: string, source = "snapshot"): StackExport {
  return snapshotFromDocument(parseSnapshotJson(text, source), source);
}

/** JSON within the snapshot limits (size, depth); a SnapshotError naming the source otherwise. */
export function parseSnapshotJson(text: string, source: string): unknown {
  try {
    return parseJson(text, source, SNAPSHOT_JSON_LIMITS);
  } catch (err) {
    if (err instanceof InputError) throw new SnapshotError(err.message);
    throw err;
  }
}

/** The checks of parseSnapshot on an already parsed document (parsing 200 MB twice would be waste). */
export function snapshotFromDocument(doc: unknown, source: string): StackExport {
  // `--show-secrets` exports carry plaintexts: drop them before anything else sees the document.
  concealPlaintextSecrets(doc);
  rememberFlaggedValues(doc);
  return checkedDocument(doc, source, readResource);
}

function checkedDocument(doc: unknown, source: string, read: ResourceReader): StackExport {
  if (!isObject(doc)) throw new SnapshotError(`${source}: expected a stack export object, found ${describe(doc)}`);
  if (doc.version !== 3) {
    throw new SnapshotError(
      `${source}: deployment version ${describe(doc.version)} is not supported; allowed: version 3 (pulumi stack export of Pulumi 3.x)`,
    );
  }
  if (isObject(doc.checkpoint)) {
    return { version: 3, deployment: readDeployment(source, doc.checkpoint.latest ?? {}, "checkpoint.latest", read) };
  }
  if (!isObject(doc.deployment)) {
    throw new SnapshotError(`${source}: deployment: expected an object, found ${describe(doc.deployment)}`);
  }
  return { version: 3, deployment: readDeployment(source, doc.deployment, "deployment", read) };
}

/** A resource the streaming reader refused; the error is raised only if the resource's list is the one used. */
class RefusedResource {
  constructor(readonly error: unknown) {}
}

/** Where the resources of each accepted form sit: an export, a self-managed checkpoint, a bare deployment. */
const RESOURCE_LISTS = new Set(["deployment.resources", "checkpoint.latest.resources", "resources"]);

/**
 * Reads a snapshot file (or, with `alsoStreamed`, another document with large lists, such as the steps of
 * `pulumi preview --json`) without holding its text and its tree at once: resources are streamed one by
 * one through the plaintext removal and the checks of readResource, and kept as checked states. The rest
 * of the document is small and passes the same secret handling afterwards. Errors are raised as the
 * text reader raises them: a resource's only once the document is known to be a snapshot that uses it.
 */
export function readSnapshotDocument(file: string, alsoStreamed: readonly string[] = [], wholeTextBytes?: number): unknown {
  const others = new Set(alsoStreamed);
  try {
    const doc = readJsonFileStreaming(
      file,
      SNAPSHOT_JSON_LIMITS,
      {
        isStreamed: (path) => RESOURCE_LISTS.has(path.join(".")) || others.has(path.join(".")),
        onElement: (path, index, element) => {
          concealPlaintextSecrets(element);
          rememberFlaggedValues(element);
          if (!RESOURCE_LISTS.has(path.join("."))) return element;
          try {
            return readResource(file, index, element);
          } catch (err) {
            return new RefusedResource(err);
          }
        },
      },
      "stack export",
      wholeTextBytes,
    );
    // Everything but the streamed lists (handled above): manifest, secrets providers, pending operations.
    const rest = withoutLists(doc, [...RESOURCE_LISTS, ...others]);
    concealPlaintextSecrets(rest);
    rememberFlaggedValues(rest);
    return doc;
  } catch (err) {
    if (err instanceof InputError) throw new SnapshotError(err.message);
    throw err;
  }
}

/** Shallow copies of the objects along each path, with the list at its end left out. */
function withoutLists(doc: unknown, paths: readonly string[]): unknown {
  if (!isObject(doc)) return doc;
  const copy: Json = { ...doc };
  for (const path of paths) {
    const keys = path.split(".");
    let node: Json = copy;
    for (const [i, key] of keys.entries()) {
      const next = node[key];
      if (i === keys.length - 1) {
        if (Array.isArray(next)) delete node[key];
      } else if (isObject(next)) {
        node[key] = { ...next };
        node = node[key] as Json;
      } else break;
    }
  }
  return copy;
}

/** The checks of snapshotFromDocument on a document readSnapshotDocument read (resources already checked). */
export function snapshotFromStreamedDocument(doc: unknown, source: string): StackExport {
  return checkedDocument(doc, source, (_source, _index, r) => {
    if (r instanceof RefusedResource) throw r.error;
    return r as ResourceState;
  });
}

/**
 * Reads a snapshot file: a regular file within the snapshot size and depth limits, streamed above
 * `wholeTextBytes` (json-stream-reader.ts; tests lower it to cover both ways).
 */
export function readSnapshot(file: string, wholeTextBytes?: number): StackExport {
  return snapshotFromStreamedDocument(readSnapshotDocument(file, [], wholeTextBytes), file);
}
