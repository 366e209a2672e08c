import { accountRootAdministration, type PolicyDocument, policyDocument, type PolicyStatement, serviceTrust } from "../conventions/iam-policy";
import { BACKUP_METRIC_NAMESPACE } from "./layout";
import { bucketArn, DESTRUCTIVE_S3_ACTIONS, latestLinkKey } from "./repository-plan";

/**
 * IAM of the backups, next to the resources they are about. A database host writes and reads its own
 * repository prefix and never deletes (the explicit Deny holds even if someone attaches a broader
 * policy); the restore role only reads; the replication role copies versions and deletes nothing.
 */
export interface HostGrantInputs {
  readonly region: string;
  readonly bucket: string;
  readonly repoPrefix: string;
  readonly stanza: string;
  readonly repoKeyArn: string;
  readonly passphraseSecretArn: string;
  /** SSM parameters holding the host's pgBackRest setup scripts. */
  readonly setupParameterArns: readonly string[];
}

const denyDestructive = (bucket: string): PolicyStatement => {
  const arn = bucketArn(bucket);
  return { Sid: "NeverDeleteBackups", Effect: "Deny", Action: [...DESTRUCTIVE_S3_ACTIONS], Resource: [arn, `${arn}/*`] };
};

const denyKeyDestruction = (keyArn: string): PolicyStatement => ({
  Sid: "NeverDisableTheBackupKey",
  Effect: "Deny",
  Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:CreateGrant", "kms:RevokeGrant", "kms:RetireGrant"],
  Resource: keyArn,
});

export function hostBackupPolicy(g: HostGrantInputs): PolicyDocument {
  const arn = bucketArn(g.bucket);
  const latestLink = `${arn}/${latestLinkKey(g.repoPrefix, g.stanza)}`;
  const s3Service = `s3.${g.region}.amazonaws.com`;
  return policyDocument([
    { Sid: "ListOwnRepository", Effect: "Allow", Action: "s3:ListBucket", Resource: arn, Condition: { StringLike: { "s3:prefix": [`${g.repoPrefix}/*`] } } },
    { Sid: "WriteAndReadOwnRepository", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: `${arn}/${g.repoPrefix}/*` },
    {
      Sid: "UseTheRepositoryKeyThroughS3",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: g.repoKeyArn,
      Condition: { StringEquals: { "kms:ViaService": s3Service } },
    },
    { Sid: "ReadOwnCipherPassphrase", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: g.passphraseSecretArn },
    {
      Sid: "DecryptOwnCipherPassphrase",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: g.repoKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${g.region}.amazonaws.com` } },
    },
    { Sid: "ReadSetupParameters", Effect: "Allow", Action: "ssm:GetParameter", Resource: [...g.setupParameterArns] },
    {
      Sid: "ReportBackupMetrics",
      Effect: "Allow",
      Action: "cloudwatch:PutMetricData",
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": BACKUP_METRIC_NAMESPACE } },
    },
    // pgBackRest removes its informational `latest` link after every backup (repository-plan.ts, latestLinkKey).
    { Sid: "RemoveOwnLatestLink", Effect: "Allow", Action: "s3:DeleteObject", Resource: latestLink },
    { ...denyDestructive(g.bucket), Action: DESTRUCTIVE_S3_ACTIONS.filter((a) => a !== "s3:DeleteObject") },
    { Sid: "NeverDeleteBackupObjects", Effect: "Deny", Action: "s3:DeleteObject", NotResource: latestLink },
    denyKeyDestruction(g.repoKeyArn),
  ]);
}

export interface RestoreGrantInputs {
  readonly region: string;
  readonly bucket: string;
  readonly repoKeyArn: string;
  readonly passphraseSecretArns: readonly string[];
  /** The hosts' setup parameters: a throwaway host reads the very pgbackrest.conf of the host it restores. */
  readonly setupParameterArns: readonly string[];
}

/** The restore drill's throwaway hosts: read any host's repository and passphrase; write nothing there. */
export function restorePolicy(g: RestoreGrantInputs): PolicyDocument {
  const arn = bucketArn(g.bucket);
  return policyDocument([
    { Sid: "ListRepositories", Effect: "Allow", Action: "s3:ListBucket", Resource: arn },
    { Sid: "ReadRepositories", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `${arn}/*` },
    { Sid: "DecryptThroughS3", Effect: "Allow", Action: "kms:Decrypt", Resource: g.repoKeyArn, Condition: { StringEquals: { "kms:ViaService": `s3.${g.region}.amazonaws.com` } } },
    { Sid: "ReadCipherPassphrases", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [...g.passphraseSecretArns].sort() },
    {
      Sid: "DecryptCipherPassphrases",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: g.repoKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${g.region}.amazonaws.com` } },
    },
    { Sid: "ReadSetupParameters", Effect: "Allow", Action: "ssm:GetParameter", Resource: [...g.setupParameterArns].sort() },
    { Sid: "NeverWriteBackups", Effect: "Deny", Action: ["s3:PutObject", ...DESTRUCTIVE_S3_ACTIONS], Resource: [arn, `${arn}/*`] },
  ]);
}

export interface ReplicationGrantInputs {
  readonly sourceRegion: string;
  readonly replicaRegion: string;
  readonly sourceBucket: string;
  readonly replicaBucket: string;
  readonly sourceKeyArn: string;
  readonly replicaKeyArn: string;
}

/** S3 replication: read versions (with their retention) here, write replicas there; no delete markers, no deletes. */
export function replicationPolicy(g: ReplicationGrantInputs): PolicyDocument {
  const src = bucketArn(g.sourceBucket);
  const dst = bucketArn(g.replicaBucket);
  return policyDocument([
    { Sid: "SourceConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: src },
    {
      Sid: "SourceVersions",
      Effect: "Allow",
      Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"],
      Resource: `${src}/*`,
    },
    { Sid: "WriteReplicas", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateTags"], Resource: `${dst}/*` },
    { Sid: "DecryptSource", Effect: "Allow", Action: "kms:Decrypt", Resource: g.sourceKeyArn, Condition: { StringEquals: { "kms:ViaService": `s3.${g.sourceRegion}.amazonaws.com` } } },
    {
      Sid: "EncryptReplicas",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
      Resource: g.replicaKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${g.replicaRegion}.amazonaws.com` } },
    },
    { Sid: "NeverDelete", Effect: "Deny", Action: [...DESTRUCTIVE_S3_ACTIONS, "s3:ReplicateDelete"], Resource: [src, `${src}/*`, dst, `${dst}/*`] },
  ]);
}

export const assumedBy = (service: string): PolicyDocument => serviceTrust(service, "AssumedByService");

/** Key policy of the backup keys: the account administers (IAM grants use); no wildcard principal. */
export function backupKeyPolicy(accountId: string): PolicyDocument {
  return policyDocument([accountRootAdministration("aws", accountId, "AccountAdministration")]);
}
