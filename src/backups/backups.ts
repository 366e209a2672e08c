import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { BackupsConfig } from "../config/sections/backups";
import type { PlatformContext } from "../conventions/context";
import type { BootstrapExtras } from "../databases/bootstrap-extras";
import { type BackupAlarmPlan, BACKUP_ALARM_NAMESPACE, planBackupAlarms } from "./alarms";
import { assumedBy, backupKeyPolicy, hostBackupPolicy, replicationPolicy, restorePolicy } from "./grants";
import { type PitrHostPlan, planPitrHost } from "./pitr-plan";
import { COMPONENT, type LifecycleRule, planRepository, replicaBucketPolicy, type RepositoryPlan, repositoryBucketPolicy } from "./repository-plan";
import { planSnapshots, type SnapshotPlan } from "./snapshot-plan";
import { maxNameLength } from "../conventions/aws-limits";

/** Where the restore drill's throwaway hosts stand: the data zone, like the hosts they stand in for. */
export interface RestoreDrillPlacement {
  readonly subnetIds: pulumi.Input<string>[];
  readonly securityGroupId: pulumi.Input<string>;
  readonly amiId: string;
  /** Debian mirror the throwaway host installs PostgreSQL and pgBackRest from. */
  readonly packageMirrorUrl?: string;
}

export interface BackupsArgs {
  readonly ctx: PlatformContext;
  readonly config: BackupsConfig;
  /** The critical data domains, one database host (and pgBackRest stanza) each. */
  readonly domains: readonly string[];
  readonly restoreDrill: RestoreDrillPlacement;
  /** SNS topic the backup alarms notify (the operations topic). */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** OperatorAccess.hostSessionPolicy: the drill's throwaway host logs its Session Manager sessions too (D4). */
  readonly hostSessionPolicyArn?: pulumi.Input<string>;
}

interface StoredBucket {
  readonly bucket: aws.s3.Bucket;
  readonly versioning: aws.s3.BucketVersioning;
}

/**
 * Backups of the critical data (D7): pgBackRest point-in-time recovery into a dedicated, object-locked
 * bucket (replicated to a second region in prod), AWS Backup snapshots of every critical data volume,
 * the restore role of the drill, and the alarms. Constructed before the database hosts: they take its
 * `bootstrapExtras` and `hostRolePolicy` hooks.
 */
export class Backups extends pulumi.ComponentResource {
  readonly repository: RepositoryPlan;
  readonly snapshots: SnapshotPlan;
  readonly hostsPlan: Readonly<Record<string, PitrHostPlan>>;
  readonly repoKey: aws.kms.Key;
  readonly repoBucket: aws.s3.Bucket;
  readonly replicaBucket?: aws.s3.Bucket;
  readonly vaultKey: aws.kms.Key;
  readonly vault: aws.backup.Vault;
  readonly replicaVault?: aws.backup.Vault;
  readonly plan: aws.backup.Plan;
  readonly selection: aws.backup.Selection;
  readonly restoreRole: aws.iam.Role;
  readonly restoreInstanceProfile: aws.iam.InstanceProfile;
  readonly passphraseSecrets: Readonly<Record<string, aws.secretsmanager.Secret>>;
  readonly setupParameters: Readonly<Record<string, aws.ssm.Parameter[]>>;
  readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
  private readonly hostPolicies: Readonly<Record<string, pulumi.Output<string>>>;
  private readonly drill: RestoreDrillPlacement;

  constructor(name: string, args: BackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:backups:Backups", name, {}, opts);
    const { ctx, config } = args;
    this.drill = args.restoreDrill;
    const critical = { component: COMPONENT, zone: "data" as const, dataClass: "critical" as const };
    const internal = { component: COMPONENT, zone: "data" as const };
    // Backups are the last copy of the critical data: never deleted by Pulumi in prod, kept if the stack lets go.
    const keep: pulumi.CustomResourceOptions = { parent: this, protect: ctx.durability.protectCriticalData, retainOnDelete: ctx.durability.protectCriticalData };
    const secretRecoveryDays = ctx.durability.secretRecoveryWindowDays;
    this.repository = planRepository(ctx, config, args.domains);
    this.snapshots = planSnapshots(config);
    const replicaProvider =
      this.repository.replica === undefined ? undefined : new aws.Provider(`${name}-replica-region`, { region: this.repository.replica.region as aws.Region }, { parent: this });
    const inReplica = (o: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions => ({ ...o, provider: replicaProvider });

    // --- keys: one for the repository (bucket + cipher passphrases), one for the vault; own keys in the replica region.
    const key = (id: string, description: string, o: pulumi.CustomResourceOptions): aws.kms.Key => {
      const keyName = ctx.name(COMPONENT, id);
      const k = new aws.kms.Key(
        `${name}-${id}`,
        {
          description,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: ctx.accountId.apply((accountId) => JSON.stringify(backupKeyPolicy(accountId))),
          tags: ctx.tags(critical, keyName),
        },
        o,
      );
      new aws.kms.Alias(`${name}-${id}`, { name: `alias/${keyName}`, targetKeyId: k.keyId }, { ...o, protect: false, retainOnDelete: false });
      return k;
    };
    this.repoKey = key("repository-key", "pgBackRest repository bucket and cipher passphrases (D7)", keep);
    this.vaultKey = key("vault-key", "AWS Backup vault of the database volume snapshots (D7)", keep);
    const replicaRepoKey = replicaProvider === undefined ? undefined : key("replica-repository-key", "Replica of the pgBackRest repository (D7)", inReplica(keep));
    const replicaVaultKey = replicaProvider === undefined ? undefined : key("replica-vault-key", "Replica AWS Backup vault (D7)", inReplica(keep));

    // --- the repository bucket (and its replica)
    const repo = this.bucket(`${name}-repository`, this.repository.bucket, this.repoKey, this.repository.lifecycle, config, ctx, keep);
    this.repoBucket = repo.bucket;
    const restoreRoleName = ctx.name(COMPONENT, "restore", 64);
    const restricted = ctx.accountId.apply((accountId) => [
      // Every role of the databases component (the hosts) and the restore role: writers and readers, never deleters.
      `arn:aws:iam::${accountId}:role/${ctx.name("databases")}-*`,
      `arn:aws:iam::${accountId}:role/${restoreRoleName}`,
    ]);
    new aws.s3.BucketPolicy(
      `${name}-repository-policy`,
      {
        bucket: repo.bucket.id,
        policy: pulumi.all([this.repoKey.arn, restricted]).apply(([keyArn, roles]) => JSON.stringify(repositoryBucketPolicy(this.repository.bucket, keyArn, roles, this.repository.latestLinkKeys))),
      },
      { parent: this },
    );
    if (this.repository.replica !== undefined && replicaRepoKey !== undefined) {
      const replicaLifecycle = this.repository.lifecycle;
      const replica = this.bucket(`${name}-replica`, this.repository.replica.bucket, replicaRepoKey, replicaLifecycle, config, ctx, inReplica(keep));
      this.replicaBucket = replica.bucket;
      const replicationRole = new aws.iam.Role(
        `${name}-replication`,
        { permissionsBoundary: ctx.permissionsBoundary, name: ctx.name(COMPONENT, "replication", 64), description: "S3 replication of the pgBackRest repository to the second region", assumeRolePolicy: JSON.stringify(assumedBy("s3.amazonaws.com")), tags: ctx.tags(internal) },
        { parent: this },
      );
      const replicationGrant = new aws.iam.RolePolicy(
        `${name}-replication`,
        {
          role: replicationRole.id,
          policy: pulumi.all([this.repoKey.arn, replicaRepoKey.arn]).apply(([sourceKeyArn, replicaKeyArn]) =>
            JSON.stringify(
              replicationPolicy({
                sourceRegion: ctx.region,
                replicaRegion: this.repository.replica?.region ?? ctx.region,
                sourceBucket: this.repository.bucket,
                replicaBucket: this.repository.replica?.bucket ?? "",
                sourceKeyArn,
                replicaKeyArn,
              }),
            ),
          ),
        },
        { parent: this },
      );
      new aws.s3.BucketPolicy(
        `${name}-replica-policy`,
        { bucket: replica.bucket.id, policy: replicationRole.arn.apply((arn) => JSON.stringify(replicaBucketPolicy(this.repository.replica?.bucket ?? "", arn))) },
        inReplica({ parent: this }),
      );
      new aws.s3.BucketReplicationConfig(
        `${name}-replication`,
        {
          bucket: repo.bucket.id,
          role: replicationRole.arn,
          rules: [
            {
              id: "all-to-second-region",
              status: "Enabled",
              priority: 1,
              filter: { prefix: "" },
              // Delete markers stay home: a hidden object in the primary is still whole in the replica.
              deleteMarkerReplication: { status: "Disabled" },
              sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
              destination: { bucket: replica.bucket.arn, storageClass: "STANDARD", encryptionConfiguration: { replicaKmsKeyId: replicaRepoKey.arn } },
            },
          ],
        },
        { parent: this, dependsOn: [repo.versioning, replica.versioning, replicationGrant] },
      );
    }

    // --- per host: cipher passphrase, setup parameters, its role's grant, alarms
    const hostsPlan: Record<string, PitrHostPlan> = {};
    const secrets: Record<string, aws.secretsmanager.Secret> = {};
    const parameters: Record<string, aws.ssm.Parameter[]> = {};
    const hostPolicies: Record<string, pulumi.Output<string>> = {};
    for (const domain of [...args.domains].sort()) {
      const secretName = ctx.name(COMPONENT, `${domain}-cipher`);
      const plan = planPitrHost({ project: ctx.project, stack: ctx.stack, domain, region: ctx.region, bucket: this.repository.bucket, passphraseSecretName: secretName, config: config.pitr });
      hostsPlan[domain] = plan;
      // A new passphrase would make the existing repository unreadable: generated once, kept in prod.
      const passphrase = new random.RandomPassword(`${name}-${domain}-cipher`, { length: 64, special: false, minLower: 8, minUpper: 8, minNumeric: 8 }, keep);
      const secret = new aws.secretsmanager.Secret(
        `${name}-${domain}-cipher`,
        {
          name: secretName,
          description: `pgBackRest cipher passphrase of the ${domain} repository (without it no backup can be restored)`,
          kmsKeyId: this.repoKey.arn,
          recoveryWindowInDays: secretRecoveryDays,
          replicas: replicaRepoKey === undefined ? undefined : [{ region: this.repository.replica?.region ?? "", kmsKeyId: replicaRepoKey.arn }],
          tags: ctx.tags(critical, secretName),
        },
        keep,
      );
      new aws.secretsmanager.SecretVersion(
        `${name}-${domain}-cipher`,
        { secretId: secret.id, secretString: pulumi.secret(passphrase.result.apply((p) => JSON.stringify({ passphrase: p }))) },
        keep,
      );
      secrets[domain] = secret;
      parameters[domain] = plan.setupParameters.map(
        (p) =>
          new aws.ssm.Parameter(
            `${name}-${domain}-${p.name.split("/").pop() ?? "setup"}`,
            { name: p.name, type: "String", tier: "Intelligent-Tiering", description: `pgBackRest setup of ${domain} (src/backups/pitr-plan.ts)`, insecureValue: p.script, tags: ctx.tags(internal) },
            { parent: this },
          ),
      );
      hostPolicies[domain] = pulumi
        .all([this.repoKey.arn, secret.arn, ...parameters[domain].map((p) => p.arn)])
        .apply(([repoKeyArn, passphraseSecretArn, ...setupParameterArns]) =>
          JSON.stringify(hostBackupPolicy({ region: ctx.region, bucket: this.repository.bucket, repoPrefix: plan.repoPrefix, stanza: plan.stanza, repoKeyArn, passphraseSecretArn, setupParameterArns })),
        );
      for (const alarm of planBackupAlarms(domain, ctx.name(COMPONENT), config.pitr.archivePushQueueMaxMiB)) this.alarms.push(this.alarm(name, alarm, args.alarmTopicArn, ctx));
    }
    this.hostsPlan = hostsPlan;
    this.passphraseSecrets = secrets;
    this.setupParameters = parameters;
    this.hostPolicies = hostPolicies;

    // --- restore role of the drill's throwaway hosts: reads every repository, writes none.
    this.restoreRole = new aws.iam.Role(
      `${name}-restore`,
      { permissionsBoundary: ctx.permissionsBoundary, name: restoreRoleName, description: "Throwaway restore-drill hosts: read the pgBackRest repositories, write nothing", assumeRolePolicy: JSON.stringify(assumedBy("ec2.amazonaws.com")), tags: ctx.tags(internal) },
      { parent: this },
    );
    new aws.iam.RolePolicyAttachment(`${name}-restore-ssm`, { role: this.restoreRole.name, policyArn: aws.iam.ManagedPolicy.AmazonSSMManagedInstanceCore }, { parent: this });
    if (args.hostSessionPolicyArn !== undefined) {
      new aws.iam.RolePolicyAttachment(`${name}-restore-ssm-sessions`, { role: this.restoreRole.name, policyArn: args.hostSessionPolicyArn }, { parent: this });
    }
    new aws.iam.RolePolicy(
      `${name}-restore`,
      {
        role: this.restoreRole.id,
        policy: pulumi
          .all([this.repoKey.arn, pulumi.all(Object.values(secrets).map((s) => s.arn)), pulumi.all(Object.values(parameters).flat().map((p) => p.arn))])
          .apply(([repoKeyArn, passphraseSecretArns, setupParameterArns]) =>
            JSON.stringify(restorePolicy({ region: ctx.region, bucket: this.repository.bucket, repoKeyArn, passphraseSecretArns, setupParameterArns })),
          ),
      },
      { parent: this },
    );
    this.restoreInstanceProfile = new aws.iam.InstanceProfile(`${name}-restore`, { name: restoreRoleName, role: this.restoreRole.name, tags: ctx.tags(internal) }, { parent: this });

    // --- AWS Backup: vault (locked), plan, tag selection, copy to the second region in prod.
    const vaultName = ctx.name(COMPONENT, "vault", maxNameLength("aws:backup/vault:Vault"));
    this.vault = new aws.backup.Vault(`${name}-vault`, { name: vaultName, kmsKeyArn: this.vaultKey.arn, forceDestroy: ctx.durability.forceDestroyVaults, tags: ctx.tags(critical, vaultName) }, keep);
    const lock = this.snapshots.vaultLock;
    // A locked vault refuses deleting its recovery points, hence itself: dev (disposable) has no lock.
    if (ctx.durability.vaultLock) {
      new aws.backup.VaultLockConfiguration(
        `${name}-vault-lock`,
        { backupVaultName: this.vault.name, minRetentionDays: lock.minRetentionDays, maxRetentionDays: lock.maxRetentionDays, changeableForDays: lock.changeableForDays },
        keep,
      );
    }
    if (this.snapshots.crossRegion !== undefined && replicaVaultKey !== undefined) {
      const replicaVaultName = ctx.name(COMPONENT, `vault-${this.snapshots.crossRegion.region}`, maxNameLength("aws:backup/vault:Vault"));
      this.replicaVault = new aws.backup.Vault(`${name}-replica-vault`, { name: replicaVaultName, kmsKeyArn: replicaVaultKey.arn, forceDestroy: ctx.durability.forceDestroyVaults, tags: ctx.tags(critical, replicaVaultName) }, inReplica(keep));
      if (ctx.durability.vaultLock) {
        new aws.backup.VaultLockConfiguration(
          `${name}-replica-vault-lock`,
          { backupVaultName: this.replicaVault.name, minRetentionDays: lock.minRetentionDays, maxRetentionDays: lock.maxRetentionDays, changeableForDays: lock.changeableForDays },
          inReplica(keep),
        );
      }
    }
    const backupRole = new aws.iam.Role(
      `${name}-aws-backup`,
      { permissionsBoundary: ctx.permissionsBoundary, name: ctx.name(COMPONENT, "aws-backup", 64), description: "AWS Backup: snapshots of the critical data volumes", assumeRolePolicy: JSON.stringify(assumedBy("backup.amazonaws.com")), tags: ctx.tags(internal) },
      { parent: this },
    );
    const backupGrants = ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"].map(
      (policy) => new aws.iam.RolePolicyAttachment(`${name}-aws-backup-${policy.endsWith("Restores") ? "restores" : "backup"}`, { role: backupRole.name, policyArn: `arn:aws:iam::aws:policy/service-role/${policy}` }, { parent: this }),
    );
    const planName = ctx.name(COMPONENT, "volumes", maxNameLength("aws:backup/plan:Plan"));
    this.plan = new aws.backup.Plan(
      `${name}-plan`,
      {
        name: planName,
        rules: this.snapshots.rules.map((r) => ({
          ruleName: r.name,
          targetVaultName: this.vault.name,
          schedule: r.schedule,
          startWindow: 60,
          completionWindow: 360,
          lifecycle: { deleteAfter: r.deleteAfterDays },
          recoveryPointTags: ctx.tags(critical),
          copyActions: r.copyToReplica && this.replicaVault !== undefined ? [{ destinationVaultArn: this.replicaVault.arn, lifecycle: { deleteAfter: r.deleteAfterDays } }] : undefined,
        })),
        tags: ctx.tags(internal, planName),
      },
      { parent: this },
    );
    const sel = this.snapshots.selection;
    this.selection = new aws.backup.Selection(
      `${name}-critical-volumes`,
      {
        name: ctx.name(COMPONENT, "critical-volumes", 50),
        planId: this.plan.id,
        iamRoleArn: backupRole.arn,
        resources: [...sel.resources],
        conditions: [{ stringEquals: [{ key: `aws:ResourceTag/${sel.tagKey}`, value: sel.tagValue }] }],
      },
      { parent: this, dependsOn: backupGrants },
    );
    for (const [id, metricName, vault] of [
      ["snapshot-failed", "NumberOfBackupJobsFailed", this.vault],
      ["snapshot-copy-failed", "NumberOfCopyJobsFailed", this.vault],
    ] as const) {
      this.alarms.push(
        new aws.cloudwatch.MetricAlarm(
          `${name}-${id}`,
          {
            name: ctx.name(COMPONENT, id),
            alarmDescription: `AWS Backup: ${metricName} in the volume vault; docs/runbooks/restore.md.`,
            namespace: "AWS/Backup",
            metricName,
            dimensions: { BackupVaultName: vault.name },
            statistic: "Sum",
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            threshold: 1,
            period: 3600,
            evaluationPeriods: 1,
            treatMissingData: "notBreaching",
            alarmActions: args.alarmTopicArn === undefined ? [] : [args.alarmTopicArn],
            tags: ctx.tags(internal),
          },
          { parent: this },
        ),
      );
    }

    this.registerOutputs({
      repositoryBucket: this.repository.bucket,
      replicaBucket: this.repository.replica?.bucket,
      vaultName: this.vault.name,
      restoreRoleArn: this.restoreRole.arn,
    });
  }

  /** The databases component's `bootstrapExtras` hook: pgBackRest on the host of `domain`. */
  bootstrapExtrasFor(domain: string): BootstrapExtras {
    return this.planFor(domain).extras;
  }

  /** The databases component's `extraRolePolicy` hook: the host's grant on its own repository. */
  hostRolePolicyFor(domain: string): pulumi.Output<string> {
    this.planFor(domain);
    return this.hostPolicies[domain] as pulumi.Output<string>;
  }

  /** What the restore drill (scripts/restore-drill.sh) reads from the stack outputs; no secret. */
  drillOutputs(region: string): Record<string, unknown> {
    return {
      region,
      amiId: this.drill.amiId,
      subnetIds: this.drill.subnetIds,
      securityGroupId: this.drill.securityGroupId,
      instanceProfile: this.restoreInstanceProfile.name,
      packageMirrorUrl: this.drill.packageMirrorUrl,
      recoveryWindowDays: this.repository.recoveryWindowDays,
      hosts: Object.fromEntries(
        Object.values(this.hostsPlan).map((p) => [p.domain, { stanza: p.stanza, configParameter: p.setupParameters[0]?.name, passphraseSecret: this.passphraseSecrets[p.domain]?.name }]),
      ),
    };
  }

  private planFor(domain: string): PitrHostPlan {
    const plan = this.hostsPlan[domain];
    if (plan === undefined) throw new Error(`backups: no pgBackRest plan for domain "${domain}": allowed: ${Object.keys(this.hostsPlan).sort().join(", ")}`);
    return plan;
  }

  private bucket(id: string, bucketName: string, key: aws.kms.Key, lifecycle: readonly LifecycleRule[], config: BackupsConfig, ctx: PlatformContext, keep: pulumi.CustomResourceOptions): StoredBucket {
    const child: pulumi.CustomResourceOptions = { parent: this, provider: keep.provider };
    const bucket = new aws.s3.Bucket(
      id,
      { bucket: bucketName, forceDestroy: ctx.durability.forceDestroyBuckets, objectLockEnabled: true, tags: ctx.tags({ component: COMPONENT, zone: "data", dataClass: "critical" }, bucketName) },
      keep,
    );
    new aws.s3.BucketOwnershipControls(`${id}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
    new aws.s3.BucketPublicAccessBlock(`${id}-public-access`, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, child);
    const versioning = new aws.s3.BucketVersioning(`${id}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${id}-encryption`,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] },
      child,
    );
    // Retained versions outlive a destroy: dev keeps Object Lock enabled but sets no default retention.
    if (ctx.durability.objectLockRetention) {
      new aws.s3.BucketObjectLockConfiguration(
        `${id}-object-lock`,
        { bucket: bucket.id, rule: { defaultRetention: { mode: config.objectLockMode, days: config.pitr.retentionDays } } },
        { ...keep, dependsOn: [versioning] },
      );
    }
    new aws.s3.BucketLifecycleConfiguration(
      `${id}-lifecycle`,
      {
        bucket: bucket.id,
        rules: lifecycle.map((rule) => ({
          id: rule.id,
          status: "Enabled",
          filter: { prefix: rule.prefix },
          expiration:
            rule.expirationDays !== undefined ? { days: rule.expirationDays } : rule.expiredObjectDeleteMarker === true ? { expiredObjectDeleteMarker: true } : undefined,
          noncurrentVersionExpiration: rule.noncurrentDays === undefined ? undefined : { noncurrentDays: rule.noncurrentDays },
          abortIncompleteMultipartUpload: rule.abortIncompleteUploadDays === undefined ? undefined : { daysAfterInitiation: rule.abortIncompleteUploadDays },
        })),
      },
      { ...child, dependsOn: [versioning] },
    );
    return { bucket, versioning };
  }

  private alarm(name: string, a: BackupAlarmPlan, topicArn: pulumi.Input<string> | undefined, ctx: PlatformContext): aws.cloudwatch.MetricAlarm {
    return new aws.cloudwatch.MetricAlarm(
      `${name}-${a.id}`,
      {
        name: a.name,
        alarmDescription: a.description,
        namespace: BACKUP_ALARM_NAMESPACE,
        metricName: a.metricName,
        dimensions: { ...a.dimensions },
        statistic: a.statistic,
        comparisonOperator: a.comparisonOperator,
        threshold: a.threshold,
        period: a.periodSeconds,
        evaluationPeriods: a.evaluationPeriods,
        treatMissingData: a.treatMissingData,
        alarmActions: topicArn === undefined ? [] : [topicArn],
        okActions: topicArn === undefined ? [] : [topicArn],
        tags: ctx.tags({ component: COMPONENT, zone: "data" }),
      },
      { parent: this },
    );
  }
}
