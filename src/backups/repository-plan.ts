import type { BackupsConfig } from "../config/sections/backups";
import { HOST_LAYOUT } from "../databases/host-layout";
import { type PolicyDocument, policyDocument, type PolicyStatement } from "../conventions/iam-policy";
import { maxGapDays } from "./schedule";

/**
 * The pgBackRest repository bucket (and its replica in prod), as data: names, Object Lock, lifecycle and
 * bucket policy. Hosts write and read their own prefix and never delete (BKP-05); the lifecycle is the
 * only thing that removes data, and only once it is older than the retention (which the Object Lock
 * default retention also holds, so not even an administrator can remove it earlier in COMPLIANCE mode).
 */
export interface RepositoryNaming {
  name(component: string, thing?: string, maxLength?: number): string;
  /** Bucket names carry the account id (src/conventions/naming.ts). */
  bucketName(component: string, thing?: string): string;
}

export const COMPONENT = "backups";

export const bucketArn = (bucket: string): string => `arn:aws:s3:::${bucket}`;

/**
 * The one key pgBackRest deletes in a repository it only ever appends to: after every backup it removes
 * `<repo-path>/backup/<stanza>/latest` before (on storage with symlinks) re-linking it, unconditionally,
 * also on S3 where the link never exists (pgBackRest src/command/backup/common.c, backupLinkLatest;
 * observed as the only DELETE of a backup in test/hosts). Denying it would fail every backup with 403,
 * so hosts may delete exactly this key and nothing else; in a versioned bucket that only adds a delete
 * marker. BKP-05 knows the same key (policy/backups/facts.ts, isPgBackRestLatestLink).
 */
export const latestLinkKey = (repoPrefix: string, stanza: string): string => `${repoPrefix}/backup/${stanza}/latest`;

export function repositoryBucketName(ctx: RepositoryNaming): string {
  return ctx.bucketName(COMPONENT, "pitr");
}

export function replicaBucketName(ctx: RepositoryNaming, replicaRegion: string): string {
  return ctx.bucketName(COMPONENT, `pitr-${replicaRegion}`);
}

/** What the bucket's writers may never do: remove data, or loosen what protects it. */
export const DESTRUCTIVE_S3_ACTIONS = [
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:DeleteObjectTagging",
  "s3:DeleteObjectVersionTagging",
  "s3:DeleteBucket",
  "s3:DeleteBucketPolicy",
  "s3:PutBucketPolicy",
  "s3:PutLifecycleConfiguration",
  "s3:PutBucketVersioning",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutObjectRetention",
  "s3:PutObjectLegalHold",
  "s3:BypassGovernanceRetention",
  "s3:PutReplicationConfiguration",
  "s3:PutEncryptionConfiguration",
  "s3:PutBucketAcl",
  "s3:PutObjectAcl",
] as const;

export interface LifecycleRule {
  readonly id: string;
  /** Key prefix; "" for the whole bucket. */
  readonly prefix: string;
  readonly expirationDays?: number;
  readonly noncurrentDays?: number;
  readonly expiredObjectDeleteMarker?: boolean;
  readonly abortIncompleteUploadDays?: number;
}

export interface RepositoryPlan {
  readonly bucket: string;
  readonly objectLock: { readonly mode: "GOVERNANCE" | "COMPLIANCE"; readonly days: number };
  readonly lifecycle: readonly LifecycleRule[];
  /** Days back that point-in-time recovery is guaranteed: retention minus the gap between full backups. */
  readonly recoveryWindowDays: number;
  /** The `latest` link key of every stanza (one per domain, under its own prefix): the only keys hosts may delete. */
  readonly latestLinkKeys: readonly string[];
  readonly replica?: { readonly region: string; readonly bucket: string };
}

export function planRepository(ctx: RepositoryNaming, config: BackupsConfig, domains: readonly string[]): RepositoryPlan {
  const days = config.pitr.retentionDays;
  const gap = maxGapDays(config.pitr.fullSchedule);
  const lifecycle: LifecycleRule[] = [];
  for (const domain of [...domains].sort()) {
    // pgBackRest's layout: <repo>/backup/<stanza>/<label>/ and <repo>/archive/<stanza>/<pg>-<id>/. The
    // info files beside them (backup.info, archive.info) are never matched: they must outlive everything.
    lifecycle.push(
      { id: `${domain}-backup-sets`, prefix: `${domain}/backup/${domain}/20`, expirationDays: days },
      { id: `${domain}-backup-history`, prefix: `${domain}/backup/${domain}/backup.history/`, expirationDays: days },
      { id: `${domain}-wal`, prefix: `${domain}/archive/${domain}/${HOST_LAYOUT.postgresVersion}-`, expirationDays: days },
    );
  }
  lifecycle.push(
    // Overwritten info files and expired objects stay as locked noncurrent versions until the lock has run out.
    { id: "noncurrent-versions", prefix: "", noncurrentDays: days, abortIncompleteUploadDays: 7 },
    { id: "expired-delete-markers", prefix: "", expiredObjectDeleteMarker: true },
  );
  return {
    bucket: repositoryBucketName(ctx),
    objectLock: { mode: config.objectLockMode, days },
    lifecycle,
    recoveryWindowDays: days - gap,
    latestLinkKeys: [...domains].sort().map((domain) => latestLinkKey(domain, domain)),
    ...(config.crossRegion.enabled ? { replica: { region: config.crossRegion.region, bucket: replicaBucketName(ctx, config.crossRegion.region) } } : {}),
  };
}

export function denyInsecureTransport(bucket: string): PolicyStatement {
  const arn = bucketArn(bucket);
  return { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } };
}

/**
 * TLS only; objects only under the bucket's own key; and the roles that write (hosts) or read (restore)
 * backups may never remove data or loosen the bucket's protection, whatever their IAM policies say.
 */
export function repositoryBucketPolicy(bucket: string, keyArn: string, restrictedRoleArns: readonly string[], latestLinkKeys: readonly string[] = []): PolicyDocument {
  const arn = bucketArn(bucket);
  const statements: PolicyStatement[] = [
    denyInsecureTransport(bucket),
    {
      Sid: "DenyOtherEncryptionKeys",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:PutObject",
      Resource: `${arn}/*`,
      // Only when a key is named: uploads without one get the bucket's default key.
      Condition: { Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" }, StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn } },
    },
  ];
  if (restrictedRoleArns.length > 0) {
    const condition = { ArnEquals: { "aws:PrincipalArn": [...restrictedRoleArns].sort() } };
    statements.push(
      { Sid: "DenyDeleteToBackupRoles", Effect: "Deny", Principal: "*", Action: DESTRUCTIVE_S3_ACTIONS.filter((a) => a !== "s3:DeleteObject"), Resource: [arn, `${arn}/*`], Condition: condition },
      latestLinkKeys.length === 0
        ? { Sid: "DenyDeleteObjectToBackupRoles", Effect: "Deny", Principal: "*", Action: "s3:DeleteObject", Resource: [arn, `${arn}/*`], Condition: condition }
        : { Sid: "DenyDeleteObjectToBackupRoles", Effect: "Deny", Principal: "*", Action: "s3:DeleteObject", NotResource: [...latestLinkKeys].sort().map((k) => `${arn}/${k}`), Condition: condition },
    );
  }
  return policyDocument(statements);
}

/** The replica takes objects only from the replication role, over TLS; nobody may delete there either. */
export function replicaBucketPolicy(bucket: string, replicationRoleArn: string): PolicyDocument {
  const arn = bucketArn(bucket);
  return policyDocument([
    denyInsecureTransport(bucket),
    {
      Sid: "DenyDeleteToReplicationRole",
      Effect: "Deny",
      Principal: "*",
      Action: [...DESTRUCTIVE_S3_ACTIONS],
      Resource: [arn, `${arn}/*`],
      Condition: { ArnEquals: { "aws:PrincipalArn": replicationRoleArn } },
    },
  ]);
}
