export { hostFileInventory, hostRoleOf, type HostFileInventory, type UnreadableCarrier } from "./inventory";
export { filesWrittenByScript, shellWords, type WrittenFile } from "./shell-writes";
export { cloudConfigDocument, filesWrittenByCloudConfig, isCloudConfig } from "./cloud-config";
export { hostFileKey, type Carrier, type HostFile, type HostFileKind, type HostFileSource } from "./types";
export { contentDigest, coverageReport, renderCoverage, type CoverageLine, type CoverageRecord, type CoverageReport, type Exercise, type KnownGap } from "./coverage";
