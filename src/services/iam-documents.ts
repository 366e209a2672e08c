/**
 * IAM and key policy documents of the cluster and its workloads, as pure data (IAM-01: no wildcard
 * resource on a write action; each pod identity only what its service needs).
 */
import {
  accountRootAdministration,
  autoScalingVolumeKeyUse,
  type PolicyDocument,
  policyDocument as doc,
  type PolicyStatement as Statement,
} from "../conventions/iam-policy";

export { serviceTrust } from "../conventions/iam-policy";
export type { Statement };

export const clusterArn = (partition: string, region: string, accountId: string, clusterName: string) =>
  `arn:${partition}:eks:${region}:${accountId}:cluster/${clusterName}`;

/** Only the Pod Identity agent of this account's cluster may assume a pod role (and tag the session). */
export function podIdentityTrust(args: { partition: string; region: string; accountId: string; clusterName: string }): PolicyDocument {
  return doc([
    {
      Sid: "EksPodIdentityOfThisCluster",
      Effect: "Allow",
      Principal: { Service: "pods.eks.amazonaws.com" },
      Action: ["sts:AssumeRole", "sts:TagSession"],
      Condition: {
        StringEquals: { "aws:SourceAccount": args.accountId },
        ArnEquals: { "aws:SourceArn": clusterArn(args.partition, args.region, args.accountId, args.clusterName) },
      },
    },
  ]);
}

/**
 * The cluster key: Kubernetes secrets (envelope encryption), node root volumes and ECR repositories.
 * Auto Scaling launches the nodes, so its service-linked role must use the key and grant it to EC2.
 */
export function clusterKeyPolicy(args: { partition: string; accountId: string; autoScalingRoleArn: string }): PolicyDocument {
  return doc([
    accountRootAdministration(args.partition, args.accountId, "AccountAdministers"),
    ...autoScalingVolumeKeyUse({ autoScalingRoleArn: args.autoScalingRoleArn, useSid: "AutoScalingUsesForNodeVolumes", grantSid: "AutoScalingGrantsToEc2", grantIsForAwsResource: "true" }),
  ]);
}

/** The control plane encrypts and decrypts Kubernetes secrets with the cluster key. */
export function clusterSecretsEncryption(keyArn: string): PolicyDocument {
  return doc([
    { Sid: "EnvelopeEncryption", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:ListGrants"], Resource: keyArn },
    { Sid: "GrantForEks", Effect: "Allow", Action: "kms:CreateGrant", Resource: keyArn, Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } } },
  ]);
}

/** A service reads its own database credentials (and only those), decrypting through Secrets Manager. */
export function databaseSecretStatements(args: { secretArn: string; keyArn: string; region: string }): Statement[] {
  return [
    { Sid: "ReadOwnDatabaseSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: args.secretArn },
    {
      Sid: "DecryptOwnDatabaseSecret",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: args.keyArn,
      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${args.region}.amazonaws.com` } },
    },
  ];
}

/**
 * The Load Balancer Controller, used only for TargetGroupBinding: read ELB/EC2 state, and register and
 * deregister targets of the edge's target group, nothing else.
 */
export function lbControllerPermissions(targetGroupArn: string): PolicyDocument {
  return doc([
    {
      Sid: "ReadLoadBalancingState",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "ec2:DescribeAvailabilityZones",
      ],
      Resource: "*",
    },
    {
      Sid: "RegisterGatewayPods",
      Effect: "Allow",
      Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
      Resource: targetGroupArn,
    },
  ]);
}

export const combine = (statements: readonly Statement[]): PolicyDocument => doc([...statements]);
