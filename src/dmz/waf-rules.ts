import type * as aws from "@pulumi/aws";

type WebAclRule = aws.types.input.wafv2.WebAclRule;

/**
 * The web ACL's rules (D3, D6): the per-IP rate limit first (cheapest, and it stops floods before the
 * managed groups spend capacity on them), then the AWS managed rule groups. Managed groups keep their
 * own actions (`overrideAction: none`); none is put in count mode.
 */
export const MANAGED_RULE_GROUPS = [
  // Addresses AWS threat intelligence has seen attacking: blocked before anything is inspected.
  "AWSManagedRulesAmazonIpReputationList",
  // OWASP-style baseline: bad bots, oversize bodies, XSS, path traversal, LFI/RFI.
  "AWSManagedRulesCommonRuleSet",
  // Request patterns known to be malicious (Log4Shell, Java deserialisation, localhost Host headers).
  "AWSManagedRulesKnownBadInputsRuleSet",
  // The API is backed by PostgreSQL: SQL injection in query, body, cookies and URI path.
  "AWSManagedRulesSQLiRuleSet",
] as const;

export const RATE_RULE_NAME = "rate-limit-per-ip";

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

/** `metricPrefix` keeps CloudWatch metric names apart between stacks sharing an account. */
export function planWafRules(args: { rateLimitPerIp: number; metricPrefix: string }): WebAclRule[] {
  const rateRule: WebAclRule = {
    name: RATE_RULE_NAME,
    priority: 0,
    action: { block: {} },
    statement: { rateBasedStatement: { limit: args.rateLimitPerIp, aggregateKeyType: "IP", evaluationWindowSec: 300 } },
    visibilityConfig: visibility(`${args.metricPrefix}-${RATE_RULE_NAME}`),
  };
  const managed = MANAGED_RULE_GROUPS.map(
    (name, i): WebAclRule => ({
      name,
      priority: i + 1,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: "AWS", name } },
      visibilityConfig: visibility(`${args.metricPrefix}-${name}`),
    }),
  );
  return [rateRule, ...managed];
}

/** Headers that carry credentials never reach the WAF logs. */
export const WAF_REDACTED_HEADERS = ["authorization", "cookie"] as const;

export function webAclVisibility(metricPrefix: string): { cloudwatchMetricsEnabled: boolean; metricName: string; sampledRequestsEnabled: boolean } {
  return visibility(`${metricPrefix}-web-acl`);
}
