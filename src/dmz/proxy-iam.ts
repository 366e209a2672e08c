import { accountRootAdministration, autoScalingVolumeKeyUse, type PolicyDocument, policyDocument, serviceTrust } from "../conventions/iam-policy";
import { PROXY_LOG_PREFIX } from "./squid/log-shipping";

/** IAM and key policy documents of the egress proxy hosts, as pure data. */
export const EC2_TRUST: PolicyDocument = serviceTrust("ec2.amazonaws.com");

/**
 * The hosts may add access logs under their own stack's `proxy/` prefix, and nothing else in the
 * archive; the logs key only through S3. (PutObject only: multipart uploads would need kms:Decrypt.)
 */
export function logShippingPolicy(args: { bucketArn: string; kmsKeyArn: string; stack: string; region: string }): PolicyDocument {
  return policyDocument([
    { Sid: "ShipAccessLogs", Effect: "Allow", Action: "s3:PutObject", Resource: `${args.bucketArn}/${PROXY_LOG_PREFIX}/${args.stack}/*` },
    {
      Sid: "EncryptAccessLogs",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Encrypt"],
      Resource: args.kmsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${args.region}.amazonaws.com` } },
    },
  ]);
}

/**
 * The hosts' volume key. Auto Scaling launches the hosts, so its service-linked role must be able to
 * use the key (and grant it to EC2), or every launch fails on the encrypted volume.
 */
export function volumeKeyPolicy(args: { accountId: string; partition: string; autoScalingRoleArn: string }): PolicyDocument {
  return policyDocument([
    accountRootAdministration(args.partition, args.accountId, "AccountAdministers"),
    ...autoScalingVolumeKeyUse({ autoScalingRoleArn: args.autoScalingRoleArn, useSid: "AutoScalingUsesForVolumes", grantSid: "AutoScalingGrantsToEc2", grantIsForAwsResource: "true" }),
  ]);
}
