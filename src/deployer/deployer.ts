import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DeployConfig } from "../config/sections/deploy";
import { partitionOf } from "../conventions/arn";
import type { PlatformContext } from "../conventions/context";
import { encryptedLogGroup } from "../logs/log-group";
import { codeBuildTrust, deployerRolePolicy, HTTPS, runnerLabel } from "./deployer-plan";

const COMPONENT = "deployer";

export interface DeployerArgs {
  readonly ctx: PlatformContext;
  readonly config: DeployConfig["deployer"];
  readonly vpcId: pulumi.Input<string>;
  readonly vpcCidr: string;
  readonly dmzSubnets: ReadonlyArray<{ readonly id: pulumi.Input<string>; readonly arn: pulumi.Input<string> }>;
  /** The EKS control plane's security group (its ENIs listen on 443). */
  readonly clusterSecurityGroupId: pulumi.Input<string>;
  /** The egress proxy: its URL, NO_PROXY, port and the security group of its load balancer. */
  readonly proxy: { readonly url: pulumi.Input<string>; readonly noProxy: string; readonly port: number; readonly securityGroupId: pulumi.Input<string> };
  readonly logs: { readonly keyArn: pulumi.Input<string>; readonly retentionInDays: number };
}

/**
 * The in-VPC deployer (§7): the only place the in-cluster part is applied from. A security group of its
 * own, admitted to the EKS API on 443 by a rule of its own; a CodeBuild project in the DMZ subnets that
 * registers as a GitHub Actions runner for each queued job and is gone when the job ends.
 */
export class Deployer extends pulumi.ComponentResource {
  readonly projectName: string;
  readonly securityGroup: aws.ec2.SecurityGroup;
  readonly runsOn: string;

  constructor(name: string, args: DeployerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:deployer:Deployer", name, {}, opts);
    const { ctx, config } = args;
    const parent = { parent: this };
    const tags = (thing?: string) => ctx.tags({ component: COMPONENT, zone: "dmz" }, thing === undefined ? undefined : ctx.name(COMPONENT, thing));
    this.projectName = ctx.name(COMPONENT, "runner");
    this.runsOn = runnerLabel(this.projectName);

    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { name: ctx.name(COMPONENT, "sg"), description: "The in-VPC deployer: out to the EKS API, the endpoints and the egress proxy only", vpcId: args.vpcId, tags: tags("sg") },
      parent,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-to-vpc-https`,
      { securityGroupId: this.securityGroup.id, cidrIpv4: args.vpcCidr, ipProtocol: "tcp", fromPort: HTTPS, toPort: HTTPS, description: "EKS API and interface endpoints", tags: tags("to-vpc-https") },
      parent,
    );
    // GitHub through the egress proxy: out to its load balancer only, and admitted there by a rule of its
    // own (Squid then holds the DMZ subnets to the deployer's allowlist, src/deployer/egress-allowlist.ts).
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-to-proxy`,
      {
        securityGroupId: this.securityGroup.id,
        referencedSecurityGroupId: args.proxy.securityGroupId,
        ipProtocol: "tcp",
        fromPort: args.proxy.port,
        toPort: args.proxy.port,
        description: "GitHub through the egress proxy",
        tags: tags("to-proxy"),
      },
      parent,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-proxy-from-deployer`,
      {
        securityGroupId: args.proxy.securityGroupId,
        referencedSecurityGroupId: this.securityGroup.id,
        ipProtocol: "tcp",
        fromPort: args.proxy.port,
        toPort: args.proxy.port,
        description: "egress proxy from the in-VPC deployer (its fixed allowlist)",
        tags: tags("proxy-from-deployer"),
      },
      parent,
    );
    // The rule of its own on the control plane's group: only this group, only 443.
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-to-eks-api`,
      {
        securityGroupId: args.clusterSecurityGroupId,
        referencedSecurityGroupId: this.securityGroup.id,
        ipProtocol: "tcp",
        fromPort: HTTPS,
        toPort: HTTPS,
        description: "The in-VPC deployer to the EKS API",
        tags: tags("to-eks-api"),
      },
      parent,
    );

    const logGroupName = `/aws/codebuild/${this.projectName}`;
    const logGroup = encryptedLogGroup(`${name}-logs`, { ctx, component: COMPONENT, zone: "dmz", logGroupName, retentionInDays: args.logs.retentionInDays, kmsKeyArn: args.logs.keyArn }, parent);
    const role = new aws.iam.Role(
      `${name}-role`,
      { permissionsBoundary: ctx.permissionsBoundary, name: ctx.name(COMPONENT, "codebuild", 64), description: "CodeBuild service role of the in-VPC deployer", assumeRolePolicy: JSON.stringify(codeBuildTrust(ctx.account)), tags: tags() },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-role-policy`,
      {
        role: role.name,
        policy: pulumi
          .all([logGroup.arn, pulumi.all(args.dmzSubnets.map((s) => s.arn))])
          .apply(([logGroupArn, subnetArns]) =>
            JSON.stringify(deployerRolePolicy({ partition: partitionOf(ctx.region), region: ctx.region, accountId: ctx.account, logGroupArn, subnetArns, connectionArn: config.connectionArn })),
          ),
      },
      parent,
    );

    const project = new aws.codebuild.Project(
      `${name}-project`,
      {
        name: this.projectName,
        description: `GitHub Actions runner for the deploy jobs of ${ctx.stack}, inside the VPC`,
        serviceRole: role.arn,
        artifacts: { type: "NO_ARTIFACTS" },
        buildTimeout: 120,
        environment: {
          type: "LINUX_CONTAINER",
          computeType: config.computeType,
          image: "aws/codebuild/amazonlinux-x86_64-standard:5.0",
          environmentVariables: [
            { name: "HTTPS_PROXY", value: args.proxy.url },
            { name: "HTTP_PROXY", value: args.proxy.url },
            { name: "NO_PROXY", value: args.proxy.noProxy },
          ],
        },
        source: { type: "GITHUB", location: `https://github.com/${config.githubRepository}.git`, auth: { type: "CODECONNECTIONS", resource: config.connectionArn } },
        vpcConfig: { vpcId: args.vpcId, subnets: args.dmzSubnets.map((s) => s.id), securityGroupIds: [this.securityGroup.id] },
        logsConfig: { cloudwatchLogs: { groupName: logGroupName, status: "ENABLED" } },
        tags: tags("runner"),
      },
      { parent: this, dependsOn: [logGroup] },
    );
    new aws.codebuild.Webhook(`${name}-webhook`, { projectName: project.name, buildType: "BUILD", filterGroups: [{ filters: [{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }] }] }, parent);
    this.registerOutputs({ projectName: this.projectName, runsOn: this.runsOn });
  }
}
