import * as path from "node:path";
import { readStackConfig } from "../offline/engine/project";
import { synthesize } from "../offline/engine/synthesize";
import { deriveMirrorManifest, type MirroredImage, type MirrorManifest } from "./manifest";

/** The platform stacks whose needs the mirror covers. */
export const MIRROR_STACKS = ["dev", "prod"] as const;

/** Synthesizes each stack offline and derives the manifest from its config and its resources. */
export async function deriveFromProject(projectRoot: string, stacks: readonly string[] = MIRROR_STACKS): Promise<MirrorManifest> {
  const uses = [];
  for (const stack of stacks) {
    const config = readStackConfig(path.resolve(projectRoot), stack);
    const images = config["fitness-platform:images"] as { mirrored?: MirroredImage[] } | undefined;
    const { snapshot } = await synthesize({ stack, projectRoot });
    uses.push({ stack, mirrored: images?.mirrored ?? [], resources: snapshot.deployment.resources });
  }
  return deriveMirrorManifest(uses);
}
