/** The snapshot diff: what a change does, for the pull-request comment (`npm run diff`). */
export { diffSnapshots, diffStructure, type DiffOptions, type DiffWarning, type ResourceChange, type SnapshotDiff } from "./diff-snapshots";
export { renderMarkdown, type MarkdownOptions } from "./render-markdown";
export type { AuditFunction, PolicyFinding, PolicyResultChanges } from "./policy-results";
export { REPLACE_ON_CHANGE } from "./replace-rules";
export { exposureFacts, type ExposureFact } from "./exposure";
export { egressAllowlist, type EgressEntry } from "./egress-allowlist";
