import type { ResourceState } from "../snapshot/types";
import { tagsOf } from "./resource-facts";

/**
 * Critical-data resources (D5, D7): DB hosts, their data volumes, the backup bucket and the backup
 * vault. The design tags them `data-class=critical`; the types below are critical whatever their tags,
 * so that a resource that lost its tag is still guarded.
 */
const ALWAYS_CRITICAL_TYPES: ReadonlySet<string> = new Set([
  "aws:backup/vault:Vault",
  "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
]);

/** Buckets and volumes whose `component` tag names the backups are critical too (backup bucket). */
const BACKUP_COMPONENT = /backup/i;
const STORAGE_TYPES: ReadonlySet<string> = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:ebs/volume:Volume"]);

export function isCriticalData(resource: ResourceState): boolean {
  if (ALWAYS_CRITICAL_TYPES.has(resource.type)) return true;
  const tags = tagsOf(resource);
  if (tags["data-class"] === "critical") return true;
  return STORAGE_TYPES.has(resource.type) && BACKUP_COMPONENT.test(tags.component ?? "");
}

/** A short human name for the kind of critical resource, for the warning text. */
export function criticalKind(resource: ResourceState): string {
  switch (resource.type) {
    case "aws:ec2/instance:Instance":
      return "DB host";
    case "aws:ebs/volume:Volume":
      return "data volume";
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2":
      return "backup/critical bucket";
    case "aws:backup/vault:Vault":
      return "backup vault";
    case "aws:backup/vaultLockConfiguration:VaultLockConfiguration":
      return "backup vault lock";
    default:
      return "critical-data resource";
  }
}
