import { defineStackPolicy } from "../framework/define";
import { StackIndex } from "../framework/stack-index";
import { entityQuotaProblems } from "./entity-quotas";

export const aws02EntityQuotas = defineStackPolicy({
  meta: {
    id: "AWS-02",
    title: "Quotas shared by several resources: IAM inline policy totals, attachments, security group and network ACL rules",
    severity: "high",
    decisions: ["D4"],
    controls: { other: ["AWS default service quotas (src/conventions/aws-limits.ts)"] },
    description:
      "Quotas that no single resource breaks but the stack does, checked on the entity that holds them: a role's inline " +
      "policies together at most 10,240 characters without white space (user 2,048, group 5,120), at most 10 managed policies " +
      "per role, at most 60 inbound and 60 outbound rules per security group counting standalone rule resources, at most 20 " +
      "rules per network ACL direction with distinct rule numbers, and EKS access entries only on a cluster whose " +
      "authentication mode admits them, at most one per IAM principal.",
    remediation:
      "Split a role's rights into managed policies or roles per concern, merge security group rules by referencing groups or " +
      "prefix lists, and set accessConfig.authenticationMode to API on clusters that use access entries.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    for (const problem of entityQuotaProblems(new StackIndex(args.resources))) {
      reportViolation(`${problem.resource.type} "${problem.resource.name}" ${problem.message}.`, problem.resource.urn, problem.key);
    }
  },
});
