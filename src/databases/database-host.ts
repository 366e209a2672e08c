import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PlatformContext } from "../conventions/context";
import { encodeUserData } from "../conventions/user-data";
import type { BootstrapExtras } from "./bootstrap-extras";
import { type PackageSource, renderUserData } from "./bootstrap";
import { bootstrapDocument } from "./bootstrap-document";
import { HOST_LAYOUT } from "./host-layout";
import { DATABASE_METRIC_NAMESPACE } from "./patroni-scripts";
import type { InternalCa } from "./internal-ca";
import type { HostPlan } from "./plan";
import { maxNameLength } from "../conventions/aws-limits";
import { boundedName } from "../conventions/naming";

export const COMPONENT = "databases";

export interface DatabaseHostArgs {
  readonly ctx: PlatformContext;
  readonly plan: HostPlan;
  /** The data subnet of an AZ (by name: the AZ list's order never matters). */
  readonly subnetIdFor: (az: string) => pulumi.Input<string>;
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
  /** Resources the hosts' first boot needs beyond this component (e.g. the package mirror's readiness). */
  readonly readyBeforeHosts?: pulumi.Resource[];
}

/** What a service needs to reach its database (the SERVICES component turns it into a Kubernetes Secret). */
export interface ServiceDatabaseAccess {
  readonly service: string;
  readonly domain: string;
  /** Private DNS name of the domain (every member's address); services never use an address. */
  readonly host: string;
  /** The members' addresses, for NetworkPolicies (egress to each member on the port). */
  readonly hostIps: readonly string[];
  /** Replicated clusters: libpq's target_session_attrs, so a connection lands on the leader only. */
  readonly targetSessionAttrs?: "read-write";
  /** Replicated clusters: each member's own name, for drivers that take a host list instead of one name. */
  readonly hosts?: readonly string[];
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

/** One PostgreSQL server of the domain: instance, data volume (kept on termination), attachment, TLS secret. */
export interface DatabaseMember {
  readonly name: string;
  readonly privateIp: string;
  readonly availabilityZone: string;
  readonly instance: aws.ec2.Instance;
  readonly dataVolume: aws.ebs.Volume;
  readonly volumeAttachment: aws.ec2.VolumeAttachment;
  readonly tlsSecret: aws.secretsmanager.Secret;
  /** SSM Command document that runs the member's current bootstrap (docs/runbooks/database-host.md). */
  readonly bootstrapDocument: aws.ssm.Document;
}

/**
 * The self-managed PostgreSQL of one critical data domain (D5): one host, or a Patroni cluster of one
 * member per configured AZ (docs/decisions.md, "Highly available PostgreSQL"). Per member: instance,
 * separate encrypted data volume kept on termination, server certificate, bootstrap document; per
 * domain: instance role, service credentials, Patroni's passwords, and the DNS name services connect to
 * (an A record of every member; libpq with target_session_attrs=read-write finds the leader).
 * The AMI and user-data are ignored after creation, so a config change never replaces a host silently:
 * a rebuild is an explicit, documented operation (docs/runbooks/database-host.md).
 */
export class DatabaseHost extends pulumi.ComponentResource {
  readonly domain: string;
  readonly dnsName: string;
  readonly privateIp: string;
  readonly port: number;
  readonly members: readonly DatabaseMember[];
  /** The first member's instance (a single host's only one). */
  readonly instance: aws.ec2.Instance;
  readonly dataVolume: aws.ebs.Volume;
  readonly role: aws.iam.Role;
  readonly instanceProfile: aws.iam.InstanceProfile;
  readonly dnsRecord: aws.route53.Record;
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
    const hosts = plan.members.map((m) => m.dnsName);
    const connection = plan.replicated ? { targetSessionAttrs: "read-write" as const, hosts } : {};

    // TLS: key and certificate reach each member through Secrets Manager, never through user-data.
    const tls = plan.members.map((m) => {
      const cert = args.ca.issue(`${name}-${plan.replicated ? m.name.slice(plan.domain.length + 1) + "-" : ""}server`, m.certificate, this);
      const secretName = plan.replicated ? `${m.physicalName}-tls` : plan.names.tlsSecret;
      const secret = new aws.secretsmanager.Secret(
        plan.replicated ? `${name}-${m.name.slice(plan.domain.length + 1)}-tls` : `${name}-tls`,
        {
          name: secretName,
          description: `TLS key and certificate of the PostgreSQL server ${m.dnsName}`,
          kmsKeyId: args.key.arn,
          recoveryWindowInDays: secretRecoveryDays,
          tags: ctx.tags(critical, secretName),
        },
        { parent: this },
      );
      const version = new aws.secretsmanager.SecretVersion(
        plan.replicated ? `${name}-${m.name.slice(plan.domain.length + 1)}-tls` : `${name}-tls`,
        {
          secretId: secret.id,
          secretString: pulumi.secret(
            pulumi
              .all([cert.privateKeyPem, cert.certificatePem, args.ca.certificatePem])
              .apply(([privateKeyPem, certificatePem, caCertificatePem]) => JSON.stringify({ privateKeyPem, certificatePem, caCertificatePem })),
          ),
        },
        { parent: this },
      );
      return { secret, secretName, version };
    });

    // Patroni's own roles (replication, pg_rewind) and its REST API: generated, never in user-data.
    const patroniSecret = plan.replicated ? this.patroniSecret(name, plan, args, ctx, critical, secretRecoveryDays) : undefined;

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
                  ...connection,
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
        hostIps: plan.members.map((m) => m.placement.privateIp),
        port: plan.port,
        database: owner.database,
        username: owner.role,
        password: pulumi.secret(password.result),
        secretName,
        secretArn: secret.arn,
        caCertPem: args.ca.certificatePem,
        sslmode: "verify-full",
        ...connection,
      };
    }
    this.access = access;

    // The roles SQL and Patroni members' setup scripts (patroni.yml and friends), fetched by the bootstrap.
    const rolesParameter = new aws.ssm.Parameter(
      `${name}-roles`,
      { name: plan.rolesSetup.parameter, type: "String", tier: "Intelligent-Tiering", description: `Service roles of ${plan.domain} (src/databases/roles-sql.ts)`, insecureValue: plan.rolesSetup.script, tags: ctx.tags(internal) },
      { parent: this },
    );
    const memberParameters = plan.members.flatMap((m) =>
      m.setup === undefined
        ? []
        : [
            new aws.ssm.Parameter(
              `${name}-${m.name.slice(plan.domain.length + 1)}-patroni`,
              { name: m.setup.parameter, type: "String", tier: "Intelligent-Tiering", description: `Patroni setup of ${m.name} (src/databases/member-setup.ts)`, insecureValue: m.setup.script, tags: ctx.tags(internal) },
              { parent: this },
            ),
          ],
    );
    const setupParameters = [rolesParameter, ...memberParameters];

    // Instance role: SSM (no SSH anywhere) and read access to this host's own secrets only.
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        permissionsBoundary: ctx.permissionsBoundary,
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
          .all([
            pulumi.all([...tls.map((t) => t.secret.arn), ...(patroniSecret === undefined ? [] : [patroniSecret.secret.arn]), ...credentialSecrets.map((s) => s.arn)]),
            pulumi.all(setupParameters.map((p) => p.arn)),
            args.key.arn,
          ])
          .apply(([secretArns, parameterArns, keyArn]) => {
            return JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                ...(parameterArns.length === 0 ? [] : [{ Sid: "ReadOwnSetup", Effect: "Allow", Action: "ssm:GetParameter", Resource: parameterArns }]),
                // Bootstrap failures, and a member's replication health and role changes (alarms).
                { Sid: "ReportDatabaseMetrics", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": DATABASE_METRIC_NAMESPACE } } },
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

    const members = plan.members.map((m, i): DatabaseMember => {
      const id = plan.replicated ? `${name}-${m.name.slice(plan.domain.length + 1)}` : name;
      // The data volume lives apart from the instance: terminating or rebuilding the host keeps it.
      const dataVolume = new aws.ebs.Volume(
        `${id}-data`,
        {
          availabilityZone: m.placement.az,
          type: "gp3",
          size: plan.dataVolume.sizeGiB,
          iops: plan.dataVolume.iops,
          throughput: plan.dataVolume.throughputMiBps,
          encrypted: true,
          kmsKeyId: args.key.arn,
          finalSnapshot: true,
          tags: ctx.tags(critical, `${m.physicalName}-data`),
        },
        keep,
      );
      const userData = pulumi
        .all([dataVolume.id, args.packageSource, args.extras ?? {}])
        .apply(([volumeId, packageSource, extras]) =>
          renderUserData({
            domain: plan.domain,
            region: ctx.region,
            volumeId,
            packageSource,
            postgresqlConf: m.files.postgresqlConf,
            pgHba: plan.files.pgHba,
            rolesParameter: plan.rolesSetup.parameter,
            tlsSecretId: tls[i].secretName,
            credentials: plan.owners.map((o) => ({ secretId: plan.names.credentialsSecrets[o.service], passwordEnv: o.passwordEnv })),
            extras,
            ...(m.files.patroniConf === undefined
              ? {}
              : { patroni: { member: m.name, privateIp: m.placement.privateIp, setupParameter: m.setup?.parameter ?? "", secretId: plan.names.patroniSecret } }),
          }),
        );
      const instance = new aws.ec2.Instance(
        `${id}-host`,
        {
          ami: plan.amiId,
          instanceType: plan.instanceType,
          tenancy: plan.tenancy,
          subnetId: args.subnetIdFor(m.placement.az),
          privateIp: m.placement.privateIp,
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
            tags: ctx.tags(internal, `${m.physicalName}-root`),
          },
          // gzip + base64: cloud-init unpacks it; EC2's 16 KiB counts the compressed bytes (src/conventions/user-data.ts).
          userDataBase64: userData.apply((script) => encodeUserData(script, `database host ${m.name}`)),
          userDataReplaceOnChange: false,
          tags: { ...ctx.tags(critical, m.physicalName), "db-cluster": plan.domain, "db-member": m.name },
        },
        {
          ...keep,
          // A new AMI or bootstrap reaches a host only through a deliberate rebuild (runbook).
          ignoreChanges: ["ami", "userData", "userDataBase64"],
          // The address is fixed (certificate, DNS): the old host must be gone before its successor starts.
          deleteBeforeReplace: true,
          // First boot reads these: they must exist before the instance does (and the package mirror must be ready).
          dependsOn: [
            tls[i].version,
            ...(patroniSecret === undefined ? [] : [patroniSecret.version]),
            ...credentialVersions,
            secretsPolicy,
            ssm,
            ...(extraPolicy === undefined ? [] : [extraPolicy]),
            ...(args.readyBeforeHosts ?? []),
          ],
        },
      );
      const volumeAttachment = new aws.ec2.VolumeAttachment(
        `${id}-data`,
        {
          deviceName: HOST_LAYOUT.dataDeviceName,
          volumeId: dataVolume.id,
          instanceId: instance.id,
          // Detach only from a stopped server, never from under a running PostgreSQL.
          stopInstanceBeforeDetaching: true,
        },
        keep,
      );
      // The same bootstrap as an SSM document, kept current by every `pulumi up`: configuration changes
      // (and the files of other components) reach a running host by Run Command, not by a rebuild.
      const bootstrap = new aws.ssm.Document(
        `${id}-bootstrap`,
        {
          name: boundedName(`${m.physicalName}-bootstrap`, maxNameLength("aws:ssm/document:Document")),
          documentType: "Command",
          documentFormat: "JSON",
          content: userData.apply((script) => JSON.stringify(bootstrapDocument(m.name, script))),
          tags: ctx.tags(internal, `${m.physicalName}-bootstrap`),
        },
        { parent: this },
      );
      if (plan.replicated) {
        new aws.route53.Record(`${id}-dns`, { zoneId: args.privateZoneId, name: m.dnsName, type: "A", ttl: 60, records: [m.placement.privateIp] }, { parent: this });
      }
      return { name: m.name, privateIp: m.placement.privateIp, availabilityZone: m.placement.az, instance, dataVolume, volumeAttachment, tlsSecret: tls[i].secret, bootstrapDocument: bootstrap };
    });
    this.members = members;
    this.instance = members[0].instance;
    this.dataVolume = members[0].dataVolume;

    // Services connect to this name: every member's address; libpq tries each and keeps the read-write one.
    this.dnsRecord = new aws.route53.Record(
      `${name}-dns`,
      { zoneId: args.privateZoneId, name: plan.dnsName, type: "A", ttl: 60, records: plan.members.map((m) => m.placement.privateIp) },
      { parent: this },
    );

    this.registerOutputs({
      dnsName: this.dnsName,
      members: members.map((m) => ({ name: m.name, privateIp: m.privateIp, instanceId: m.instance.id, dataVolumeId: m.dataVolume.id, bootstrapDocument: m.bootstrapDocument.name })),
      roleArn: this.role.arn,
    });
  }

  private patroniSecret(
    name: string,
    plan: HostPlan,
    args: DatabaseHostArgs,
    ctx: PlatformContext,
    critical: { component: string; zone: "data"; dataClass: "critical" },
    recoveryWindowInDays: number,
  ): { secret: aws.secretsmanager.Secret; version: aws.secretsmanager.SecretVersion } {
    const password = (id: string) => new random.RandomPassword(`${name}-patroni-${id}`, { length: 32, special: false, minLower: 4, minUpper: 4, minNumeric: 4 }, { parent: this });
    const [replication, rewind, restApi] = ["replication", "rewind", "rest-api"].map(password);
    const secret = new aws.secretsmanager.Secret(
      `${name}-patroni`,
      {
        name: plan.names.patroniSecret,
        description: `Patroni's replication, pg_rewind and REST API passwords of the ${plan.domain} cluster`,
        kmsKeyId: args.key.arn,
        recoveryWindowInDays,
        tags: ctx.tags(critical, plan.names.patroniSecret),
      },
      { parent: this },
    );
    const version = new aws.secretsmanager.SecretVersion(
      `${name}-patroni`,
      {
        secretId: secret.id,
        secretString: pulumi.secret(
          pulumi
            .all([replication.result, rewind.result, restApi.result])
            .apply(([replicationPassword, rewindPassword, restApiPassword]) => JSON.stringify({ replicationPassword, rewindPassword, restApiPassword })),
        ),
      },
      { parent: this },
    );
    return { secret, version };
  }
}
