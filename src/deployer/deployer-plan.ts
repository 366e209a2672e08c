/**
 * The deployer as data: an AWS CodeBuild project that acts as a GitHub Actions runner inside the VPC
 * (AWS CodeBuild user guide, "Self-hosted GitHub Actions runners in AWS CodeBuild": a webhook on
 * WORKFLOW_JOB_QUEUED, and jobs with `runs-on: codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}`).
 * It sits in the DMZ subnets, where D6 lets external connections live. A VPC build gets no public
 * address ("choose a private subnet with NAT"; CodeBuild user guide, "Use CodeBuild with Amazon VPC"),
 * so it reaches GitHub through the egress proxy (HTTPS_PROXY) and AWS through the VPC endpoints.
 */
import { type PolicyDocument, policyDocument } from "../conventions/iam-policy";

/** The EKS API and the interface endpoints listen on 443; the egress proxy on its port. */
export const HTTPS = 443;

/** The `runs-on` label of a workflow job for this deployer. */
export const runnerLabel = (projectName: string) => `codebuild-${projectName}-\${{ github.run_id }}-\${{ github.run_attempt }}`;

/** CodeBuild's service role: only what a VPC build and its logs need (the deploy itself assumes the CI deploy role). */
export function deployerRolePolicy(args: {
  partition: string;
  region: string;
  accountId: string;
  logGroupArn: string;
  subnetArns: readonly string[];
  connectionArn: string;
}): PolicyDocument {
  return policyDocument([
    { Sid: "WriteBuildLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${args.logGroupArn}:*` },
    {
      Sid: "DescribeForVpcBuilds",
      Effect: "Allow",
      Action: ["ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"],
      Resource: "*",
    },
    {
      Sid: "BuildNetworkInterfaces",
      Effect: "Allow",
      Action: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"],
      Resource: `arn:${args.partition}:ec2:${args.region}:${args.accountId}:*/*`,
    },
    {
      Sid: "AttachOnlyInDeployerSubnets",
      Effect: "Allow",
      Action: "ec2:CreateNetworkInterfacePermission",
      Resource: `arn:${args.partition}:ec2:${args.region}:${args.accountId}:network-interface/*`,
      Condition: { StringEquals: { "ec2:AuthorizedService": "codebuild.amazonaws.com" }, ArnEquals: { "ec2:Subnet": args.subnetArns } },
    },
    { Sid: "UseGitHubConnection", Effect: "Allow", Action: ["codeconnections:UseConnection", "codeconnections:GetConnectionToken", "codestar-connections:UseConnection"], Resource: args.connectionArn },
  ]);
}

export function codeBuildTrust(accountId: string): PolicyDocument {
  return policyDocument([
    { Sid: "CodeBuildOfThisAccount", Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": accountId } } },
  ]);
}
