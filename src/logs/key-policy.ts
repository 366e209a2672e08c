/**
 * Key policy of the logs key. The account root keeps administration (so IAM policies of this account,
 * such as Fluent Bit's, can be granted use); the AWS services that encrypt logs with it are admitted
 * only for this account's trail, log deliveries and log groups. No wildcard principal.
 */
import { accountRootAdministration } from "../conventions/iam-policy";
import { CLOUDTRAIL_SERVICE, CONFIG_SERVICE, LOG_DELIVERY_SERVICE } from "./bucket-policies";
import { PARTITION, policyDocument, type PolicyDocument, trailArn } from "./policy-document";

export interface KeyPolicyInputs {
  readonly accountId: string;
  readonly region: string;
  readonly trailName: string;
}

export const cloudWatchLogsService = (region: string) => `logs.${region}.amazonaws.com`;

export function logsKeyPolicy(inputs: KeyPolicyInputs): PolicyDocument {
  const { accountId, region } = inputs;
  const trail = trailArn(region, accountId, inputs.trailName);
  return policyDocument([
    accountRootAdministration(PARTITION, accountId, "AccountAdministration"),
    {
      Sid: "CloudTrailEncryptLogs",
      Effect: "Allow",
      Principal: { Service: CLOUDTRAIL_SERVICE },
      Action: "kms:GenerateDataKey*",
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceArn": trail },
        StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${PARTITION}:cloudtrail:*:${accountId}:trail/*` },
      },
    },
    {
      Sid: "CloudTrailDescribeKey",
      Effect: "Allow",
      Principal: { Service: CLOUDTRAIL_SERVICE },
      Action: "kms:DescribeKey",
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceArn": trail } },
    },
    {
      // VPC flow logs (and other vended logs) into the SSE-KMS application log bucket.
      Sid: "LogDeliveryEncrypt",
      Effect: "Allow",
      Principal: { Service: LOG_DELIVERY_SERVICE },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": accountId },
        ArnLike: { "aws:SourceArn": `arn:${PARTITION}:logs:${region}:${accountId}:*` },
      },
    },
    {
      // AWS Config snapshots and history into the SSE-KMS audit bucket.
      Sid: "ConfigDeliveryEncrypt",
      Effect: "Allow",
      Principal: { Service: CONFIG_SERVICE },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    },
    {
      Sid: "CloudWatchLogGroups",
      Effect: "Allow",
      Principal: { Service: cloudWatchLogsService(region) },
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      Resource: "*",
      Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${PARTITION}:logs:${region}:${accountId}:log-group:*` } },
    },
  ]);
}
