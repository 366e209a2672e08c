/** The IAM policy documents the log archive renders (bucket, key and role policies): every statement named. */
import type { PolicyDocument as Document, PolicyStatement as Statement } from "../conventions/iam-policy";

export { type ConditionBlock, type Principal, policyDocument } from "../conventions/iam-policy";

export type PolicyStatement = Statement & { readonly Sid: string };

export type PolicyDocument = Document<PolicyStatement>;

/** Standard (aws) partition; the platform's regions are all in it. */
export const PARTITION = "aws";

export const bucketArn = (bucket: string) => `arn:${PARTITION}:s3:::${bucket}`;

export const trailArn = (region: string, accountId: string, trailName: string) =>
  `arn:${PARTITION}:cloudtrail:${region}:${accountId}:trail/${trailName}`;
