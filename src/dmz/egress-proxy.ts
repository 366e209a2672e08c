/**
 * The egress proxy (D6): the one sanctioned way out for the app and data zones, and only while an
 * exception is live. Squid hosts in an autoscaling group in the dmz subnets (scaled to zero with no live
 * exception) behind an internal NLB with a stable private name, `proxy.<stack>.fitness.internal:3128`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EgressConfig, EgressException } from "../config/sections/egress";
import { customerManagedKey } from "../conventions/customer-managed-key";
import type { PlatformContext } from "../conventions/context";
import type { Zone } from "../conventions/tags";
import { partitionOf } from "../conventions/arn";
import { dmzSubnetCidrs, type DmzNetwork, zoneSubnetCidrs } from "./dmz-network";
import { EXCEPTIONS_PARAMETER_SUFFIX, PROXY_COMPONENT } from "./egress-register";
import { type EgressProxyPlan, planEgressProxy, type ProxyGroup, type ProxyRule } from "./proxy-plan";
import { EC2_TRUST, logShippingPolicy, volumeKeyPolicy } from "./proxy-iam";
import { PROXY_PORT } from "./squid/paths";
import { AUTO_SCALING } from "../account/service-linked-roles";
import { maxNameLength } from "../conventions/aws-limits";

export interface EgressProxyArgs {
  readonly ctx: PlatformContext;
  readonly config: EgressConfig;
  /** `PlatformConfig.liveEgressExceptions`: only these are rendered, and only their zones admitted. */
  readonly liveExceptions: readonly EgressException[];
  readonly network: DmzNetwork;
  /** The log archive's app log bucket and its key: access logs go under `proxy/<stack>/`. */
  readonly logs: {
    readonly bucket: pulumi.Input<string>;
    readonly bucketArn: pulumi.Input<string>;
    readonly kmsKeyArn: pulumi.Input<string>;
  };
  /** A customer-managed key for the hosts' volumes; without one the proxy gets a key of its own. */
  readonly ebsKmsKeyArn?: pulumi.Input<string>;
  /** OperatorAccess.hostSessionPolicy: lets the host encrypt and log its Session Manager sessions (D4). */
  readonly hostSessionPolicyArn?: pulumi.Input<string>;
  /** The in-VPC deployer's names (src/deployer/egress-allowlist.ts), served to the DMZ subnets; absent: no deployer. */
  readonly deployerHosts?: readonly string[];
}

export class EgressProxy extends pulumi.ComponentResource {
  readonly plan: EgressProxyPlan;
  /** On the proxy's NLB: what clients connect to, and so what app/data egress rules name. */
  readonly proxySecurityGroup: aws.ec2.SecurityGroup;
  /** On the Squid hosts: 3128 from the NLB only; out 443 anywhere and DNS to the VPC resolver. */
  readonly instanceSecurityGroup: aws.ec2.SecurityGroup;
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly autoScalingGroup: aws.autoscaling.Group;
  readonly launchTemplate: aws.ec2.LaunchTemplate;
  readonly role: aws.iam.Role;
  readonly exceptionsParameter: aws.ssm.Parameter;
  /** `proxy.<stack>.fitness.internal` */
  readonly proxyHost: pulumi.Output<string>;
  /** `http://proxy.<stack>.fitness.internal:3128`, for HTTP_PROXY and HTTPS_PROXY. */
  readonly proxyUrl: pulumi.Output<string>;
  /** For NO_PROXY: what clients reach without the proxy (VPC, endpoints, cluster, metadata). */
  readonly noProxy: string;

  constructor(name: string, args: EgressProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:dmz:EgressProxy", name, {}, opts);
    const { ctx, config, network } = args;
    const parent = { parent: this };
    const tags = (zone: Zone, thing: string) => ctx.tags({ component: PROXY_COMPONENT, zone }, ctx.name(PROXY_COMPONENT, thing));

    this.plan = planEgressProxy({
      stack: ctx.stack,
      region: ctx.region,
      egress: config,
      liveExceptions: args.liveExceptions,
      vpcCidr: network.plan.vpcCidr,
      zoneCidrs: zoneSubnetCidrs(network),
      ...(args.deployerHosts === undefined ? {} : { deployer: { cidrs: dmzSubnetCidrs(network), hosts: args.deployerHosts } }),
    });
    const plan = this.plan;
    this.noProxy = plan.noProxy.join(",");

    const securityGroup = (key: string, description: string) =>
      new aws.ec2.SecurityGroup(
        `${name}-${key}-sg`,
        { name: ctx.name(PROXY_COMPONENT, key), description, vpcId: network.vpc.id, revokeRulesOnDelete: true, tags: tags("dmz", key) },
        parent,
      );
    this.proxySecurityGroup = securityGroup("lb", "Egress proxy NLB: 3128 only from zones with a live exception");
    this.instanceSecurityGroup = securityGroup("hosts", "Egress proxy hosts: 3128 from their NLB; out HTTPS (sanctioned exit) and DNS");
    const groups: Record<ProxyGroup, pulumi.Input<string>> = {
      front: this.proxySecurityGroup.id,
      instance: this.instanceSecurityGroup.id,
      app: network.zoneSecurityGroups.app.id,
      data: network.zoneSecurityGroups.data.id,
    };
    for (const rule of plan.rules) this.rule(name, rule, groups, tags);

    this.exceptionsParameter = new aws.ssm.Parameter(
      `${name}-exceptions`,
      {
        name: `/${ctx.project}/${ctx.stack}${EXCEPTIONS_PARAMETER_SUFFIX}`,
        description: "Egress exceptions carried by this deploy (D6): read by reviewers and the EGR-01 policy",
        type: "String",
        tier: "Standard",
        // Not secret, and readable in snapshots and reviews: `value` would be stored encrypted.
        insecureValue: plan.exceptionsDocument,
        tags: tags("dmz", "exceptions"),
      },
      parent,
    );

    const ebsKeyArn = args.ebsKmsKeyArn ?? this.volumeKey(name, ctx, tags("dmz", "ebs"));

    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        permissionsBoundary: ctx.permissionsBoundary,
        name: ctx.name(PROXY_COMPONENT, "host", 64),
        description: "Egress proxy hosts: SSM sessions and shipping their access logs",
        assumeRolePolicy: JSON.stringify(EC2_TRUST),
        tags: tags("dmz", "host"),
      },
      parent,
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-ssm-core`,
      { role: this.role.name, policyArn: `arn:${partitionOf(ctx.region)}:iam::aws:policy/AmazonSSMManagedInstanceCore` },
      parent,
    );
    if (args.hostSessionPolicyArn !== undefined) {
      new aws.iam.RolePolicyAttachment(`${name}-ssm-sessions`, { role: this.role.name, policyArn: args.hostSessionPolicyArn }, parent);
    }
    new aws.iam.RolePolicy(
      `${name}-log-shipping`,
      {
        role: this.role.id,
        policy: pulumi
          .all([args.logs.bucketArn, args.logs.kmsKeyArn])
          .apply(([bucketArn, kmsKeyArn]) => JSON.stringify(logShippingPolicy({ bucketArn, kmsKeyArn, stack: ctx.stack, region: ctx.region }))),
      },
      parent,
    );
    const profile = new aws.iam.InstanceProfile(`${name}-profile`, { name: ctx.name(PROXY_COMPONENT, "host", 128), role: this.role.name, tags: tags("dmz", "host") }, parent);

    const userData = pulumi
      .all([args.logs.bucket, args.logs.kmsKeyArn])
      .apply(([bucket, kmsKeyArn]) => Buffer.from(plan.userData({ bucket, kmsKeyArn }), "utf8").toString("base64"));
    this.launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-lt`,
      {
        name: ctx.name(PROXY_COMPONENT, "host", maxNameLength("aws:ec2/launchTemplate:LaunchTemplate")),
        description: "Squid egress proxy host",
        imageId: config.proxy.amiId,
        instanceType: config.proxy.instanceType,
        iamInstanceProfile: { arn: profile.arn },
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
        // The proxy is the only thing in the DMZ that talks out itself: it needs a public address.
        networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "true", deleteOnTermination: "true", securityGroups: [this.instanceSecurityGroup.id] }],
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: { encrypted: "true", kmsKeyId: ebsKeyArn, volumeSize: config.proxy.rootVolumeGiB, volumeType: "gp3", deleteOnTermination: "true" },
          },
        ],
        monitoring: { enabled: true },
        userData,
        updateDefaultVersion: true,
        tagSpecifications: (["instance", "volume", "network-interface"] as const).map((resourceType) => ({ resourceType, tags: tags("dmz", "host") })),
        tags: tags("dmz", "host"),
      },
      parent,
    );

    this.loadBalancer = new aws.lb.LoadBalancer(
      `${name}-nlb`,
      {
        name: ctx.name(PROXY_COMPONENT, "nlb", 32),
        loadBalancerType: "network",
        internal: true,
        ipAddressType: "ipv4",
        subnets: network.subnets.dmz.map((s) => s.id),
        securityGroups: [this.proxySecurityGroup.id],
        // One host may serve every AZ's clients.
        enableCrossZoneLoadBalancing: true,
        enableDeletionProtection: ctx.isProd,
        tags: tags("dmz", "nlb"),
      },
      parent,
    );
    const targetGroup = new aws.lb.TargetGroup(
      `${name}-hosts`,
      {
        name: ctx.name(PROXY_COMPONENT, "hosts", 32),
        vpcId: network.vpc.id,
        targetType: "instance",
        port: PROXY_PORT,
        protocol: "TCP",
        // Squid's source ACLs need the client's own address.
        preserveClientIp: "true",
        deregistrationDelay: 30,
        healthCheck: { enabled: true, protocol: "TCP", port: "traffic-port", interval: 10, healthyThreshold: 2, unhealthyThreshold: 2 },
        tags: tags("dmz", "hosts"),
      },
      parent,
    );
    new aws.lb.Listener(
      `${name}-listener`,
      {
        loadBalancerArn: this.loadBalancer.arn,
        port: PROXY_PORT,
        protocol: "TCP",
        defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
        tags: tags("dmz", "listener"),
      },
      parent,
    );

    const groupTags = tags("dmz", "hosts");
    this.autoScalingGroup = new aws.autoscaling.Group(
      `${name}-asg`,
      {
        name: ctx.name(PROXY_COMPONENT, "hosts"),
        vpcZoneIdentifiers: network.subnets.dmz.map((s) => s.id),
        minSize: plan.capacity.minSize,
        maxSize: plan.capacity.maxSize,
        desiredCapacity: plan.capacity.desiredCapacity,
        launchTemplate: { id: this.launchTemplate.id, version: this.launchTemplate.latestVersion.apply(String) },
        targetGroupArns: [targetGroup.arn],
        healthCheckType: "ELB",
        healthCheckGracePeriod: 180,
        // New exceptions mean new user-data: hosts are replaced one by one.
        instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 50 } },
        tags: Object.entries(groupTags).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
      },
      parent,
    );

    this.proxyHost = pulumi.output(network.privateZone.name).apply((zone) => `proxy.${zone}`);
    new aws.route53.Record(
      `${name}-dns`,
      {
        zoneId: network.privateZone.zoneId,
        name: this.proxyHost,
        type: "A",
        aliases: [{ name: this.loadBalancer.dnsName, zoneId: this.loadBalancer.zoneId, evaluateTargetHealth: false }],
      },
      parent,
    );
    this.proxyUrl = pulumi.interpolate`http://${this.proxyHost}:${PROXY_PORT}`;

    this.registerOutputs({
      proxyUrl: this.proxyUrl,
      noProxy: this.noProxy,
      desiredCapacity: plan.capacity.desiredCapacity,
      zones: plan.zones,
      proxySecurityGroupId: this.proxySecurityGroup.id,
      exceptionsParameter: this.exceptionsParameter.name,
    });
  }

  private rule(
    name: string,
    rule: ProxyRule,
    groups: Record<ProxyGroup, pulumi.Input<string>>,
    tags: (zone: Zone, thing: string) => Record<string, string>,
  ): void {
    const zone: Zone = rule.group === "app" || rule.group === "data" ? rule.group : "dmz";
    const common = {
      securityGroupId: groups[rule.group],
      description: rule.description,
      ipProtocol: rule.protocol,
      fromPort: rule.port,
      toPort: rule.port,
      ...("cidr" in rule.peer ? { cidrIpv4: rule.peer.cidr } : { referencedSecurityGroupId: groups[rule.peer.group] }),
      tags: tags(zone, rule.key),
    };
    if (rule.direction === "ingress") new aws.vpc.SecurityGroupIngressRule(`${name}-${rule.key}`, common, { parent: this });
    else new aws.vpc.SecurityGroupEgressRule(`${name}-${rule.key}`, common, { parent: this });
  }

  /** The hosts' own volume key (EC2-03: a customer-managed key), usable by Auto Scaling. */
  private volumeKey(name: string, ctx: PlatformContext, tags: Record<string, string>): pulumi.Output<string> {
    const policy = pulumi
      .all([ctx.accountId, ctx.serviceLinkedRoleArn(AUTO_SCALING)])
      .apply(([accountId, autoScalingRoleArn]) => JSON.stringify(volumeKeyPolicy({ accountId, partition: partitionOf(ctx.region), autoScalingRoleArn })));
    const key = customerManagedKey(
      { key: `${name}-ebs-key`, alias: `${name}-ebs-key-alias` },
      { description: `EBS volumes of the ${ctx.stack} egress proxy hosts`, policy, tags, alias: `alias/${ctx.name(PROXY_COMPONENT, "ebs")}` },
      { parent: this },
    );
    return key.arn;
  }
}
