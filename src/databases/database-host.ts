import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PlatformContext } from "../conventions/context";
import type { BootstrapExtras } from "./bootstrap-extras";
import { type PackageSource, renderUserData } from "./bootstrap";
import { bootstrapDocument } from "./bootstrap-document";
import { HOST_LAYOUT } from "./host-layout";
import type { InternalCa } from "./internal-ca";
import type { HostPlan } from "./plan";

export const COMPONENT = "databases";

export interface DatabaseHostArgs {
  readonly ctx: PlatformContext;
  readonly plan: HostPlan;
  readonly subnetId: pulumi.Input<string>;
  readonly securityGroupIds: pulumi.Input<string>[];
  readonly privateZoneId: pulumi.Input<string>;
  /** The databases' customer-managed key: data and root volumes, and the host's secrets. */
  readonly key: aws.kms.Key;
  readonly ca: InternalCa;
  readonly packageSource: pulumi.Input<PackageSource>;
  readonly extras?: pulumi.Input<BootstrapExtras>;
  /** Inline policy JSON of another component (backups), attached to the role before the instance boots. */
  readonly extraRolePolicy?: pulumi.Input<string>;
  /** OperatorAccess.hostSessionPolicy: lets the host encrypt and log its Session Manager sessions (D4). */
  readonly hostSessionPolicyArn?: pulumi.Input<string>;
}

/** What a service needs to reach its database (the SERVICES component turns it into a Kubernetes Secret). */
export interface ServiceDatabaseAccess {
  readonly service: string;
  readonly domain: string;
  /** Private DNS name of the host; services never use its address. */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly username: string;
  /** Secret output; never logged, never written in plain text. */
  readonly password: pulumi.Output<string>;
  readonly secretName: string;
  /** Secrets Manager secret holding JSON {engine, host, port, dbname, username, password, sslmode}. */
  readonly secretArn: pulumi.Output<string>;
  /** The internal CA's certificate, for `sslrootcert`. */
  readonly caCertPem: pulumi.Output<string>;
  readonly sslmode: "verify-full";
}

/**
 * One self-managed PostgreSQL host (D5) for one critical data domain: instance, separate encrypted data
 * volume kept on termination, instance role, server certificate, secrets, and its private DNS name.
 * The AMI and user-data are ignored after creation, so a config change never replaces a host silently:
 * a rebuild is an explicit, documented operation (docs/runbooks/database-host.md).
 */
export class DatabaseHost extends pulumi.ComponentResource {
  readonly domain: string;
  readonly dnsName: string;
  readonly privateIp: string;
  readonly port: number;
  readonly instance: aws.ec2.Instance;
  readonly dataVolume: aws.ebs.Volume;
  readonly volumeAttachment: aws.ec2.VolumeAttachment;
  readonly role: aws.iam.Role;
  readonly instanceProfile: aws.iam.InstanceProfile;
  readonly tlsSecret: aws.secretsmanager.Secret;
  readonly dnsRecord: aws.route53.Record;
  /** SSM Command document that runs the current bootstrap on the host (docs/runbooks/database-host.md). */
  readonly bootstrapDocument: aws.ssm.Document;
  /** Owning service → its access details. */
  readonly access: Readonly<Record<string, ServiceDatabaseAccess>>;

  constructor(name: string, args: DatabaseHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:databases:DatabaseHost", name, {}, opts);
    const { ctx, plan } = args;
    const critical = { component: COMPONENT, zone: "data" as const, dataClass: "critical" as const };
    const internal = { component: COMPONENT, zone: "data" as const };
    // Critical data (D5/D7): never deleted by Pulumi in prod, and kept in AWS if the stack lets go of it.
    const keep = { parent: this, protect: ctx.durability.protectCriticalData, retainOnDelete: ctx.durability.protectCriticalData };
    const secretRecoveryDays = ctx.durability.secretRecoveryWindowDays;
    this.domain = plan.domain;
    this.dnsName = plan.dnsName;
    this.privateIp = plan.placement.privateIp;
    this.port = plan.port;

    // TLS: key and certificate reach the host through Secrets Manager, never through user-data.
    const cert = args.ca.issue(`${name}-server`, plan.certificate, this);
    this.tlsSecret = new aws.secretsmanager.Secret(
      `${name}-tls`,
      {
        name: plan.names.tlsSecret,
        description: `TLS key and certificate of the PostgreSQL host ${plan.dnsName}`,
        kmsKeyId: args.key.arn,
        recoveryWindowInDays: secretRecoveryDays,
        tags: ctx.tags(critical, plan.names.tlsSecret),
      },
      { parent: this },
    );
    const tlsVersion = new aws.secretsmanager.SecretVersion(
      `${name}-tls`,
      {
        secretId: this.tlsSecret.id,
        secretString: pulumi.secret(
          pulumi
            .all([cert.privateKeyPem, cert.certificatePem, args.ca.certificatePem])
            .apply(([privateKeyPem, certificatePem, caCertificatePem]) => JSON.stringify({ privateKeyPem, certificatePem, caCertificatePem })),
        ),
      },
      { parent: this },
    );

    // Per owning service: generated password, stored encrypted with the databases' key.
    const access: Record<string, ServiceDatabaseAccess> = {};
    const credentialSecrets: aws.secretsmanager.Secret[] = [];
    const credentialVersions: aws.secretsmanager.SecretVersion[] = [];
    for (const owner of plan.owners) {
      const secretName = plan.names.credentialsSecrets[owner.service];
      const password = new random.RandomPassword(
        `${name}-${owner.service}-password`,
        { length: 32, special: false, minLower: 4, minUpper: 4, minNumeric: 4 },
        { parent: this },
      );
      const secret = new aws.secretsmanager.Secret(
        `${name}-${owner.service}`,
        {
          name: secretName,
          description: `PostgreSQL credentials of service ${owner.service} on ${plan.dnsName}`,
          kmsKeyId: args.key.arn,
          recoveryWindowInDays: secretRecoveryDays,
          tags: ctx.tags(critical, secretName),
        },
        { parent: this },
      );
      credentialVersions.push(
        new aws.secretsmanager.SecretVersion(
          `${name}-${owner.service}`,
          {
            secretId: secret.id,
            secretString: pulumi.secret(
              password.result.apply((pw) =>
                JSON.stringify({
                  engine: "postgres",
                  host: plan.dnsName,
                  port: plan.port,
                  dbname: owner.database,
                  username: owner.role,
                  password: pw,
                  sslmode: "verify-full",
                }),
              ),
            ),
          },
          { parent: this },
        ),
      );
      credentialSecrets.push(secret);
      access[owner.service] = {
        service: owner.service,
        domain: plan.domain,
        host: plan.dnsName,
        port: plan.port,
        database: owner.database,
        username: owner.role,
        password: pulumi.secret(password.result),
        secretName,
        secretArn: secret.arn,
        caCertPem: args.ca.certificatePem,
        sslmode: "verify-full",
      };
    }
    this.access = access;

    // Instance role: SSM (no SSH anywhere) and read access to this host's own secrets only.
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        name: ctx.name(COMPONENT, `${plan.domain}-host`, 64),
        description: `Instance role of the PostgreSQL host for ${plan.domain}`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags: ctx.tags(internal),
      },
      { parent: this },
    );
    const ssm = new aws.iam.RolePolicyAttachment(
      `${name}-ssm`,
      { role: this.role.name, policyArn: aws.iam.ManagedPolicy.AmazonSSMManagedInstanceCore },
      { parent: this },
    );
    if (args.hostSessionPolicyArn !== undefined) {
      new aws.iam.RolePolicyAttachment(`${name}-ssm-sessions`, { role: this.role.name, policyArn: args.hostSessionPolicyArn }, { parent: this });
    }
    const secretsPolicy = new aws.iam.RolePolicy(
      `${name}-secrets`,
      {
        role: this.role.id,
        policy: pulumi
          .all([this.tlsSecret.arn, ...credentialSecrets.map((s) => s.arn), args.key.arn])
          .apply((arns) => {
            const keyArn = arns[arns.length - 1];
            const secretArns = arns.slice(0, -1);
            return JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                { Sid: "ReadOwnSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: secretArns },
                {
                  Sid: "DecryptOwnSecrets",
                  Effect: "Allow",
                  Action: "kms:Decrypt",
                  Resource: keyArn,
                  Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${ctx.region}.amazonaws.com` } },
                },
              ],
            });
          }),
      },
      { parent: this },
    );
    const extraPolicy =
      args.extraRolePolicy === undefined ? undefined : new aws.iam.RolePolicy(`${name}-extra`, { role: this.role.id, policy: args.extraRolePolicy }, { parent: this });
    this.instanceProfile = new aws.iam.InstanceProfile(
      `${name}-profile`,
      { name: ctx.name(COMPONENT, `${plan.domain}-host`, 128), role: this.role.name, tags: ctx.tags(internal) },
      { parent: this },
    );

    // The data volume lives apart from the instance: terminating or rebuilding the host keeps it.
    this.dataVolume = new aws.ebs.Volume(
      `${name}-data`,
      {
        availabilityZone: plan.placement.az,
        type: "gp3",
        size: plan.dataVolume.sizeGiB,
        iops: plan.dataVolume.iops,
        throughput: plan.dataVolume.throughputMiBps,
        encrypted: true,
        kmsKeyId: args.key.arn,
        finalSnapshot: true,
        tags: ctx.tags(critical, `${plan.names.host}-data`),
      },
      keep,
    );

    const userData = pulumi
      .all([this.dataVolume.id, args.packageSource, args.extras ?? {}])
      .apply(([volumeId, packageSource, extras]) =>
        renderUserData({
          domain: plan.domain,
          region: ctx.region,
          volumeId,
          packageSource,
          postgresqlConf: plan.files.postgresqlConf,
          pgHba: plan.files.pgHba,
          rolesSql: plan.files.rolesSql,
          tlsSecretId: plan.names.tlsSecret,
          credentials: plan.owners.map((o) => ({ secretId: plan.names.credentialsSecrets[o.service], passwordEnv: o.passwordEnv })),
          extras,
        }),
      );

    this.instance = new aws.ec2.Instance(
      `${name}-host`,
      {
        ami: plan.amiId,
        instanceType: plan.instanceType,
        tenancy: plan.tenancy,
        subnetId: args.subnetId,
        privateIp: plan.placement.privateIp,
        vpcSecurityGroupIds: args.securityGroupIds,
        associatePublicIpAddress: false,
        iamInstanceProfile: this.instanceProfile.name,
        disableApiTermination: ctx.durability.terminationProtection,
        instanceInitiatedShutdownBehavior: "stop",
        ebsOptimized: true,
        monitoring: true,
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
        rootBlockDevice: {
          volumeType: "gp3",
          volumeSize: plan.rootVolumeGiB,
          encrypted: true,
          kmsKeyId: args.key.arn,
          deleteOnTermination: true,
          tags: ctx.tags(internal, `${plan.names.host}-root`),
        },
        userData,
        userDataReplaceOnChange: false,
        tags: ctx.tags(critical, plan.names.host),
      },
      {
        ...keep,
        // A new AMI or bootstrap reaches a host only through a deliberate rebuild (runbook).
        ignoreChanges: ["ami", "userData"],
        // The address is fixed (certificate, DNS): the old host must be gone before its successor starts.
        deleteBeforeReplace: true,
        // First boot reads these: they must exist before the instance does.
        dependsOn: [tlsVersion, ...credentialVersions, secretsPolicy, ssm, ...(extraPolicy === undefined ? [] : [extraPolicy])],
      },
    );

    this.volumeAttachment = new aws.ec2.VolumeAttachment(
      `${name}-data`,
      {
        deviceName: HOST_LAYOUT.dataDeviceName,
        volumeId: this.dataVolume.id,
        instanceId: this.instance.id,
        // Detach only from a stopped server, never from under a running PostgreSQL.
        stopInstanceBeforeDetaching: true,
      },
      keep,
    );

    // The same bootstrap as an SSM document, kept current by every `pulumi up`: configuration changes
    // (and the files of other components) reach a running host by Run Command, not by a rebuild.
    this.bootstrapDocument = new aws.ssm.Document(
      `${name}-bootstrap`,
      {
        name: `${plan.names.host}-bootstrap`,
        documentType: "Command",
        documentFormat: "JSON",
        content: userData.apply((script) => JSON.stringify(bootstrapDocument(plan.domain, script))),
        tags: ctx.tags(internal, `${plan.names.host}-bootstrap`),
      },
      { parent: this },
    );

    this.dnsRecord = new aws.route53.Record(
      `${name}-dns`,
      { zoneId: args.privateZoneId, name: plan.dnsName, type: "A", ttl: 300, records: [plan.placement.privateIp] },
      { parent: this },
    );

    this.registerOutputs({
      dnsName: this.dnsName,
      privateIp: this.privateIp,
      instanceId: this.instance.id,
      dataVolumeId: this.dataVolume.id,
      roleArn: this.role.arn,
      bootstrapDocument: this.bootstrapDocument.name,
    });
  }
}
