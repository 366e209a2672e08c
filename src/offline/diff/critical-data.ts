import type { ResourceState } from "../snapshot/types";
import { tagsOf } from "./resource-facts";

/**
 * Critical-data resources (D5, D7): DB hosts, their data volumes, the backup bucket and the backup
 * vault, plus the keys and secrets without which their data cannot be read. A resource is critical
 * when it is of a data-holding type and tagged `data-class=critical` (the design's tag), or of a type
 * that is critical whatever its tags (the vault), so a resource that lost its tag is still guarded.
 * A security group or role tagged critical is not: replacing it loses no data.
 */
const ALWAYS_CRITICAL_TYPES: ReadonlySet<string> = new Set([
  "aws:backup/vault:Vault",
  "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
]);

const DATA_HOLDING_TYPES: ReadonlySet<string> = new Set([
  "aws:ec2/instance:Instance",
  "aws:ebs/volume:Volume",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:kms/key:Key",
  "aws:secretsmanager/secret:Secret",
]);

/** Buckets whose `component` tag names the backups hold backups even if untagged as critical. */
const BACKUP_COMPONENT = /backup/i;
const BUCKET_TYPES: ReadonlySet<string> = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);

export function isCriticalData(resource: ResourceState): boolean {
  if (ALWAYS_CRITICAL_TYPES.has(resource.type)) return true;
  if (!DATA_HOLDING_TYPES.has(resource.type)) return false;
  const tags = tagsOf(resource);
  if (tags["data-class"] === "critical") return true;
  return BUCKET_TYPES.has(resource.type) && BACKUP_COMPONENT.test(tags.component ?? "");
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
    case "aws:kms/key:Key":
      return "key of critical data";
    case "aws:secretsmanager/secret:Secret":
      return "secret of critical data";
    default:
      return "critical-data resource";
  }
}
