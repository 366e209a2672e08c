import { defineStackPolicy } from "../framework/define";
import { deniesAnyoneWithoutTls, type PolicyStatement } from "../iam/document";
import { bucketLabel, bucketStatements, stackBuckets } from "./buckets";

/** A Deny of every S3 action to anyone when `aws:SecureTransport` is false, covering the objects. */
function deniesPlainHttp(s: PolicyStatement): boolean {
  if (!s.actions.some((a) => a === "s3:*" || a === "*")) return false;
  if (!s.resources.some((r) => r === "*" || r.endsWith("/*"))) return false;
  return deniesAnyoneWithoutTls(s);
}

export const s3TlsOnly = defineStackPolicy({
  meta: {
    id: "S3-02",
    title: "S3 bucket policy denies non-TLS requests",
    severity: "high",
    decisions: ["D5"],
    controls: { fsbp: ["S3.5"], cis: ["2.1.1"], checkov: ["CKV_AWS_379"] },
    description:
      "Every bucket has a bucket policy with a Deny of s3:* to any principal on the bucket and its objects when " +
      "aws:SecureTransport is false, so data never travels in plain HTTP.",
    remediation:
      'Add a statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], ' +
      'Condition: { Bool: { "aws:SecureTransport": "false" } } } to the bucket\'s aws.s3.BucketPolicy.',
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const { index, buckets } = stackBuckets(args);
    for (const bucket of buckets) {
      const { statements, invalid } = bucketStatements(index, bucket);
      for (const problem of invalid) reportViolation(`${bucketLabel(bucket)}: ${problem}.`, bucket.urn);
      if (!statements.some(deniesPlainHttp)) {
        reportViolation(`${bucketLabel(bucket)} has no bucket policy statement denying requests without TLS (aws:SecureTransport=false).`, bucket.urn);
      }
    }
  },
});
