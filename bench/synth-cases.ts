import * as fs from "node:fs";
import * as path from "node:path";
import { clusterSizedFor, generatedCatalog, imagesWithTags } from "./catalog-100";
import type { BenchCase } from "./measure";

/** The sizes of the generated catalogs: time per resource should stay flat across them. */
export const CATALOG_SIZES = [10, 25, 50, 100, 200] as const;

function resourcesIn(scratch: string): number {
  const snapshot = JSON.parse(fs.readFileSync(path.join(scratch, "out", "stack.json"), "utf8")) as { deployment: { resources: unknown[] } };
  return snapshot.deployment.resources.length;
}

/** `npm run synth` for both stacks, and for dev with generated catalogs of 10 to 200 services. */
export function synthCases(): BenchCase[] {
  const plain = (stack: string): BenchCase => ({
    name: `synth ${stack}`,
    command: (scratch) => ["synth", "--stack", stack, "--out", path.join(scratch, "out")],
    resources: resourcesIn,
  });
  const generated = (services: number): BenchCase => ({
    name: `synth dev, ${services} services`,
    command: (scratch) => {
      const catalog = generatedCatalog(services);
      const file = path.join(scratch, `catalog-${services}.yaml`);
      fs.writeFileSync(file, catalog.text);
      const images = `fitness-platform:images=${imagesWithTags("dev", catalog.services)}`;
      const cluster = `fitness-platform:cluster=${clusterSizedFor("dev", catalog.services)}`;
      return ["synth", "--stack", "dev", "--out", path.join(scratch, "out"), "--catalog", file, "--config", images, "--config", cluster];
    },
    resources: resourcesIn,
  });
  return [plain("dev"), plain("prod"), ...CATALOG_SIZES.map(generated)];
}
