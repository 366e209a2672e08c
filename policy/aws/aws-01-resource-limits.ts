import { defineResourcePolicy } from "../framework/define";
import { text } from "../framework/props";
import { resourceLimitProblems } from "./resource-limits";

export const aws01ResourceLimits = defineResourcePolicy({
  meta: {
    id: "AWS-01",
    title: "Names, documents, tags and rules within what the AWS APIs accept",
    severity: "high",
    decisions: ["D4"],
    controls: { other: ["AWS API constraints and default service quotas (src/conventions/aws-limits.ts)"] },
    description:
      "Every resource's own inputs stay inside the limits its AWS API enforces, so `pulumi up` cannot fail half-way on a value " +
      "the model accepted: name length and character set (IAM 64/128, ELB and target groups 32, SQS 80, EKS node groups 63, Backup " +
      "vaults 2-50, S3 bucket rules with reserved prefixes and suffixes, KMS alias/ but not alias/aws/ ...), policy document sizes " +
      "(IAM managed 6,144 and trust 2,048 characters without white space, S3 bucket 20 KB, KMS key 32 KB, SQS 8 KB with its " +
      "statement, principal and condition quotas, SNS 30 KB and 100 statements), IAM paths, interface endpoints of the provider's region, tags (50 per resource, key 128 and value 256 characters, no aws: prefix), " +
      "security group names and descriptions in the EC2 character set, at most 60 rules per direction inline, 5 security groups " +
      "per interface, network ACL rule numbers 1-32766 and 20 rules per direction, and user data within 16 KB.",
    remediation:
      "Derive names with ctx.name(component, thing, limit) or ctx.bucketName (src/conventions), take the limit from " +
      "src/conventions/aws-limits.ts, and split documents that grow with the catalog into several policies.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    if (!args.type.startsWith("aws:")) args.notApplicable(`${args.type} is not an AWS resource`);
    const region = text(args.provider?.props["region"]);
    for (const problem of resourceLimitProblems(args.type, args.props, region)) {
      reportViolation(`${args.type} "${args.name}": ${problem.message}.`, undefined, problem.key);
    }
  },
});
