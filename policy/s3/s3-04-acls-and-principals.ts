import { defineStackPolicy } from "../framework/define";
import { at, list, text } from "../framework/props";
import { describeStatement, isOpenAllow } from "../iam/document";
import { ACL_TYPES, OWNERSHIP_TYPES, bucketLabel, bucketStatements, companions, stackBuckets } from "./buckets";

const PUBLIC_GRANTEES = ["http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"];

export const s3AclsAndPrincipals = defineStackPolicy({
  meta: {
    id: "S3-04",
    title: "S3 ACLs disabled, no wildcard principals",
    severity: "high",
    decisions: ["D5"],
    controls: { fsbp: ["S3.6", "S3.12"], checkov: ["CKV2_AWS_65", "CKV_AWS_70"] },
    description:
      "Every bucket enforces bucket-owner object ownership (ACLs disabled), grants nothing through ACLs, and its policy " +
      "allows no wildcard principal unless a condition pins it to our account, organisation, VPC endpoint or source.",
    remediation:
      'Add aws.s3.BucketOwnershipControls with rule: { objectOwnership: "BucketOwnerEnforced" }; drop BucketAcl resources; ' +
      "name principals explicitly (role ARNs, service principals with aws:SourceAccount/aws:SourceArn conditions).",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const { index, buckets } = stackBuckets(args);
    for (const bucket of buckets) {
      const label = bucketLabel(bucket);
      const ownership = companions(index, bucket, OWNERSHIP_TYPES);
      const enforced = ownership.length > 0 && ownership.every((o) => text(at(o.props["rule"], "objectOwnership")) === "BucketOwnerEnforced");
      if (!enforced) {
        reportViolation(`${label} does not disable ACLs (ownership controls with objectOwnership "BucketOwnerEnforced").`, bucket.urn, "acls enabled");
      }
      const inlineAcl = text(bucket.props["acl"]);
      if (inlineAcl !== undefined && inlineAcl !== "private") {
        reportViolation(`${label} sets the canned ACL "${inlineAcl}".`, bucket.urn, `canned acl ${inlineAcl}`);
      }
      for (const acl of companions(index, bucket, ACL_TYPES)) {
        const canned = text(acl.props["acl"]);
        if (canned !== undefined && canned !== "private") {
          reportViolation(`${label}: ACL "${acl.name}" sets the canned ACL "${canned}".`, bucket.urn, `canned acl ${canned}`);
        }
        for (const grant of list(at(acl.props["accessControlPolicy"], "grants"))) {
          const uri = text(at(grant, "grantee", "uri"));
          if (uri !== undefined && PUBLIC_GRANTEES.includes(uri)) {
            reportViolation(`${label}: ACL "${acl.name}" grants ${text(at(grant, "permission")) ?? "access"} to ${uri.split("/").pop()}.`, bucket.urn, `grant ${text(at(grant, "permission")) ?? "access"} to ${uri}`);
          }
        }
      }
      const { statements } = bucketStatements(index, bucket);
      statements.forEach((s, i) => {
        if (isOpenAllow(s)) {
          reportViolation(`${label}: bucket policy ${describeStatement(s, i)} allows a wildcard principal without a scoping condition.`, bucket.urn, `principal * ${s.actions.join(",")}`);
        }
      });
    }
  },
});
