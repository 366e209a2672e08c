import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../conventions/context";
import { encodeUserData } from "../conventions/user-data";
import type { PackageSource } from "./bootstrap";
import type { ConsensusPlan } from "./consensus-plan";
import { renderEtcdUserData } from "./etcd-bootstrap";
import { HOST_LAYOUT } from "./host-layout";
import { BOOTSTRAP_METRIC_NAMESPACE } from "./bootstrap-guard";
import type { InternalCa } from "./internal-ca";

export const CONSENSUS_ROLE_TAG = { key: "host-role", value: "consensus" } as const;

export interface ConsensusArgs {
  readonly ctx: PlatformContext;
  readonly plan: ConsensusPlan;
  readonly subnetIdFor: (az: string) => pulumi.Input<string>;
  readonly securityGroupIds: pulumi.Input<string>[];
  readonly privateZoneId: pulumi.Input<string>;
  readonly key: aws.kms.Key;
  readonly ca: InternalCa;
  readonly amiId: string;
  readonly packageSource: pulumi.Input<PackageSource>;
  readonly hostSessionPolicyArn?: pulumi.Input<string>;
  readonly readyBeforeHosts?: pulumi.Resource[];
}

/**
 * The etcd nodes the Patroni clusters keep their leader locks in: one per configured AZ, in the data
 * zone, data on a volume encrypted with the databases' key, reached only by the database members (the
 * security groups and etcd's client-certificate check). Termination protection and prod protection as
 * for the database hosts: losing a quorum freezes every cluster's failover.
 */
export class Consensus extends pulumi.ComponentResource {
  readonly nodes: readonly { readonly name: string; readonly privateIp: string; readonly instance: aws.ec2.Instance; readonly dataVolume: aws.ebs.Volume }[];

  constructor(name: string, args: ConsensusArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:databases:Consensus", name, {}, opts);
    const { ctx, plan } = args;
    const component = "databases";
    // Internal, not critical: the store holds no business data and nothing to restore (docs/decisions.md).
    const tags = (n: string) => ({ ...ctx.tags({ component, zone: "data" }, n), [CONSENSUS_ROLE_TAG.key]: CONSENSUS_ROLE_TAG.value });
    const keep = { parent: this, protect: ctx.durability.protectCriticalData, retainOnDelete: ctx.durability.protectCriticalData };

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        permissionsBoundary: ctx.permissionsBoundary,
        name: ctx.name(component, "etcd-host", 64),
        description: "Instance role of the etcd nodes (Patroni's consensus store)",
        assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
        tags: tags(ctx.name(component, "etcd-host")),
      },
      { parent: this },
    );
    const ssm = new aws.iam.RolePolicyAttachment(`${name}-ssm`, { role: role.name, policyArn: aws.iam.ManagedPolicy.AmazonSSMManagedInstanceCore }, { parent: this });
    if (args.hostSessionPolicyArn !== undefined) {
      new aws.iam.RolePolicyAttachment(`${name}-ssm-sessions`, { role: role.name, policyArn: args.hostSessionPolicyArn }, { parent: this });
    }
    const profile = new aws.iam.InstanceProfile(`${name}-profile`, { name: ctx.name(component, "etcd-host", 128), role: role.name, tags: tags(ctx.name(component, "etcd-host")) }, { parent: this });

    const secrets = plan.nodes.map((n) => {
      const cert = args.ca.issue(`${name}-${n.name}-server`, n.certificate, this);
      const secretName = `${n.physicalName}-tls`;
      const secret = new aws.secretsmanager.Secret(
        `${name}-${n.name}-tls`,
        { name: secretName, description: `TLS key and certificate of etcd node ${n.dnsName}`, kmsKeyId: args.key.arn, recoveryWindowInDays: ctx.durability.secretRecoveryWindowDays, tags: tags(secretName) },
        { parent: this },
      );
      const version = new aws.secretsmanager.SecretVersion(
        `${name}-${n.name}-tls`,
        {
          secretId: secret.id,
          secretString: pulumi.secret(
            pulumi.all([cert.privateKeyPem, cert.certificatePem, args.ca.certificatePem]).apply(([privateKeyPem, certificatePem, caCertificatePem]) => JSON.stringify({ privateKeyPem, certificatePem, caCertificatePem })),
          ),
        },
        { parent: this },
      );
      return { secret, secretName, version };
    });
    const readTls = new aws.iam.RolePolicy(
      `${name}-secrets`,
      {
        role: role.id,
        policy: pulumi.all([pulumi.all(secrets.map((s) => s.secret.arn)), args.key.arn]).apply(([arns, keyArn]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Sid: "ReadNodeTls", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: arns },
              { Sid: "DecryptNodeTls", Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn, Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${ctx.region}.amazonaws.com` } } },
              { Sid: "ReportBootstrapFailures", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": BOOTSTRAP_METRIC_NAMESPACE } } },
            ],
          }),
        ),
      },
      { parent: this },
    );

    this.nodes = plan.nodes.map((n, i) => {
      const dataVolume = new aws.ebs.Volume(
        `${name}-${n.name}-data`,
        { availabilityZone: n.placement.az, type: "gp3", size: plan.dataVolumeGiB, encrypted: true, kmsKeyId: args.key.arn, finalSnapshot: true, tags: tags(`${n.physicalName}-data`) },
        keep,
      );
      const userData = pulumi.all([dataVolume.id, args.packageSource]).apply(([volumeId, packageSource]) =>
        renderEtcdUserData({ node: n.name, privateIp: n.placement.privateIp, region: ctx.region, volumeId, packageSource, etcdConf: n.etcdConf, tlsSecretId: secrets[i].secretName }),
      );
      const instance = new aws.ec2.Instance(
        `${name}-${n.name}-host`,
        {
          ami: args.amiId,
          instanceType: plan.instanceType,
          subnetId: args.subnetIdFor(n.placement.az),
          privateIp: n.placement.privateIp,
          vpcSecurityGroupIds: args.securityGroupIds,
          associatePublicIpAddress: false,
          iamInstanceProfile: profile.name,
          disableApiTermination: ctx.durability.terminationProtection,
          instanceInitiatedShutdownBehavior: "stop",
          monitoring: true,
          metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
          rootBlockDevice: { volumeType: "gp3", volumeSize: 10, encrypted: true, kmsKeyId: args.key.arn, deleteOnTermination: true, tags: tags(`${n.physicalName}-root`) },
          // gzip + base64: cloud-init unpacks it; EC2's 16 KiB counts the compressed bytes (src/conventions/user-data.ts).
          userDataBase64: userData.apply((script) => encodeUserData(script, `consensus node ${n.name}`)),
          userDataReplaceOnChange: false,
          tags: tags(n.physicalName),
        },
        { ...keep, ignoreChanges: ["ami", "userData", "userDataBase64"], deleteBeforeReplace: true, dependsOn: [secrets[i].version, readTls, ssm, ...(args.readyBeforeHosts ?? [])] },
      );
      new aws.ec2.VolumeAttachment(
        `${name}-${n.name}-data`,
        { deviceName: HOST_LAYOUT.dataDeviceName, volumeId: dataVolume.id, instanceId: instance.id, stopInstanceBeforeDetaching: true },
        keep,
      );
      new aws.route53.Record(`${name}-${n.name}-dns`, { zoneId: args.privateZoneId, name: n.dnsName, type: "A", ttl: 60, records: [n.placement.privateIp] }, { parent: this });
      return { name: n.name, privateIp: n.placement.privateIp, instance, dataVolume };
    });
    this.registerOutputs({ nodes: this.nodes.map((n) => ({ name: n.name, privateIp: n.privateIp, instanceId: n.instance.id })) });
  }
}
