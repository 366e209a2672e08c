import { readFileSync } from "node:fs";
import type { ResourceState, StackExport } from "../snapshot/types";

/** An input the review tools cannot use; its message is one line naming the file and the problem. */
export class UnreadableSnapshotError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = "UnreadableSnapshotError";
  }
}

/**
 * Reads a `pulumi stack export` file (deployment version 3), as synth writes it or as the CLI exports a
 * real stack. The bare `deployment` object (what `pulumi stack export` nests) is accepted too.
 */
export function readSnapshotFile(file: string): StackExport {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "read error";
    throw new UnreadableSnapshotError(file, `cannot read the file (${code})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UnreadableSnapshotError(file, `not JSON (${(error as Error).message.split("\n")[0]})`);
  }
  return parseSnapshot(json, file);
}

export function parseSnapshot(json: unknown, file: string): StackExport {
  if (!isRecord(json)) throw new UnreadableSnapshotError(file, "expected a JSON object (a `pulumi stack export`)");
  const deployment = isRecord(json.deployment) ? json.deployment : Array.isArray(json.resources) ? json : undefined;
  if (deployment === undefined) {
    throw new UnreadableSnapshotError(file, "no `deployment.resources`: not a `pulumi stack export` file");
  }
  if (json.version !== undefined && json.version !== 3) {
    throw new UnreadableSnapshotError(file, `deployment version ${String(json.version)} is not supported (expected 3)`);
  }
  const resources = deployment.resources ?? [];
  if (!Array.isArray(resources)) throw new UnreadableSnapshotError(file, "`deployment.resources` is not an array");
  resources.forEach((resource: unknown, index: number) => {
    if (!isRecord(resource) || typeof resource.urn !== "string" || typeof resource.type !== "string") {
      throw new UnreadableSnapshotError(file, `deployment.resources[${index}] has no string \`urn\` and \`type\``);
    }
  });
  const manifest = isRecord(deployment.manifest) ? deployment.manifest : { time: "", magic: "", version: "" };
  return {
    version: 3,
    deployment: {
      ...deployment,
      manifest: manifest as StackExport["deployment"]["manifest"],
      resources: resources as ResourceState[],
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
