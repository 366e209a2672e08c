import * as fs from "node:fs";
import * as path from "node:path";
import type { SynthWriter } from "../offline/cli/synth-writers";
import { manifestsFromSnapshot } from "./manifests";

/**
 * Writes every Kubernetes object of the snapshot to `<out>/manifests/<namespace|_cluster>/<kind>-<name>.json`.
 * The directory is rebuilt each run so a removed object does not linger.
 */
export const manifestsWriter: SynthWriter = {
  name: "Kubernetes manifests",
  write: (output) => {
    const dir = path.join(output.outDir, "manifests");
    fs.rmSync(dir, { recursive: true, force: true });
    const written: string[] = [];
    for (const manifest of manifestsFromSnapshot(output.snapshot)) {
      const file = path.join(dir, manifest.path);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `${JSON.stringify(manifest.object, null, 2)}\n`);
      written.push(file);
    }
    return written;
  },
};
