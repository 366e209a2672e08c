/** S3 bucket naming rules (general purpose buckets), checked before anything is registered. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isValidBucketName(name: string): boolean {
  return BUCKET_NAME.test(name) && !name.includes("..") && !/^\d+\.\d+\.\d+\.\d+$/.test(name) && !name.startsWith("xn--") && !name.endsWith("-s3alias");
}

export function assertBucketName(name: string): string {
  if (!isValidBucketName(name)) {
    throw new Error(`bucket name "${name}" is not a valid S3 name (3-63 lower-case letters, digits, dots, hyphens; ${name.length} characters)`);
  }
  return name;
}
