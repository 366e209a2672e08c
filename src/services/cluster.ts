/**
 * The EKS cluster of a stack (D4, EKS-01): control plane in the app zone with a private endpoint,
 * secrets encrypted with a customer-managed key, every control-plane log type into a pre-created
 * encrypted log group (LOG-02), API-mode access entries for the deployer and the operator, a managed
 * node group on a hardened launch template, pinned add-ons, the ECR repositories, and the Kubernetes
 * provider every in-cluster object uses.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Catalog } from "../config/catalog-schema";
import type { ClusterConfig } from "../config/sections/cluster";
import type { ImagesConfig } from "../config/sections/images";
import { customerManagedKey } from "../conventions/customer-managed-key";
import type { PlatformContext } from "../conventions/context";
import { eksClusterLogGroupName, encryptedLogGroup } from "../logs/log-group";
import { CONTROL_PLANE_LOG_TYPES, planAccessEntries, planAddons, planEndpoint, planNodeTemplate, principalFromCallerArn } from "./cluster-plan";
import { clusterKeyPolicy, clusterSecretsEncryption, podIdentityTrust, serviceTrust } from "./iam-documents";
import { ecrLifecyclePolicy } from "./ecr-lifecycle";
import { planRepositories } from "./images";
import { AUTO_SCALING } from "../account/service-linked-roles";
import { kubeconfig } from "./kubeconfig";
import { maxNameLength } from "../conventions/aws-limits";

export const COMPONENT = "eks-cluster";
const PARTITION = "aws";

interface HasId {
  readonly id: pulumi.Input<string>;
}

export interface ClusterNetwork {
  readonly subnets: { readonly app: readonly HasId[] };
  /** Availability zone of each app subnet, in the same order. */
  readonly appSubnetZones: readonly string[];
  readonly zoneSecurityGroups: { readonly app: HasId };
}

export interface EksClusterArgs {
  readonly ctx: PlatformContext;
  readonly config: ClusterConfig;
  readonly images: ImagesConfig;
  readonly catalog: Catalog;
  readonly network: ClusterNetwork;
  /** LOG-02: the control-plane log group is encrypted with the logs key and kept this long. */
  readonly logs: { readonly keyArn: pulumi.Input<string>; readonly retentionInDays: number };
  /** The DevOps provider's role (`OperatorAccess.role.arn`): view-only in Kubernetes. */
  readonly operatorRoleArn: pulumi.Input<string>;
  /** OperatorAccess.hostSessionPolicy: lets the host encrypt and log its Session Manager sessions (D4). */
  readonly hostSessionPolicyArn?: pulumi.Input<string>;
}

export class EksCluster extends pulumi.ComponentResource {
  readonly clusterName: string;
  readonly cluster: aws.eks.Cluster;
  readonly key: aws.kms.Key;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly nodeRole: aws.iam.Role;
  /** One managed node group per availability zone (the autoscaler balances them). */
  readonly nodeGroups: readonly aws.eks.NodeGroup[];
  readonly launchTemplate: aws.ec2.LaunchTemplate;
  readonly addons: Readonly<Record<string, aws.eks.Addon>>;
  readonly repositories: Readonly<Record<string, aws.ecr.Repository>>;
  readonly provider: k8s.Provider;
  readonly deployerPrincipalArn: pulumi.Output<string>;
  /** Resolves once nodes, add-ons and access entries exist: in-cluster objects wait for it. */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:services:EksCluster", name, {}, opts);
    const { ctx, config } = args;
    const parent = { parent: this };
    const tags = (thing: string) => ctx.tags({ component: COMPONENT, zone: "app" }, ctx.name(COMPONENT, thing));
    this.clusterName = ctx.name(COMPONENT, undefined, maxNameLength("aws:eks/cluster:Cluster"));
    const clusterName = this.clusterName;
    const appSubnetIds = args.network.subnets.app.map((s) => s.id);
    const appSg = args.network.zoneSecurityGroups.app.id;

    const keyName = ctx.name(COMPONENT, "key");
    this.key = customerManagedKey(
      { key: `${name}-key`, alias: `${name}-key` },
      {
        description: "EKS: Kubernetes secrets, node volumes and ECR repositories",
        policy: pulumi.all([ctx.accountId, ctx.serviceLinkedRoleArn(AUTO_SCALING)]).apply(([accountId, autoScalingRoleArn]) => JSON.stringify(clusterKeyPolicy({ partition: PARTITION, accountId, autoScalingRoleArn }))),
        tags: ctx.tags({ component: COMPONENT, zone: "app" }, keyName),
        alias: `alias/${keyName}`,
      },
      parent,
    );

    // Control plane role: the AWS managed cluster policy plus envelope encryption with our key.
    const clusterRole = new aws.iam.Role(
      `${name}-role`,
      { permissionsBoundary: ctx.permissionsBoundary, name: ctx.name(COMPONENT, "control-plane", 64), assumeRolePolicy: JSON.stringify(serviceTrust("eks.amazonaws.com")), tags: tags("control-plane") },
      parent,
    );
    const clusterPolicy = new aws.iam.RolePolicyAttachment(`${name}-role-cluster`, { role: clusterRole.name, policyArn: `arn:${PARTITION}:iam::aws:policy/AmazonEKSClusterPolicy` }, parent);
    const encryptPolicy = new aws.iam.RolePolicy(
      `${name}-role-encryption`,
      { role: clusterRole.id, policy: this.key.arn.apply((arn) => JSON.stringify(clusterSecretsEncryption(arn))) },
      parent,
    );

    // LOG-02: created before the cluster, or EKS creates it unencrypted and never expiring.
    this.logGroup = encryptedLogGroup(
      `${name}-control-plane-logs`,
      { ctx, component: COMPONENT, zone: "app", logGroupName: eksClusterLogGroupName(clusterName), retentionInDays: args.logs.retentionInDays, kmsKeyArn: args.logs.keyArn },
      parent,
    );

    // Nodes, pods and the control plane's ENIs share the app zone group: one self-referencing rule pair.
    // Pod-to-pod segmentation is the NetworkPolicies' job (K8S-05).
    const intraIngress = new aws.vpc.SecurityGroupIngressRule(
      `${name}-intra-app-ingress`,
      { securityGroupId: appSg, referencedSecurityGroupId: appSg, ipProtocol: "-1", description: "EKS nodes, pods and control-plane ENIs of the app zone", tags: tags("intra-app-ingress") },
      parent,
    );
    const intraEgress = new aws.vpc.SecurityGroupEgressRule(
      `${name}-intra-app-egress`,
      { securityGroupId: appSg, referencedSecurityGroupId: appSg, ipProtocol: "-1", description: "EKS nodes, pods and control-plane ENIs of the app zone", tags: tags("intra-app-egress") },
      parent,
    );

    this.cluster = new aws.eks.Cluster(
      `${name}-eks`,
      {
        name: clusterName,
        version: config.kubernetesVersion,
        roleArn: clusterRole.arn,
        vpcConfig: { subnetIds: appSubnetIds, securityGroupIds: [appSg], ...planEndpoint(ctx.environment, config) },
        // Pinned: the API service address (first host) is written into the NetworkPolicies.
        kubernetesNetworkConfig: { serviceIpv4Cidr: config.serviceIpv4Cidr, ipFamily: "ipv4" },
        encryptionConfig: { provider: { keyArn: this.key.arn }, resources: ["secrets"] },
        enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
        // The add-ons are managed (pinned) below, not left as EKS's unmanaged defaults.
        bootstrapSelfManagedAddons: false,
        upgradePolicy: { supportType: "STANDARD" },
        tags: tags("eks"),
      },
      { parent: this, dependsOn: [this.logGroup, clusterPolicy, encryptPolicy, intraIngress, intraEgress] },
    );

    // Access entries (API mode): the deployer administers, the operator views.
    this.deployerPrincipalArn =
      config.deployerRoleArn === undefined
        ? aws.getCallerIdentityOutput({}, parent).arn.apply(principalFromCallerArn)
        : pulumi.output(config.deployerRoleArn);
    const principals = { deployer: this.deployerPrincipalArn, operator: pulumi.output(args.operatorRoleArn) };
    const accessReady: pulumi.Resource[] = [];
    for (const entry of planAccessEntries()) {
      const accessEntry = new aws.eks.AccessEntry(
        `${name}-access-${entry.key}`,
        { clusterName: this.cluster.name, principalArn: principals[entry.key], type: "STANDARD", tags: tags(`access-${entry.key}`) },
        parent,
      );
      accessReady.push(
        new aws.eks.AccessPolicyAssociation(
          `${name}-access-${entry.key}-policy`,
          { clusterName: this.cluster.name, principalArn: accessEntry.principalArn, policyArn: entry.policyArn, accessScope: entry.scope },
          parent,
        ),
      );
    }

    // Nodes: SSM instead of SSH, images pulled from ECR through the endpoints. The VPC CNI has its own
    // pod identity (below), so the node role carries no network rights and pods cannot reach IMDS anyway.
    this.nodeRole = new aws.iam.Role(
      `${name}-node-role`,
      { permissionsBoundary: ctx.permissionsBoundary, name: ctx.name(COMPONENT, "node", 64), assumeRolePolicy: JSON.stringify(serviceTrust("ec2.amazonaws.com")), tags: tags("node") },
      parent,
    );
    const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"].map(
      (policy) => new aws.iam.RolePolicyAttachment(`${name}-node-${policy}`, { role: this.nodeRole.name, policyArn: `arn:${PARTITION}:iam::aws:policy/${policy}` }, parent),
    );
    if (args.hostSessionPolicyArn !== undefined) {
      nodePolicies.push(new aws.iam.RolePolicyAttachment(`${name}-node-ssm-sessions`, { role: this.nodeRole.name, policyArn: args.hostSessionPolicyArn }, parent));
    }

    const template = planNodeTemplate(config);
    const nodeTags = ctx.tags({ component: COMPONENT, zone: "app" }, ctx.name(COMPONENT, "node"));
    this.launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-nodes`,
      {
        name: ctx.name(COMPONENT, "nodes", maxNameLength("aws:ec2/launchTemplate:LaunchTemplate")),
        description: "EKS nodes: IMDSv2 (1 hop), encrypted gp3 root, app zone group, no key pair",
        metadataOptions: template.metadataOptions,
        blockDeviceMappings: [{ deviceName: template.rootVolume.deviceName, ebs: { ...template.rootVolume, kmsKeyId: this.key.arn } }],
        vpcSecurityGroupIds: [appSg],
        tagSpecifications: [
          { resourceType: "instance", tags: nodeTags },
          { resourceType: "volume", tags: nodeTags },
          { resourceType: "network-interface", tags: nodeTags },
        ],
        updateDefaultVersion: true,
        tags: tags("nodes"),
      },
      parent,
    );

    const addonResources: Record<string, aws.eks.Addon> = {};
    const addonRole = (plan: ReturnType<typeof planAddons>[number]) => {
      if (plan.podIdentity === undefined) return undefined;
      const roleName = ctx.name(COMPONENT, `addon-${plan.name}`, 64);
      const role = new aws.iam.Role(
        `${name}-addon-${plan.name}-role`,
        {
          permissionsBoundary: ctx.permissionsBoundary,
          name: roleName,
          description: `EKS add-on ${plan.name} (Pod Identity): its own AWS rights, not the node role's`,
          assumeRolePolicy: pulumi.all([ctx.accountId, this.cluster.name]).apply(([accountId, clusterName]) => JSON.stringify(podIdentityTrust({ partition: PARTITION, region: ctx.region, accountId, clusterName }))),
          maxSessionDuration: 3600,
          tags: tags(`addon-${plan.name}`),
        },
        parent,
      );
      new aws.iam.RolePolicyAttachment(`${name}-addon-${plan.name}-policy`, { role: role.name, policyArn: `arn:${PARTITION}:iam::aws:policy/${plan.podIdentity.managedPolicy}` }, parent);
      return [{ roleArn: role.arn, serviceAccount: plan.podIdentity.serviceAccount }];
    };
    const addon = (plan: ReturnType<typeof planAddons>[number], dependsOn: pulumi.Resource[]) =>
      new aws.eks.Addon(
        `${name}-addon-${plan.name}`,
        {
          clusterName: this.cluster.name,
          addonName: plan.name,
          addonVersion: plan.version,
          ...(plan.configurationValues === undefined ? {} : { configurationValues: plan.configurationValues }),
          ...(plan.podIdentity === undefined ? {} : { podIdentityAssociations: addonRole(plan) }),
          resolveConflictsOnCreate: "OVERWRITE",
          resolveConflictsOnUpdate: "OVERWRITE",
          tags: tags(`addon-${plan.name}`),
        },
        { parent: this, dependsOn },
      );
    const addons = planAddons(config);
    for (const plan of addons.filter((a) => !a.afterNodes)) addonResources[plan.name] = addon(plan, []);

    // One group per zone: the Cluster Autoscaler can then add a node in the zone a pending pod needs
    // (topology spread), and `balance-similar-node-groups` keeps the zones even.
    this.nodeGroups = args.network.subnets.app.map((subnet, i) => {
      const zone = args.network.appSubnetZones[i] ?? String(i);
      return new aws.eks.NodeGroup(
        `${name}-nodes-${zone}`,
        {
          clusterName: this.cluster.name,
          nodeGroupName: ctx.name(COMPONENT, `nodes-${zone}`, maxNameLength("aws:eks/nodeGroup:NodeGroup", "nodeGroupName")),
          nodeRoleArn: this.nodeRole.arn,
          subnetIds: [subnet.id],
          amiType: template.amiType,
          capacityType: "ON_DEMAND",
          instanceTypes: config.nodeGroup.instanceTypes,
          scalingConfig: { minSize: config.nodeGroup.minSize, desiredSize: config.nodeGroup.desiredSize, maxSize: config.nodeGroup.maxSize },
          updateConfig: { maxUnavailable: 1 },
          launchTemplate: { id: this.launchTemplate.id, version: pulumi.interpolate`${this.launchTemplate.latestVersion}` },
          labels: { "fitness.example.com/zone": "app" },
          tags: tags(`nodes-${zone}`),
        },
        // The autoscaler owns desiredSize after creation.
        { parent: this, dependsOn: [...nodePolicies, ...Object.values(addonResources)], ignoreChanges: ["scalingConfig.desiredSize"] },
      );
    });
    for (const plan of addons.filter((a) => a.afterNodes)) addonResources[plan.name] = addon(plan, [...this.nodeGroups]);
    this.addons = addonResources;

    // ECR: one repository per service and per mirrored image; immutable tags, scanned, KMS-encrypted.
    const repositories: Record<string, aws.ecr.Repository> = {};
    for (const repo of planRepositories(ctx.project, args.catalog, args.images)) {
      repositories[repo.key] = new aws.ecr.Repository(
        `${name}-ecr-${repo.key}`,
        {
          name: repo.name,
          imageTagMutability: "IMMUTABLE",
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: this.key.arn }],
          tags: tags(`ecr-${repo.key}`),
        },
        parent,
      );
      new aws.ecr.LifecyclePolicy(
        `${name}-ecr-${repo.key}-lifecycle`,
        { repository: repositories[repo.key].name, policy: JSON.stringify(ecrLifecyclePolicy(repo.kind)) },
        parent,
      );
    }
    this.repositories = repositories;

    this.provider = new k8s.Provider(
      `${name}-k8s`,
      {
        kubeconfig: pulumi
          .all([this.cluster.name, this.cluster.endpoint, this.cluster.certificateAuthority.data])
          .apply(([n, endpoint, ca]) => kubeconfig({ clusterName: n, endpoint, caData: ca, region: ctx.region })),
        enableServerSideApply: true,
      },
      { parent: this, dependsOn: accessReady },
    );
    this.ready = [...this.nodeGroups, ...Object.values(addonResources), ...accessReady];

    this.registerOutputs({ clusterName: this.cluster.name, endpoint: this.cluster.endpoint, keyArn: this.key.arn });
  }
}
