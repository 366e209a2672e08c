/**
 * The VPC of a stack and its three zones (D6): dmz (public: edge ALB, egress proxy), app (EKS nodes,
 * pods and the interface endpoints) and data (database hosts). Only dmz routes to the internet; app
 * and data reach AWS through endpoints. Everything here is registered from the pure plans beside it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkConfig } from "../config/sections/network";
import type { PlatformContext } from "../conventions/context";
import type { Zone } from "../conventions/tags";
import {
  INTERFACE_ENDPOINTS,
  type InterfaceEndpointSpec,
  SMTP_SUBMISSION_PORT,
  endpointKey,
  endpointServiceName,
  interfaceEndpointPolicy,
  type PerimeterScope,
  s3GatewayEndpointPolicy,
} from "./endpoint-plan";
import { planFlowLog } from "./flow-log-plan";
import { ANYWHERE, HTTPS_PORT, type NaclPlan, planNetworkAcls } from "./nacl-plan";
import { NETWORK_ZONES, type NetworkZone, type SubnetPlan, planSubnets, subnetsOf } from "./subnet-plan";

export interface NetworkArgs {
  readonly ctx: PlatformContext;
  readonly config: NetworkConfig;
  /** The log archive bucket (LogArchive.appLogsBucket.arn); flow logs go under `flow-logs/`. */
  readonly flowLogBucketArn: pulumi.Input<string>;
  /** The in-cluster ingress gateway's port: the only port the dmz may open towards app. */
  readonly ingressGatewayPort: number;
  /** What must exist before flow logs are delivered (the archive's bucket policy): pass the LogArchive. */
  readonly flowLogDependsOn?: pulumi.Input<pulumi.Resource>[];
  /** S3 buckets serving package mirrors to hosts (read-only, anonymous through the gateway endpoint). */
  readonly mirrorBuckets?: readonly string[];
}

const COMPONENT = "network";

/** The design's private DNS domain of a stack: `<stack>.fitness.internal`. */
export function privateDomain(stack: string): string {
  return `${stack}.fitness.internal`;
}

export class Network extends pulumi.ComponentResource {
  readonly plan: SubnetPlan;
  readonly naclPlan: NaclPlan;
  readonly vpc: aws.ec2.Vpc;
  readonly internetGateway: aws.ec2.InternetGateway;
  readonly subnets: Readonly<Record<NetworkZone, aws.ec2.Subnet[]>>;
  readonly routeTables: Readonly<Record<NetworkZone, aws.ec2.RouteTable>>;
  readonly networkAcls: Readonly<Record<NetworkZone, aws.ec2.NetworkAcl>>;
  /** app: EKS nodes and pods; data: database hosts. No inline rules: owners of flows add rule resources. */
  readonly zoneSecurityGroups: { readonly app: aws.ec2.SecurityGroup; readonly data: aws.ec2.SecurityGroup };
  /** On every HTTPS interface endpoint: 443 from the VPC block only. */
  readonly endpointSecurityGroup: aws.ec2.SecurityGroup;
  /** On the SES SMTP endpoint: 587 from the app zone only. */
  readonly smtpEndpointSecurityGroup: aws.ec2.SecurityGroup;
  readonly s3Endpoint: aws.ec2.VpcEndpoint;
  /** The S3 prefix list of the gateway endpoint, for SG egress rules to S3. */
  readonly s3PrefixListId: pulumi.Output<string>;
  readonly interfaceEndpoints: Readonly<Record<string, aws.ec2.VpcEndpoint>>;
  readonly privateZone: aws.route53.Zone;
  readonly flowLog: aws.ec2.FlowLog;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:network:Network", name, {}, opts);
    const { ctx, config } = args;
    const parent = { parent: this };
    const tags = (zone: Zone, thing?: string) => ctx.tags({ component: COMPONENT, zone }, thing === undefined ? undefined : ctx.name(COMPONENT, thing));

    this.plan = planSubnets({ vpcCidr: config.vpcCidr, availabilityZones: config.availabilityZones });
    this.naclPlan = planNetworkAcls(this.plan, { ingressGatewayPort: args.ingressGatewayPort });

    this.vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock: config.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true, instanceTenancy: "default", tags: tags("global", "vpc") },
      parent,
    );
    const vpcId = this.vpc.id;

    // The defaults AWS creates with every VPC are taken over and emptied (NET-06, FSBP EC2.2).
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId, ingress: [], egress: [], tags: tags("global", "default") }, parent);
    new aws.ec2.DefaultNetworkAcl(
      `${name}-default-acl`,
      { defaultNetworkAclId: this.vpc.defaultNetworkAclId, ingress: [], egress: [], tags: tags("global", "default") },
      parent,
    );
    new aws.ec2.DefaultRouteTable(`${name}-default-rt`, { defaultRouteTableId: this.vpc.defaultRouteTableId, routes: [], tags: tags("global", "default") }, parent);

    this.internetGateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId, tags: tags("dmz", "igw") }, parent);

    const subnets = {} as Record<NetworkZone, aws.ec2.Subnet[]>;
    const routeTables = {} as Record<NetworkZone, aws.ec2.RouteTable>;
    const networkAcls = {} as Record<NetworkZone, aws.ec2.NetworkAcl>;
    for (const zone of NETWORK_ZONES) {
      const planned = subnetsOf(this.plan, zone);
      routeTables[zone] = new aws.ec2.RouteTable(`${name}-rt-${zone}`, { vpcId, tags: tags(zone, `${zone}-routes`) }, parent);
      subnets[zone] = planned.map((s) => {
        const subnet = new aws.ec2.Subnet(
          `${name}-subnet-${s.key}`,
          {
            vpcId,
            cidrBlock: s.cidr,
            availabilityZone: s.az,
            // Nothing gets a public address by default, not even in the dmz: the proxy asks for one.
            mapPublicIpOnLaunch: false,
            assignIpv6AddressOnCreation: false,
            tags: tags(zone, s.key),
          },
          parent,
        );
        new aws.ec2.RouteTableAssociation(`${name}-rta-${s.key}`, { subnetId: subnet.id, routeTableId: routeTables[zone].id }, parent);
        return subnet;
      });

      networkAcls[zone] = new aws.ec2.NetworkAcl(
        `${name}-acl-${zone}`,
        { vpcId, subnetIds: subnets[zone].map((s) => s.id), tags: tags(zone, `${zone}-acl`) },
        parent,
      );
      for (const rule of this.naclPlan.rules[zone] ?? []) {
        new aws.ec2.NetworkAclRule(
          `${name}-acl-${zone}-${rule.egress ? "out" : "in"}-${rule.ruleNumber}`,
          {
            networkAclId: networkAcls[zone].id,
            ruleNumber: rule.ruleNumber,
            egress: rule.egress,
            protocol: rule.protocol,
            ruleAction: rule.action,
            cidrBlock: rule.cidrBlock,
            fromPort: rule.fromPort,
            toPort: rule.toPort,
          },
          parent,
        );
      }
    }
    this.subnets = subnets;
    this.routeTables = routeTables;
    this.networkAcls = networkAcls;

    // The only default route in the VPC: dmz to the internet gateway. app and data have none (NET-01).
    new aws.ec2.Route(`${name}-rt-dmz-internet`, { routeTableId: routeTables.dmz.id, destinationCidrBlock: ANYWHERE, gatewayId: this.internetGateway.id }, parent);

    const zoneSg = (zone: "app" | "data", description: string) =>
      new aws.ec2.SecurityGroup(
        `${name}-sg-${zone}`,
        { name: ctx.name(COMPONENT, zone), description, vpcId, revokeRulesOnDelete: true, tags: tags(zone, zone) },
        parent,
      );
    this.zoneSecurityGroups = {
      app: zoneSg("app", "App zone: EKS nodes and pods; rules are added by the owner of each flow"),
      data: zoneSg("data", "Data zone: database hosts; rules are added by the owner of each flow"),
    };
    this.endpointSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg-endpoints`,
      { name: ctx.name(COMPONENT, "endpoints"), description: "Interface VPC endpoints: HTTPS from the VPC only", vpcId, revokeRulesOnDelete: true, tags: tags("app", "endpoints") },
      parent,
    );
    this.smtpEndpointSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg-smtp-endpoint`,
      { name: ctx.name(COMPONENT, "smtp-endpoint"), description: "SES SMTP endpoint: submission from the app zone only", vpcId, revokeRulesOnDelete: true, tags: tags("app", "smtp-endpoint") },
      parent,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-sg-endpoints-in-https`,
      {
        securityGroupId: this.endpointSecurityGroup.id,
        description: "HTTPS from anywhere in the VPC",
        ipProtocol: "tcp",
        fromPort: HTTPS_PORT,
        toPort: HTTPS_PORT,
        cidrIpv4: config.vpcCidr,
        tags: tags("app", "endpoints-in-https"),
      },
      parent,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-sg-smtp-endpoint-in-app`,
      {
        securityGroupId: this.smtpEndpointSecurityGroup.id,
        description: "SMTP submission from the app zone",
        ipProtocol: "tcp",
        fromPort: SMTP_SUBMISSION_PORT,
        toPort: SMTP_SUBMISSION_PORT,
        referencedSecurityGroupId: this.zoneSecurityGroups.app.id,
        tags: tags("app", "smtp-endpoint-in-app"),
      },
      parent,
    );

    const perimeter = ctx.accountId.apply((accountId) => ({ accountId, region: ctx.region, mirrorBuckets: args.mirrorBuckets }));

    this.s3Endpoint = new aws.ec2.VpcEndpoint(
      `${name}-vpce-s3`,
      {
        vpcId,
        serviceName: endpointServiceName(ctx.region, "s3"),
        vpcEndpointType: "Gateway",
        routeTableIds: [routeTables.app.id, routeTables.data.id],
        policy: perimeter.apply((scope) => JSON.stringify(s3GatewayEndpointPolicy(scope))),
        tags: tags("global", "s3"),
      },
      parent,
    );
    this.s3PrefixListId = this.s3Endpoint.prefixListId;

    const appSubnetIds = subnets.app.map((s) => s.id);
    const interfaceEndpoints: Record<string, aws.ec2.VpcEndpoint> = {};
    for (const spec of INTERFACE_ENDPOINTS) {
      interfaceEndpoints[spec.service] = this.interfaceEndpoint(name, spec, { region: ctx.region, vpcId, appSubnetIds, perimeter, tags });
    }
    this.interfaceEndpoints = interfaceEndpoints;

    // app and data reach the endpoints and S3, nothing else outside the VPC (NET-05).
    for (const zone of ["app", "data"] as const) {
      const sg = this.zoneSecurityGroups[zone];
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-sg-${zone}-out-endpoints`,
        {
          securityGroupId: sg.id,
          description: "HTTPS to the interface endpoints",
          ipProtocol: "tcp",
          fromPort: HTTPS_PORT,
          toPort: HTTPS_PORT,
          referencedSecurityGroupId: this.endpointSecurityGroup.id,
          tags: tags(zone, `${zone}-out-endpoints`),
        },
        parent,
      );
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-sg-${zone}-out-s3`,
        {
          securityGroupId: sg.id,
          description: "HTTPS to S3 through the gateway endpoint",
          ipProtocol: "tcp",
          fromPort: HTTPS_PORT,
          toPort: HTTPS_PORT,
          prefixListId: this.s3PrefixListId,
          tags: tags(zone, `${zone}-out-s3`),
        },
        parent,
      );
    }
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-sg-app-out-smtp`,
      {
        securityGroupId: this.zoneSecurityGroups.app.id,
        description: "SMTP submission to the SES endpoint",
        ipProtocol: "tcp",
        fromPort: SMTP_SUBMISSION_PORT,
        toPort: SMTP_SUBMISSION_PORT,
        referencedSecurityGroupId: this.smtpEndpointSecurityGroup.id,
        tags: tags("app", "app-out-smtp"),
      },
      parent,
    );

    this.privateZone = new aws.route53.Zone(
      `${name}-private-zone`,
      {
        name: privateDomain(ctx.stack),
        comment: `Internal names of the ${ctx.stack} stack (database hosts, egress proxy)`,
        vpcs: [{ vpcId, vpcRegion: ctx.region }],
        tags: tags("global", "private-zone"),
      },
      parent,
    );

    const flowLog = pulumi.output(args.flowLogBucketArn).apply((arn) => planFlowLog(arn, config.flowLogAggregationSeconds));
    this.flowLog = new aws.ec2.FlowLog(
      `${name}-flow-log`,
      {
        vpcId,
        trafficType: flowLog.trafficType,
        logDestinationType: flowLog.logDestinationType,
        logDestination: flowLog.logDestination,
        logFormat: flowLog.logFormat,
        maxAggregationInterval: flowLog.maxAggregationInterval,
        destinationOptions: flowLog.destinationOptions,
        tags: tags("global", "flow-log"),
      },
      { parent: this, ...(args.flowLogDependsOn === undefined ? {} : { dependsOn: args.flowLogDependsOn }) },
    );

    this.registerOutputs({
      vpcId: this.vpc.id,
      subnetIds: this.subnetIds(),
      privateZoneId: this.privateZone.zoneId,
      s3PrefixListId: this.s3PrefixListId,
    });
  }

  /** Subnet ids per zone, for stack outputs and for components placing resources in a zone. */
  subnetIds(): Record<NetworkZone, pulumi.Output<string>[]> {
    return {
      dmz: this.subnets.dmz.map((s) => s.id),
      app: this.subnets.app.map((s) => s.id),
      data: this.subnets.data.map((s) => s.id),
    };
  }

  private interfaceEndpoint(
    name: string,
    spec: InterfaceEndpointSpec,
    env: {
      region: string;
      vpcId: pulumi.Output<string>;
      appSubnetIds: pulumi.Output<string>[];
      perimeter: pulumi.Output<PerimeterScope>;
      tags: (zone: Zone, thing?: string) => Record<string, string>;
    },
  ): aws.ec2.VpcEndpoint {
    const key = endpointKey(spec.service);
    const securityGroup = spec.port === SMTP_SUBMISSION_PORT ? this.smtpEndpointSecurityGroup : this.endpointSecurityGroup;
    const policy = spec.policy === "none" ? undefined : env.perimeter.apply((scope) => JSON.stringify(interfaceEndpointPolicy(spec, scope)));
    return new aws.ec2.VpcEndpoint(
      `${name}-vpce-${key}`,
      {
        vpcId: env.vpcId,
        serviceName: endpointServiceName(env.region, spec.service),
        vpcEndpointType: "Interface",
        subnetIds: env.appSubnetIds,
        securityGroupIds: [securityGroup.id],
        privateDnsEnabled: true,
        ...(policy === undefined ? {} : { policy }),
        tags: env.tags("app", `vpce-${key}`),
      },
      { parent: this },
    );
  }
}
