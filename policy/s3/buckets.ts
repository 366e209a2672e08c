import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { StackIndex } from "../framework/stack-index";
import { parsePolicyDocument, type PolicyStatement } from "../iam/document";

/**
 * S3 settings live in companion resources (public access block, policy, encryption, ownership) that
 * point at their bucket through `bucket`; the rules judge a bucket by the companions that point at it.
 * Both the current and the deprecated V2 type tokens of @pulumi/aws 7 are recognised.
 */
export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
export const PUBLIC_ACCESS_BLOCK_TYPES = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
export const BUCKET_POLICY_TYPES = ["aws:s3/bucketPolicy:BucketPolicy"];
export const ENCRYPTION_TYPES = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
export const OWNERSHIP_TYPES = ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"];
export const ACL_TYPES = ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"];

/** The stack's buckets, indexed; a stack without any makes the rule not applicable. */
export function stackBuckets(args: StackValidationArgs): { index: StackIndex; buckets: PolicyResource[] } {
  const index = new StackIndex(args.resources);
  const buckets = index.ofType(...BUCKET_TYPES);
  if (buckets.length === 0) args.notApplicable("the stack has no S3 buckets");
  return { index, buckets };
}

export function companions(index: StackIndex, bucket: PolicyResource, types: readonly string[]): PolicyResource[] {
  return index.referrers(bucket, types, "bucket");
}

export function bucketLabel(bucket: PolicyResource): string {
  return `bucket "${bucket.name}"`;
}

/**
 * The statements that govern a bucket: its BucketPolicy resources, plus the deprecated inline
 * `policy` input. `invalid` lists policies that could not be parsed.
 */
export function bucketStatements(index: StackIndex, bucket: PolicyResource): { statements: PolicyStatement[]; invalid: string[] } {
  const sources: Array<[string, unknown]> = companions(index, bucket, BUCKET_POLICY_TYPES).map((p) => [
    `bucket policy "${p.name}"`,
    p.props["policy"],
  ]);
  if (bucket.props["policy"] !== undefined) sources.push([`the inline policy of ${bucketLabel(bucket)}`, bucket.props["policy"]]);
  const statements: PolicyStatement[] = [];
  const invalid: string[] = [];
  for (const [label, value] of sources) {
    const doc = parsePolicyDocument(value);
    if (doc === undefined) continue;
    if ("error" in doc) invalid.push(`${label}: ${doc.error}`);
    else statements.push(...doc.statements);
  }
  return { statements, invalid };
}
