/**
 * The Debian mirror of `packageSource: mirror` is an S3 bucket (kept in sync by the pipeline, like the
 * ECR image mirror) read through the VPC's S3 gateway endpoint. apt's requests are anonymous, so the
 * gateway endpoint's policy must admit `s3:GetObject` on this bucket, and the bucket's own policy must
 * admit reads only through that endpoint (`aws:SourceVpce`).
 */
const S3_VIRTUAL_HOST = /^https:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.s3[.-]([a-z0-9-]+)\.amazonaws\.com(\/|$)/;

/** The bucket of an S3 virtual-hosted mirror URL, or undefined for a mirror elsewhere. */
export function s3MirrorBucket(mirrorUrl: string): string | undefined {
  return S3_VIRTUAL_HOST.exec(mirrorUrl)?.[1];
}

/** The mirror buckets the S3 gateway endpoint must admit for this stack's hosts (none when using the proxy). */
export function packageMirrorBuckets(config: { readonly packageSource: string; readonly mirrorUrl?: string }): string[] {
  const bucket = config.packageSource === "mirror" && config.mirrorUrl ? s3MirrorBucket(config.mirrorUrl) : undefined;
  return bucket === undefined ? [] : [bucket];
}
