import { defineStackPolicy } from "../framework/define";
import { peekTexts } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { SECURITY_HUB_ACCOUNT, SECURITY_HUB_STANDARD } from "./types";

/** Standards by the path of their ARN (Security Hub user guide, "Standards reference"); any region and partition. */
const STANDARDS = [
  ["AWS Foundational Security Best Practices", /:securityhub:[^:]*::standards\/aws-foundational-security-best-practices\/v\/\d/],
  ["CIS AWS Foundations Benchmark v3", /:securityhub:[^:]*::standards\/cis-aws-foundations-benchmark\/v\/3\.\d+\.\d+$/],
] as const;

export const det02SecurityHub = defineStackPolicy({
  meta: {
    id: "DET-02",
    title: "Security Hub on, subscribed to FSBP and CIS AWS Foundations v3",
    severity: "high",
    decisions: ["D5"],
    controls: { cis: ["4.16"] },
    description:
      "The stack enables Security Hub (aws.securityhub.Account) and subscribes it to the AWS Foundational Security Best " +
      "Practices standard and to the CIS AWS Foundations Benchmark v3 standard (StandardsSubscription, judged by the ARN's path).",
    remediation:
      "Add aws.securityhub.Account and aws.securityhub.StandardsSubscription for " +
      "arn:aws:securityhub:<region>::standards/aws-foundational-security-best-practices/v/1.0.0 and " +
      "arn:aws:securityhub:<region>::standards/cis-aws-foundations-benchmark/v/3.0.0.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    if (index.ofType(SECURITY_HUB_ACCOUNT).length === 0) reportViolation("the stack does not enable Security Hub (aws.securityhub.Account).", undefined, "no security hub");
    const arns = index.ofType(SECURITY_HUB_STANDARD).flatMap((s) => peekTexts(s.props, "standardsArn"));
    for (const [name, pattern] of STANDARDS) {
      if (!arns.some((a) => pattern.test(a))) reportViolation(`Security Hub is not subscribed to the ${name} standard.`, undefined, `standard ${name}`);
    }
  },
});
