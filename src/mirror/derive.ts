import * as path from "node:path";
import { readStackConfig } from "../offline/engine/project";
import { synthesize } from "../offline/engine/synthesize";
import { FLUENT_BIT_CHART } from "../logs/fluent-bit-values";
import { AUTOSCALER_CHART } from "../services/autoscaler-plan";
import { GATEWAY_CHART, LB_CONTROLLER_CHART } from "../services/gateway-plan";
import { ecrRegistry } from "../services/images";
import { deriveMirrorManifest, type MirroredImage, type MirrorManifest } from "./manifest";

/** The upstream of every chart the program installs from the ECR mirror (the areas' own constants). */
const CHART_UPSTREAMS: Readonly<Record<string, string>> = Object.fromEntries([GATEWAY_CHART, LB_CONTROLLER_CHART, AUTOSCALER_CHART, FLUENT_BIT_CHART].map((c) => [c.name, c.upstream]));

/** The platform stacks whose needs the mirror covers. */
export const MIRROR_STACKS = ["dev", "prod"] as const;

/** Synthesizes each stack offline and derives the manifest from its config and its resources. */
export async function deriveFromProject(projectRoot: string, stacks: readonly string[] = MIRROR_STACKS): Promise<MirrorManifest> {
  const uses = [];
  for (const stack of stacks) {
    const config = readStackConfig(path.resolve(projectRoot), stack);
    const images = config["fitness-platform:images"] as { mirrored?: MirroredImage[] } | undefined;
    const account = (config["aws:allowedAccountIds"] as unknown[] | undefined)?.[0];
    const region = config["aws:region"];
    const registry = typeof account === "string" && typeof region === "string" ? ecrRegistry(account, region) : undefined;
    const { snapshot } = await synthesize({ stack, projectRoot });
    uses.push({ stack, mirrored: images?.mirrored ?? [], chartUpstreams: CHART_UPSTREAMS, resources: snapshot.deployment.resources, ...(registry === undefined ? {} : { registry }) });
  }
  return deriveMirrorManifest(uses);
}
