import * as fs from "node:fs";
import * as path from "node:path";
import { clusterSizedFor, generatedCatalog, imagesWithTags } from "./catalog-100";
import type { BenchCase } from "./measure";

const SYNTH = "src/offline/cli/synth.ts";

function resourcesIn(scratch: string): string {
  const snapshot = JSON.parse(fs.readFileSync(path.join(scratch, "out", "stack.json"), "utf8")) as { deployment: { resources: unknown[] } };
  return `${snapshot.deployment.resources.length} resources`;
}

/** `npm run synth` for both stacks, and for dev with a generated catalog of 100 services. */
export function synthCases(): BenchCase[] {
  const plain = (stack: string): BenchCase => ({
    name: `synth ${stack}`,
    command: (scratch) => [SYNTH, "--stack", stack, "--out", path.join(scratch, "out")],
    size: resourcesIn,
  });
  return [
    plain("dev"),
    plain("prod"),
    {
      name: "synth dev, 100 services",
      command: (scratch) => {
        const catalog = generatedCatalog(100);
        const file = path.join(scratch, "catalog-100.yaml");
        fs.writeFileSync(file, catalog.text);
        const images = `fitness-platform:images=${imagesWithTags("dev", catalog.services)}`;
        const cluster = `fitness-platform:cluster=${clusterSizedFor("dev", catalog.services)}`;
        return [SYNTH, "--stack", "dev", "--out", path.join(scratch, "out"), "--catalog", file, "--config", images, "--config", cluster];
      },
      size: resourcesIn,
    },
  ];
}
