import type { Props } from "./resource-facts";

/**
 * Which input changes force the provider to replace a resource (delete and create) rather than
 * update it in place, for the resource types this platform uses.
 *
 * AN ESTIMATE. The providers decide this at preview time from their own schemas (Terraform's
 * ForceNew for @pulumi/aws); this table restates the behaviour documented for @pulumi/aws 7.x,
 * @pulumi/kubernetes 4.x, @pulumi/random and @pulumi/tls, so that an offline diff can warn
 * early. `pulumi preview --diff` in CI is authoritative. Keep the table in step with docs/ci.md.
 *
 * A path matches a changed property when it is the same path or a prefix of it (`rootBlockDevice.kmsKeyId`
 * matches `rootBlockDevice.kmsKeyId`; `ebsBlockDevices` matches `ebsBlockDevices[0].volumeSize`).
 * `*` means any input change replaces the resource.
 */
export interface ConditionalTrigger {
  readonly path: string;
  /** Replacement only happens when this holds for the new inputs. */
  readonly when: (inputs: Props) => boolean;
  readonly note: string;
}

export type ReplaceTrigger = string | ConditionalTrigger;

const ANY = "*";
const userDataReplaces = (inputs: Props): boolean => inputs.userDataReplaceOnChange === true;

/** Every @pulumi/aws 7.x resource has a per-resource `region`; moving a resource to another region recreates it. */
const AWS_COMMON: readonly ReplaceTrigger[] = ["region"];
/** A Kubernetes object is identified by kind, namespace and name; changing either recreates it. */
const KUBERNETES_COMMON: readonly ReplaceTrigger[] = ["metadata.name", "metadata.namespace"];
/** S3 bucket sub-resources (versioning, encryption, policy, ...) are keyed by their bucket. */
const S3_BUCKET_CHILD: readonly ReplaceTrigger[] = ["bucket", "expectedBucketOwner"];

export const REPLACE_ON_CHANGE: Readonly<Record<string, readonly ReplaceTrigger[]>> = {
  // network (src/network)
  "aws:ec2/vpc:Vpc": ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength", "instanceTenancy"],
  "aws:ec2/subnet:Subnet": ["cidrBlock", "availabilityZone", "availabilityZoneId", "vpcId", "outpostArn"],
  "aws:ec2/routeTable:RouteTable": ["vpcId"],
  "aws:ec2/route:Route": ["routeTableId", "destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId"],
  "aws:ec2/routeTableAssociation:RouteTableAssociation": ["subnetId", "gatewayId"],
  "aws:ec2/internetGateway:InternetGateway": [],
  "aws:ec2/networkAcl:NetworkAcl": ["vpcId"],
  "aws:ec2/networkAclRule:NetworkAclRule": [
    "networkAclId",
    "ruleNumber",
    "egress",
    "protocol",
    "ruleAction",
    "cidrBlock",
    "ipv6CidrBlock",
    "fromPort",
    "toPort",
    "icmpType",
    "icmpCode",
  ],
  "aws:ec2/networkAclAssociation:NetworkAclAssociation": ["subnetId"],
  "aws:ec2/securityGroup:SecurityGroup": ["name", "namePrefix", "description", "vpcId"],
  "aws:ec2/securityGroupRule:SecurityGroupRule": [
    "type",
    "securityGroupId",
    "protocol",
    "fromPort",
    "toPort",
    "cidrBlocks",
    "ipv6CidrBlocks",
    "prefixListIds",
    "sourceSecurityGroupId",
    "self",
  ],
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["securityGroupId"],
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["securityGroupId"],
  "aws:ec2/vpcEndpoint:VpcEndpoint": ["vpcId", "serviceName", "vpcEndpointType", "serviceRegion"],
  "aws:ec2/flowLog:FlowLog": [
    "vpcId",
    "subnetId",
    "eniId",
    "trafficType",
    "logDestination",
    "logDestinationType",
    "logFormat",
    "maxAggregationInterval",
    "destinationOptions",
    "iamRoleArn",
  ],
  "aws:ec2/eip:Eip": ["domain", "publicIpv4Pool", "networkBorderGroup"],
  // compute: DB hosts, the egress proxy (src/databases, src/dmz)
  "aws:ec2/instance:Instance": [
    "ami",
    "availabilityZone",
    "subnetId",
    "privateIp",
    "keyName",
    "tenancy",
    "placementGroup",
    "hostId",
    "associatePublicIpAddress",
    "ebsBlockDevices",
    "ephemeralBlockDevices",
    "networkInterfaces",
    "launchTemplate",
    "cpuOptions",
    "hibernation",
    "enclaveOptions",
    "securityGroups",
    "rootBlockDevice.encrypted",
    "rootBlockDevice.kmsKeyId",
    { path: "userData", when: userDataReplaces, note: "userData with userDataReplaceOnChange" },
    { path: "userDataBase64", when: userDataReplaces, note: "userDataBase64 with userDataReplaceOnChange" },
  ],
  "aws:ebs/volume:Volume": ["availabilityZone", "encrypted", "kmsKeyId", "snapshotId", "outpostArn"],
  "aws:ec2/volumeAttachment:VolumeAttachment": ["deviceName", "instanceId", "volumeId"],
  "aws:ec2/launchTemplate:LaunchTemplate": ["name", "namePrefix"],
  "aws:autoscaling/group:Group": ["name", "namePrefix"],
  // edge (src/dmz)
  "aws:lb/loadBalancer:LoadBalancer": ["name", "namePrefix", "internal", "loadBalancerType", "customerOwnedIpv4Pool"],
  "aws:lb/targetGroup:TargetGroup": ["name", "namePrefix", "port", "protocol", "protocolVersion", "vpcId", "targetType", "ipAddressType"],
  "aws:lb/listener:Listener": ["loadBalancerArn"],
  "aws:lb/targetGroupAttachment:TargetGroupAttachment": ["targetGroupArn", "targetId", "port", "availabilityZone"],
  "aws:wafv2/webAcl:WebAcl": ["name", "namePrefix", "scope"],
  "aws:wafv2/webAclAssociation:WebAclAssociation": ["resourceArn", "webAclArn"],
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": ["resourceArn"],
  "aws:acm/certificate:Certificate": [
    "domainName",
    "subjectAlternativeNames",
    "keyAlgorithm",
    "certificateAuthorityArn",
    "privateKey",
    "certificateBody",
    "certificateChain",
  ],
  "aws:acm/certificateValidation:CertificateValidation": ["certificateArn", "validationRecordFqdns"],
  "aws:route53/zone:Zone": ["name", "delegationSetId"],
  "aws:route53/record:Record": ["zoneId", "name", "type", "setIdentifier"],
  // storage, logs and backups (src/logs, src/backups)
  "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "objectLockEnabled"],
  "aws:s3/bucketV2:BucketV2": ["bucket", "bucketPrefix", "objectLockEnabled"],
  "aws:s3/bucketVersioning:BucketVersioning": S3_BUCKET_CHILD,
  "aws:s3/bucketVersioningV2:BucketVersioningV2": S3_BUCKET_CHILD,
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": S3_BUCKET_CHILD,
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["bucket"],
  "aws:s3/bucketPolicy:BucketPolicy": ["bucket"],
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["bucket"],
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": S3_BUCKET_CHILD,
  "aws:s3/bucketLogging:BucketLogging": S3_BUCKET_CHILD,
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": S3_BUCKET_CHILD,
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig": ["bucket"],
  "aws:s3/bucketNotification:BucketNotification": ["bucket"],
  "aws:kms/key:Key": ["keyUsage", "customerMasterKeySpec", "keySpec", "multiRegion", "customKeyStoreId", "xksKeyId"],
  "aws:kms/alias:Alias": ["name", "namePrefix"],
  "aws:cloudwatch/logGroup:LogGroup": ["name", "namePrefix", "logGroupClass"],
  "aws:cloudtrail/trail:Trail": ["name"],
  "aws:backup/vault:Vault": ["name", "kmsKeyArn"],
  "aws:backup/vaultLockConfiguration:VaultLockConfiguration": ["backupVaultName", "changeableForDays"],
  "aws:backup/vaultPolicy:VaultPolicy": ["backupVaultName"],
  "aws:backup/plan:Plan": ["name"],
  "aws:backup/selection:Selection": [ANY],
  // messaging (src/messaging)
  "aws:sqs/queue:Queue": ["name", "namePrefix", "fifoQueue"],
  "aws:sqs/queuePolicy:QueuePolicy": ["queueUrl"],
  "aws:sqs/redrivePolicy:RedrivePolicy": ["queueUrl"],
  "aws:sns/topic:Topic": ["name", "namePrefix", "fifoTopic"],
  "aws:sns/topicPolicy:TopicPolicy": ["arn"],
  "aws:sns/topicSubscription:TopicSubscription": ["topic", "protocol", "endpoint", "endpointAutoConfirms", "confirmationTimeoutInMinutes"],
  // cluster and identities (src/services)
  "aws:eks/cluster:Cluster": [
    "name",
    "roleArn",
    "vpcConfig.subnetIds",
    "vpcConfig.securityGroupIds",
    "encryptionConfig.provider.keyArn",
    "kubernetesNetworkConfig.serviceIpv4Cidr",
    "kubernetesNetworkConfig.ipFamily",
    "outpostConfig",
    "bootstrapSelfManagedAddons",
  ],
  "aws:eks/nodeGroup:NodeGroup": [
    "clusterName",
    "nodeGroupName",
    "nodeGroupNamePrefix",
    "nodeRoleArn",
    "subnetIds",
    "instanceTypes",
    "capacityType",
    "diskSize",
    "amiType",
    "remoteAccess",
    "launchTemplate.name",
    "launchTemplate.id",
  ],
  "aws:eks/addon:Addon": ["clusterName", "addonName"],
  "aws:eks/accessEntry:AccessEntry": ["clusterName", "principalArn", "type"],
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": ["clusterName", "principalArn", "policyArn"],
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": ["clusterName", "namespace", "serviceAccount"],
  "aws:ecr/repository:Repository": ["name", "encryptionConfigurations"],
  "aws:iam/role:Role": ["name", "namePrefix", "path"],
  "aws:iam/policy:Policy": ["name", "namePrefix", "path", "description"],
  "aws:iam/rolePolicy:RolePolicy": ["name", "namePrefix", "role"],
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
  "aws:iam/instanceProfile:InstanceProfile": ["name", "namePrefix", "path"],
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ["url"],
  "aws:secretsmanager/secret:Secret": ["name", "namePrefix"],
  "aws:secretsmanager/secretVersion:SecretVersion": ["secretId"],
  "aws:ssm/parameter:Parameter": ["name"],
  // Kubernetes objects with immutable fields
  "kubernetes:apps/v1:Deployment": ["spec.selector"],
  "kubernetes:apps/v1:DaemonSet": ["spec.selector"],
  "kubernetes:apps/v1:StatefulSet": ["spec.selector", "spec.serviceName", "spec.volumeClaimTemplates", "spec.podManagementPolicy"],
  "kubernetes:batch/v1:Job": ["spec.selector", "spec.template"],
  "kubernetes:core/v1:Service": ["spec.clusterIP", "spec.clusterIPs"],
  "kubernetes:core/v1:PersistentVolumeClaim": ["spec.storageClassName", "spec.accessModes", "spec.volumeName", "spec.selector"],
  "kubernetes:storage.k8s.io/v1:StorageClass": ["provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"],
  "kubernetes:helm.sh/v3:Release": ["name", "namespace"],
  // generated values: every input is a keeper
  "random:index/randomPassword:RandomPassword": [ANY],
  "random:index/randomString:RandomString": [ANY],
  "random:index/randomId:RandomId": [ANY],
  "random:index/randomUuid:RandomUuid": [ANY],
  "tls:index/privateKey:PrivateKey": [ANY],
  "tls:index/selfSignedCert:SelfSignedCert": [ANY],
  "tls:index/certRequest:CertRequest": [ANY],
  "tls:index/locallySignedCert:LocallySignedCert": [ANY],
  // a provider whose region changes takes every resource it manages with it
  "pulumi:providers:aws": ["region"],
};

/** The triggers that apply to a type, including those every resource of its package shares. */
export function triggersFor(type: string): readonly ReplaceTrigger[] {
  const own = REPLACE_ON_CHANGE[type] ?? [];
  if (type.startsWith("aws:")) return [...AWS_COMMON, ...own];
  if (type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm.sh/")) return [...KUBERNETES_COMMON, ...own];
  return own;
}

/**
 * The changed paths that force a replacement, named as the table names them (with a note for
 * conditional ones). Empty: the change is an in-place update, as far as the table knows.
 */
export function replacementCauses(type: string, changedPaths: readonly string[], newInputs: Props): string[] {
  const causes = new Set<string>();
  for (const trigger of triggersFor(type)) {
    const path = typeof trigger === "string" ? trigger : trigger.path;
    if (typeof trigger !== "string" && !trigger.when(newInputs)) continue;
    const hit = path === ANY ? changedPaths.length > 0 : changedPaths.some((changed) => covers(path, changed));
    if (hit) causes.add(typeof trigger === "string" ? (path === ANY ? "any input" : path) : trigger.note);
  }
  return [...causes].sort();
}

function covers(trigger: string, changed: string): boolean {
  return changed === trigger || changed.startsWith(`${trigger}.`) || changed.startsWith(`${trigger}[`);
}

/** The table as docs/ci.md shows it (a unit test keeps the two identical). */
export function replaceTableMarkdown(): string {
  const cell = (triggers: readonly ReplaceTrigger[]): string =>
    triggers.length === 0 ? "(none)" : triggers.map((t) => (t === ANY ? "any input" : typeof t === "string" ? `\`${t}\`` : `\`${t.path}\` (only with \`userDataReplaceOnChange\`)`)).join(", ");
  const rows = [
    "| resource type | changing any of these replaces the resource |",
    "|---|---|",
    `| every \`aws:*\` type | ${cell(AWS_COMMON)} |`,
    `| every \`kubernetes:*\` object | ${cell(KUBERNETES_COMMON)} |`,
    ...Object.entries(REPLACE_ON_CHANGE).map(([type, triggers]) => `| \`${type}\` | ${cell(triggers)} |`),
  ];
  return `${rows.join("\n")}\n`;
}
