import { defineStackPolicy } from "../framework/define";
import { flag } from "../framework/props";
import { PUBLIC_ACCESS_BLOCK_TYPES, bucketLabel, companions, stackBuckets } from "./buckets";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export const s3PublicAccessBlock = defineStackPolicy({
  meta: {
    id: "S3-01",
    title: "S3 block public access, all four flags",
    severity: "critical",
    decisions: ["D5"],
    controls: { fsbp: ["S3.1", "S3.8"], cis: ["2.1.4"], checkov: ["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"] },
    description:
      "Every bucket has an aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and " +
      "restrictPublicBuckets all true, so neither an ACL nor a policy can ever make its objects public.",
    remediation:
      "Add `new aws.s3.BucketPublicAccessBlock(name, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, " +
      "ignorePublicAcls: true, restrictPublicBuckets: true }, { parent })` next to the bucket.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const { index, buckets } = stackBuckets(args);
    for (const bucket of buckets) {
      const blocks = companions(index, bucket, PUBLIC_ACCESS_BLOCK_TYPES);
      if (blocks.length === 0) {
        reportViolation(`${bucketLabel(bucket)} has no public access block.`, bucket.urn);
        continue;
      }
      // Several blocks on one bucket: the last applied wins, so every one must be complete.
      for (const block of blocks) {
        const off = FLAGS.filter((f) => flag(block.props[f]) !== true);
        if (off.length > 0) {
          reportViolation(`${bucketLabel(bucket)}: public access block "${block.name}" does not set ${off.join(", ")} to true.`, bucket.urn);
        }
      }
    }
  },
});
