import { PROXY_LOG_PREFIX } from "./squid/log-shipping";

/** IAM and key policy documents of the egress proxy hosts, as pure data. */
type Statement = Record<string, unknown>;
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: Statement[];
}

export const EC2_TRUST: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
};

/**
 * The hosts may add access logs under their own stack's `proxy/` prefix, and nothing else in the
 * archive; the logs key only through S3. (PutObject only: multipart uploads would need kms:Decrypt.)
 */
export function logShippingPolicy(args: { bucketArn: string; kmsKeyArn: string; stack: string; region: string }): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ShipAccessLogs", Effect: "Allow", Action: "s3:PutObject", Resource: `${args.bucketArn}/${PROXY_LOG_PREFIX}/${args.stack}/*` },
      {
        Sid: "EncryptAccessLogs",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Encrypt"],
        Resource: args.kmsKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `s3.${args.region}.amazonaws.com` } },
      },
    ],
  };
}

/**
 * The hosts' volume key. Auto Scaling launches the hosts, so its service-linked role must be able to
 * use the key (and grant it to EC2), or every launch fails on the encrypted volume.
 */
export function volumeKeyPolicy(args: { accountId: string; partition: string }): PolicyDocument {
  const autoScaling = `arn:${args.partition}:iam::${args.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:${args.partition}:iam::${args.accountId}:root` }, Action: "kms:*", Resource: "*" },
      {
        Sid: "AutoScalingUsesForVolumes",
        Effect: "Allow",
        Principal: { AWS: autoScaling },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        Resource: "*",
      },
      {
        Sid: "AutoScalingGrantsToEc2",
        Effect: "Allow",
        Principal: { AWS: autoScaling },
        Action: "kms:CreateGrant",
        Resource: "*",
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
      },
    ],
  };
}
