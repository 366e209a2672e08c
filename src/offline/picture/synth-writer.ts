import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { SynthWriter } from "../cli/synth-writers";
import { renderArchitecture } from "./render";

/** Writes `architecture.dot` and `architecture.svg` next to the snapshot; append to SYNTH_WRITERS. */
export const architectureWriter: SynthWriter = {
  name: "architecture picture",
  write: async (output) => {
    const picture = await renderArchitecture(output.snapshot);
    mkdirSync(output.outDir, { recursive: true });
    const dot = path.join(output.outDir, "architecture.dot");
    const svg = path.join(output.outDir, "architecture.svg");
    writeFileSync(dot, picture.dot);
    writeFileSync(svg, picture.svg);
    return [dot, svg];
  },
};
