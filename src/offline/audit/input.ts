import { parseSnapshotJson, readSnapshotDocument, SnapshotError, snapshotFromDocument, snapshotFromStreamedDocument } from "../snapshot/reader";
import type { ResourceState, StackExport } from "../snapshot/types";

/**
 * What the auditor evaluates: the resources of a stack, from a snapshot written by synth, a real
 * `pulumi stack export`, or the steps of `pulumi preview --json` (whose new states carry the planned
 * inputs, with values unknown until the update as the engine's sentinel).
 */
export interface AuditInput {
  readonly source: string;
  readonly format: "stack-export" | "preview";
  readonly resources: readonly ResourceState[];
}

/** Input that cannot be audited; the message is one line naming the file and the problem. */
export class AuditInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuditInputError";
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function fromStackExport(snapshot: StackExport, source = "snapshot"): AuditInput {
  return { source, format: "stack-export", resources: snapshot.deployment.resources };
}

/** Steps that leave nothing behind for their URN (unless a later step brings it back). */
const REMOVING_OPS = new Set(["delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace", "read-discard"]);

function fromPreview(doc: Record<string, unknown>, source: string): AuditInput {
  // Steps are already free of plaintexts when streamed; concealing again finds none and costs little.
  const steps = doc["steps"];
  if (!Array.isArray(steps)) throw new AuditInputError(`${source}: steps: expected a list of steps`);
  const states = new Map<string, unknown>();
  steps.forEach((step, i) => {
    if (!isObject(step)) throw new AuditInputError(`${source}: steps[${i}]: expected an object`);
    const op = typeof step["op"] === "string" ? step["op"] : "";
    const urn = typeof step["urn"] === "string" ? step["urn"] : undefined;
    if (REMOVING_OPS.has(op)) {
      if (urn !== undefined && !isObject(step["newState"])) states.delete(urn);
      return;
    }
    const state = isObject(step["newState"]) ? step["newState"] : isObject(step["oldState"]) ? step["oldState"] : undefined;
    if (state === undefined) return;
    const key = typeof state["urn"] === "string" ? state["urn"] : urn;
    if (key === undefined) throw new AuditInputError(`${source}: steps[${i}]: a step without a URN`);
    // Map order is first-insertion order: keep the program's registration order.
    states.set(key, { ...state, urn: key });
  });
  // Reuse the export reader's checks on each state.
  const snapshot = checkedExport({ version: 3, deployment: { manifest: {}, resources: [...states.values()] } }, source);
  return { source, format: "preview", resources: snapshot.deployment.resources };
}

type ExportCheck = (doc: unknown, source: string) => StackExport;

function checkedExport(doc: unknown, source: string, check: ExportCheck = snapshotFromDocument): StackExport {
  try {
    return check(doc, source);
  } catch (err) {
    if (err instanceof SnapshotError) throw new AuditInputError(err.message);
    throw err;
  }
}

/** Parses any of the accepted formats; throws AuditInputError with a one-line reason. */
export function parseAuditInput(text: string, source: string): AuditInput {
  return fromDocument(asAuditInputError(() => parseSnapshotJson(text, source)), source, snapshotFromDocument);
}

function asAuditInputError<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof SnapshotError) throw new AuditInputError(err.message);
    throw err;
  }
}

/** Recognises the format of a parsed document; `check` turns an export document into a checked snapshot. */
function fromDocument(doc: unknown, source: string, check: ExportCheck): AuditInput {
  if (!isObject(doc)) throw new AuditInputError(`${source}: expected a stack export or the output of \`pulumi preview --json\``);
  if (Array.isArray(doc["steps"])) return fromPreview(doc, source);
  if ("version" in doc || "deployment" in doc || "checkpoint" in doc) return fromStackExport(checkedExport(doc, source, check), source);
  if (Array.isArray(doc["resources"]) && isObject(doc["manifest"])) {
    // A bare deployment (the `deployment` member of an export).
    return fromStackExport(checkedExport({ version: 3, deployment: doc }, source, check), source);
  }
  throw new AuditInputError(
    `${source}: neither a stack export (version 3, from \`pulumi stack export\` or synth) nor the output of \`pulumi preview --json\` (steps)`,
  );
}

/** Reads any of the accepted formats from a file, streaming resources and preview steps (snapshot/reader.ts). */
export function readAuditInput(file: string): AuditInput {
  return fromDocument(asAuditInputError(() => readSnapshotDocument(file, ["steps"])), file, snapshotFromStreamedDocument);
}
