/** The architecture picture, drawn from a snapshot (synth writes architecture.dot and architecture.svg). */
export { renderArchitecture, dotToSvg, type ArchitecturePicture } from "./render";
export { architectureModel } from "./architecture";
export { toDot, type DotOptions } from "./dot";
export { FOLD_ABOVE_SERVICES, foldModel, shouldFold } from "./fold";
export type { ArchitectureModel, ArchEdge, ArchNode, FlowKind, NodeKind, Zone } from "./model";
export { architectureWriter } from "./synth-writer";
