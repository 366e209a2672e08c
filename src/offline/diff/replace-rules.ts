import { pathCovers } from "./property-diff";
import type { Props } from "./resource-facts";

/**
 * Which input changes force the provider to replace a resource (delete and create) rather than
 * update it in place, for the resource types this platform uses.
 *
 * AN ESTIMATE. The providers decide this at preview time from their own schemas (Terraform's
 * ForceNew for the bridged @pulumi/aws, random and tls; the forceNew table of @pulumi/kubernetes);
 * this table restates them, each type with the source it comes from (REPLACE_SOURCES), so that an
 * offline diff can warn early. The resource's own `replaceOnChanges` option adds to it, and its
 * `ignoreChanges` option removes changes before the table is consulted (diff-snapshots.ts).
 * `pulumi preview --diff` in CI is authoritative. docs/ci.md shows the table (a test keeps it in step).
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
  // vpcConfig.subnetIds and securityGroupIds are updated in place (UpdateClusterConfig), not ForceNew.
  "aws:eks/cluster:Cluster": [
    "name",
    "roleArn",
    "accessConfig.bootstrapClusterCreatorAdminPermissions",
    "kubernetesNetworkConfig.serviceIpv4Cidr",
    "kubernetesNetworkConfig.ipFamily",
    "outpostConfig",
    "remoteNetworkConfig",
    "bootstrapSelfManagedAddons",
    { path: "encryptionConfig", when: (inputs) => inputs.encryptionConfig === undefined, note: "encryptionConfig removed (envelope encryption cannot be disabled)" },
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


/** The Terraform schema a bridged @pulumi/aws type restates (its ForceNew attributes). */
const tf = (resource: string): string => `hashicorp/terraform-provider-aws schema of ${resource}: its ForceNew attributes (bridged by @pulumi/aws 7.x)`;
const KUBERNETES = "pulumi/pulumi-kubernetes forceNewProperties (metadata.name/namespace, and the kind's immutable fields in the Kubernetes API reference)";
const RANDOM = "@pulumi/random (terraform-provider-random): every input is a keeper, ForceNew";
const TLS = "@pulumi/tls (terraform-provider-tls): every input is ForceNew";

/** Where each entry of REPLACE_ON_CHANGE comes from (a unit test keeps the two in step). */
export const REPLACE_SOURCES: Readonly<Record<string, string>> = {
  "aws:ec2/vpc:Vpc": tf("aws_vpc"),
  "aws:ec2/subnet:Subnet": tf("aws_subnet"),
  "aws:ec2/routeTable:RouteTable": tf("aws_route_table"),
  "aws:ec2/route:Route": tf("aws_route"),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": tf("aws_route_table_association"),
  "aws:ec2/internetGateway:InternetGateway": tf("aws_internet_gateway"),
  "aws:ec2/networkAcl:NetworkAcl": tf("aws_network_acl"),
  "aws:ec2/networkAclRule:NetworkAclRule": tf("aws_network_acl_rule"),
  "aws:ec2/networkAclAssociation:NetworkAclAssociation": tf("aws_network_acl_association"),
  "aws:ec2/securityGroup:SecurityGroup": tf("aws_security_group"),
  "aws:ec2/securityGroupRule:SecurityGroupRule": tf("aws_security_group_rule"),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": tf("aws_vpc_security_group_ingress_rule"),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": tf("aws_vpc_security_group_egress_rule"),
  "aws:ec2/vpcEndpoint:VpcEndpoint": tf("aws_vpc_endpoint"),
  "aws:ec2/flowLog:FlowLog": tf("aws_flow_log"),
  "aws:ec2/eip:Eip": tf("aws_eip"),
  "aws:ec2/instance:Instance": tf("aws_instance"),
  "aws:ebs/volume:Volume": tf("aws_ebs_volume"),
  "aws:ec2/volumeAttachment:VolumeAttachment": tf("aws_volume_attachment"),
  "aws:ec2/launchTemplate:LaunchTemplate": tf("aws_launch_template"),
  "aws:autoscaling/group:Group": tf("aws_autoscaling_group"),
  "aws:lb/loadBalancer:LoadBalancer": tf("aws_lb"),
  "aws:lb/targetGroup:TargetGroup": tf("aws_lb_target_group"),
  "aws:lb/listener:Listener": tf("aws_lb_listener"),
  "aws:lb/targetGroupAttachment:TargetGroupAttachment": tf("aws_lb_target_group_attachment"),
  "aws:wafv2/webAcl:WebAcl": tf("aws_wafv2_web_acl"),
  "aws:wafv2/webAclAssociation:WebAclAssociation": tf("aws_wafv2_web_acl_association"),
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": tf("aws_wafv2_web_acl_logging_configuration"),
  "aws:acm/certificate:Certificate": tf("aws_acm_certificate"),
  "aws:acm/certificateValidation:CertificateValidation": tf("aws_acm_certificate_validation"),
  "aws:route53/zone:Zone": tf("aws_route53_zone"),
  "aws:route53/record:Record": tf("aws_route53_record"),
  "aws:s3/bucket:Bucket": tf("aws_s3_bucket"),
  "aws:s3/bucketV2:BucketV2": tf("aws_s3_bucket"),
  "aws:s3/bucketVersioning:BucketVersioning": tf("aws_s3_bucket_versioning"),
  "aws:s3/bucketVersioningV2:BucketVersioningV2": tf("aws_s3_bucket_versioning"),
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": tf("aws_s3_bucket_server_side_encryption_configuration"),
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": tf("aws_s3_bucket_public_access_block"),
  "aws:s3/bucketPolicy:BucketPolicy": tf("aws_s3_bucket_policy"),
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": tf("aws_s3_bucket_ownership_controls"),
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": tf("aws_s3_bucket_lifecycle_configuration"),
  "aws:s3/bucketLogging:BucketLogging": tf("aws_s3_bucket_logging"),
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": tf("aws_s3_bucket_object_lock_configuration"),
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig": tf("aws_s3_bucket_replication_configuration"),
  "aws:s3/bucketNotification:BucketNotification": tf("aws_s3_bucket_notification"),
  "aws:kms/key:Key": tf("aws_kms_key"),
  "aws:kms/alias:Alias": tf("aws_kms_alias"),
  "aws:cloudwatch/logGroup:LogGroup": tf("aws_cloudwatch_log_group"),
  "aws:cloudtrail/trail:Trail": tf("aws_cloudtrail"),
  "aws:backup/vault:Vault": tf("aws_backup_vault"),
  "aws:backup/vaultLockConfiguration:VaultLockConfiguration": tf("aws_backup_vault_lock_configuration"),
  "aws:backup/vaultPolicy:VaultPolicy": tf("aws_backup_vault_policy"),
  "aws:backup/plan:Plan": tf("aws_backup_plan"),
  "aws:backup/selection:Selection": tf("aws_backup_selection"),
  "aws:sqs/queue:Queue": tf("aws_sqs_queue"),
  "aws:sqs/queuePolicy:QueuePolicy": tf("aws_sqs_queue_policy"),
  "aws:sqs/redrivePolicy:RedrivePolicy": tf("aws_sqs_queue_redrive_policy"),
  "aws:sns/topic:Topic": tf("aws_sns_topic"),
  "aws:sns/topicPolicy:TopicPolicy": tf("aws_sns_topic_policy"),
  "aws:sns/topicSubscription:TopicSubscription": tf("aws_sns_topic_subscription"),
  "aws:eks/addon:Addon": tf("aws_eks_addon"),
  "aws:eks/accessEntry:AccessEntry": tf("aws_eks_access_entry"),
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": tf("aws_eks_access_policy_association"),
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": tf("aws_eks_pod_identity_association"),
  "aws:ecr/repository:Repository": tf("aws_ecr_repository"),
  "aws:iam/role:Role": tf("aws_iam_role"),
  "aws:iam/policy:Policy": tf("aws_iam_policy"),
  "aws:iam/rolePolicy:RolePolicy": tf("aws_iam_role_policy"),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": tf("aws_iam_role_policy_attachment"),
  "aws:iam/instanceProfile:InstanceProfile": tf("aws_iam_instance_profile"),
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": tf("aws_iam_openid_connect_provider"),
  "aws:secretsmanager/secret:Secret": tf("aws_secretsmanager_secret"),
  "aws:secretsmanager/secretVersion:SecretVersion": tf("aws_secretsmanager_secret_version"),
  "aws:ssm/parameter:Parameter": tf("aws_ssm_parameter"),
  "aws:eks/cluster:Cluster": "hashicorp/terraform-provider-aws internal/service/eks/cluster.go: ForceNew on name, role_arn, bootstrap_self_managed_addons, access_config.bootstrap_cluster_creator_admin_permissions, kubernetes_network_config.ip_family/service_ipv4_cidr, outpost_config, remote_network_config; ForceNewIfChange when encryption_config is removed; vpc_config is updated in place",
  "aws:eks/nodeGroup:NodeGroup": "hashicorp/terraform-provider-aws internal/service/eks/node_group.go: ForceNew on ami_type, capacity_type, cluster_name, disk_size, instance_types, launch_template.id/name, node_group_name(_prefix), node_role_arn, remote_access, subnet_ids (a set: order is no change)",
  "kubernetes:apps/v1:Deployment": KUBERNETES,
  "kubernetes:apps/v1:DaemonSet": KUBERNETES,
  "kubernetes:apps/v1:StatefulSet": KUBERNETES,
  "kubernetes:batch/v1:Job": KUBERNETES,
  "kubernetes:core/v1:Service": KUBERNETES,
  "kubernetes:core/v1:PersistentVolumeClaim": KUBERNETES,
  "kubernetes:storage.k8s.io/v1:StorageClass": KUBERNETES,
  "kubernetes:helm.sh/v3:Release": "@pulumi/kubernetes helm.sh/v3 Release: the release name and namespace identify it",
  "random:index/randomPassword:RandomPassword": RANDOM,
  "random:index/randomString:RandomString": RANDOM,
  "random:index/randomId:RandomId": RANDOM,
  "random:index/randomUuid:RandomUuid": RANDOM,
  "tls:index/privateKey:PrivateKey": TLS,
  "tls:index/selfSignedCert:SelfSignedCert": TLS,
  "tls:index/certRequest:CertRequest": TLS,
  "tls:index/locallySignedCert:LocallySignedCert": TLS,
  "pulumi:providers:aws": "Pulumi engine: a provider whose region changes replaces the resources it manages (@pulumi/aws provider `region` input)",
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
export function replacementCauses(type: string, changedPaths: readonly string[], newInputs: Props, replaceOnChanges: readonly string[] = []): string[] {
  const causes = new Set<string>();
  for (const pattern of replaceOnChanges) {
    if (changedPaths.some((changed) => pathCovers(pattern, changed))) causes.add(pattern === "*" ? "any input (replaceOnChanges)" : `${pattern} (replaceOnChanges)`);
  }
  for (const trigger of triggersFor(type)) {
    const path = typeof trigger === "string" ? trigger : trigger.path;
    if (typeof trigger !== "string" && !trigger.when(newInputs)) continue;
    const hit = path === ANY ? changedPaths.length > 0 : changedPaths.some((changed) => covers(path, changed));
    if (hit) causes.add(typeof trigger === "string" ? (path === ANY ? "any input" : path) : trigger.note);
  }
  return [...causes].sort();
}

function covers(trigger: string, changed: string): boolean {
  return pathCovers(trigger, changed);
}

/** The table as docs/ci.md shows it (a unit test keeps the two identical). */
export function replaceTableMarkdown(): string {
  const cell = (triggers: readonly ReplaceTrigger[]): string =>
    triggers.length === 0 ? "(none)" : triggers.map((t) => (t === ANY ? "any input" : typeof t === "string" ? `\`${t}\`` : `\`${t.path}\` (${t.note})`)).join(", ");
  const rows = [
    "| resource type | changing any of these replaces the resource | source |",
    "|---|---|---|",
    `| every \`aws:*\` type | ${cell(AWS_COMMON)} | @pulumi/aws 7.x per-resource \`region\` |`,
    `| every \`kubernetes:*\` object | ${cell(KUBERNETES_COMMON)} | ${KUBERNETES} |`,
    ...Object.entries(REPLACE_ON_CHANGE).map(([type, triggers]) => `| \`${type}\` | ${cell(triggers)} | ${REPLACE_SOURCES[type] ?? ""} |`),
  ];
  return `${rows.join("\n")}\n`;
}
