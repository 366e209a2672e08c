import { instance } from "@viz-js/viz";
import type { StackExport } from "../snapshot/types";
import { architectureModel } from "./architecture";
import { toDot } from "./dot";
import type { ArchitectureModel } from "./model";

/**
 * The architecture picture of a snapshot: its DOT source and the SVG that Graphviz (the WebAssembly
 * build in @viz-js/viz, so no system package is needed) lays out from it. Synth writes both next to
 * the snapshot as `architecture.dot` and `architecture.svg`.
 */
export interface ArchitecturePicture {
  readonly dot: string;
  readonly svg: string;
  readonly model: ArchitectureModel;
}

type Viz = Awaited<ReturnType<typeof instance>>;
let graphviz: Promise<Viz> | undefined;

/** Lays out DOT as SVG. Throws with Graphviz's own message when the DOT is invalid. */
export async function dotToSvg(dot: string): Promise<string> {
  graphviz ??= instance();
  return (await graphviz).renderString(dot, { format: "svg", engine: "dot" });
}

export async function renderArchitecture(snapshot: StackExport): Promise<ArchitecturePicture> {
  const model = architectureModel(snapshot);
  const dot = toDot(model);
  return { dot, svg: await dotToSvg(dot), model };
}
