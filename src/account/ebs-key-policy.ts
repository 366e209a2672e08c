import { PARTITION, policyDocument, type PolicyDocument } from "../logs/policy-document";

/**
 * Key policy of the account's default EBS key. Besides the account root, the service-linked roles that
 * launch instances on our behalf (EC2 Auto Scaling for the proxy group and EKS managed node groups)
 * must be able to use the key, or encrypted-by-default volumes fail to attach. No wildcard principal.
 */
export function ebsDefaultKeyPolicy(accountId: string): PolicyDocument {
  const autoscaling = `arn:${PARTITION}:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
  return policyDocument([
    {
      Sid: "AccountAdministration",
      Effect: "Allow",
      Principal: { AWS: `arn:${PARTITION}:iam::${accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "AutoScalingUseOfTheKey",
      Effect: "Allow",
      Principal: { AWS: autoscaling },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: "*",
    },
    {
      Sid: "AutoScalingGrantsForAttachedVolumes",
      Effect: "Allow",
      Principal: { AWS: autoscaling },
      Action: "kms:CreateGrant",
      Resource: "*",
      Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
    },
  ]);
}
