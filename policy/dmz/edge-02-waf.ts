import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { at, isRecord, list, num, peekTexts, record, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { label, publicApplicationLoadBalancers, WEB_ACL, WEB_ACL_ASSOCIATION, WEB_ACL_LOGGING } from "./edge-facts";

/** The AWS managed rule groups every public web ACL runs (not in count mode). */
export const REQUIRED_MANAGED_GROUPS = [
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesSQLiRuleSet",
];

interface AclRule {
  readonly name: string;
  readonly managedGroup?: { vendor: string; name: string };
  readonly rateLimit?: { limit: number | undefined; key: string };
  /** Managed groups: overrideAction count; other rules: action count. */
  readonly countOnly: boolean;
  /** Rules of a managed group overridden to count or allow (ruleActionOverrides, legacy excludedRules). */
  readonly weakenedRules: ReadonlyArray<{ readonly rule: string; readonly action: string }>;
  readonly blocks: boolean;
}

/**
 * A managed group's rules that no longer block: `ruleActionOverrides` whose action is count or allow
 * (the WAFv2 API's RuleActionOverride), and the legacy `excludedRules`, which run in count mode.
 * Overrides to captcha or challenge still stop the request and are not weakened.
 */
function weakenedRules(managed: unknown, json: boolean): Array<{ rule: string; action: string }> {
  const [overridesKey, nameKey, actionKey, excludedKey] = json
    ? ["RuleActionOverrides", "Name", "ActionToUse", "ExcludedRules"]
    : ["ruleActionOverrides", "name", "actionToUse", "excludedRules"];
  const found: Array<{ rule: string; action: string }> = [];
  for (const override of list(at(managed, overridesKey))) {
    const action = record(at(override, actionKey)) ?? {};
    const weak = Object.keys(action).filter((k) => /^(count|allow)$/i.test(k));
    if (weak.length > 0) found.push({ rule: text(at(override, nameKey)) ?? "(unnamed)", action: (weak[0] as string).toLowerCase() });
  }
  for (const excluded of list(at(managed, excludedKey))) found.push({ rule: text(at(excluded, nameKey)) ?? "(unnamed)", action: "count" });
  return found;
}

/** Rules as written in `rules` (provider shape) or in `ruleJson` (the WAF API's shape). */
function aclRules(acl: PolicyResource): AclRule[] {
  const rules: AclRule[] = list(acl.props["rules"]).map((rule) => {
    const statement = at(rule, "statement");
    const managed = at(statement, "managedRuleGroupStatement");
    const rate = at(statement, "rateBasedStatement");
    const override = record(at(rule, "overrideAction"));
    const action = record(at(rule, "action"));
    return {
      name: text(at(rule, "name")) ?? "(unnamed)",
      ...(isRecord(managed) ? { managedGroup: { vendor: text(managed["vendorName"]) ?? "", name: text(managed["name"]) ?? "" } } : {}),
      ...(isRecord(rate) ? { rateLimit: { limit: num(rate["limit"]), key: text(rate["aggregateKeyType"]) ?? "IP" } } : {}),
      countOnly: isRecord(managed) ? override !== undefined && "count" in override : action !== undefined && "count" in action,
      weakenedRules: isRecord(managed) ? weakenedRules(managed, false) : [],
      blocks: action !== undefined && "block" in action,
    };
  });
  const [json] = peekTexts(acl.props, "ruleJson");
  if (json !== undefined) {
    let parsed: unknown = [];
    try {
      parsed = JSON.parse(json);
    } catch {
      parsed = [];
    }
    for (const rule of list(parsed)) {
      const managed = at(rule, "Statement", "ManagedRuleGroupStatement");
      const rate = at(rule, "Statement", "RateBasedStatement");
      const override = record(at(rule, "OverrideAction"));
      const action = record(at(rule, "Action"));
      rules.push({
        name: text(at(rule, "Name")) ?? "(unnamed)",
        ...(isRecord(managed) ? { managedGroup: { vendor: text(managed["VendorName"]) ?? "", name: text(managed["Name"]) ?? "" } } : {}),
        ...(isRecord(rate) ? { rateLimit: { limit: num(rate["Limit"]), key: text(rate["AggregateKeyType"]) ?? "IP" } } : {}),
        countOnly: isRecord(managed) ? override !== undefined && "Count" in override : action !== undefined && "Count" in action,
        weakenedRules: isRecord(managed) ? weakenedRules(managed, true) : [],
        blocks: action !== undefined && "Block" in action,
      });
    }
  }
  return rules;
}

export const edge02Waf = defineStackPolicy({
  meta: {
    id: "EDGE-02",
    title: "WAFv2 on every public ALB, with managed rules, a per-IP rate limit and logging",
    severity: "high",
    decisions: ["D3", "D6"],
    controls: { fsbp: ["ELB.16", "WAF.10", "WAF.11"], checkov: ["CKV2_AWS_28", "CKV2_AWS_31", "CKV2_AWS_76"] },
    description:
      "Every internet-facing ALB is associated with a regional WAFv2 web ACL that runs the AWS managed rule groups (Common, " +
      "KnownBadInputs, AmazonIpReputationList, SQLi; not in count mode as a group, and no rule of them overridden to count or allow " +
      "through ruleActionOverrides or excludedRules), blocks clients above a per-IP rate limit, and logs to a " +
      "destination (S3, CloudWatch Logs or Firehose named aws-waf-logs-*).",
    remediation:
      "Create an aws.wafv2.WebAcl (scope REGIONAL) with the managed rule groups (overrideAction none, no count/allow " +
      "ruleActionOverrides; waive one rule's override per finding while a false positive is fixed) and a rateBasedStatement " +
      "rule with action block, associate it with the ALB (aws.wafv2.WebAclAssociation) and add an " +
      "aws.wafv2.WebAclLoggingConfiguration with a log destination.",
    enforcementLevel: "mandatory",
  },
  config: {
    requiredManagedGroups: { type: "array", items: { type: "string" }, default: REQUIRED_MANAGED_GROUPS },
    maxRateLimitPerIp: { type: "integer", minimum: 10, default: 100_000 },
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const publicLbs = publicApplicationLoadBalancers(index);
    if (publicLbs.length === 0) args.notApplicable("the stack has no internet-facing application load balancer");
    const config = args.getConfig<{ requiredManagedGroups?: string[]; maxRateLimitPerIp?: number }>();
    const required = config.requiredManagedGroups ?? REQUIRED_MANAGED_GROUPS;
    const maxRate = config.maxRateLimitPerIp ?? 100_000;

    const checked = new Set<string>();
    for (const lb of publicLbs) {
      const acls = index
        .referrers(lb, [WEB_ACL_ASSOCIATION], "resourceArn")
        .flatMap((association) => index.targets(association, "webAclArn", [WEB_ACL]));
      if (acls.length === 0) {
        reportViolation(`${label(lb)} is internet-facing without a WAFv2 web ACL (no WebAclAssociation).`, lb.urn);
        continue;
      }
      for (const acl of acls) {
        if (checked.has(acl.urn)) continue;
        checked.add(acl.urn);
        const what = label(acl);
        if ((text(acl.props["scope"]) ?? "REGIONAL") !== "REGIONAL") reportViolation(`${what} protects an ALB but its scope is not REGIONAL.`, acl.urn);
        const rules = aclRules(acl);
        for (const group of required) {
          const rule = rules.find((r) => r.managedGroup?.vendor === "AWS" && r.managedGroup.name === group);
          if (rule === undefined) reportViolation(`${what} does not run the AWS managed rule group ${group}.`, acl.urn, `missing ${group}`);
          else if (rule.countOnly) reportViolation(`${what} runs ${group} in count mode only; it must block.`, acl.urn, `${group} count`);
          else {
            for (const weak of rule.weakenedRules) {
              reportViolation(`${what} overrides rule ${weak.rule} of ${group} to ${weak.action}; the group's rules must block.`, acl.urn, `${group} rule ${weak.rule} ${weak.action}`);
            }
          }
        }
        const rate = rules.filter((r) => r.rateLimit !== undefined && r.rateLimit.key === "IP" && r.blocks && !r.countOnly);
        if (rate.length === 0) reportViolation(`${what} has no blocking per-IP rate-based rule.`, acl.urn);
        for (const r of rate) {
          const limit = r.rateLimit?.limit;
          if (limit !== undefined && limit > maxRate) reportViolation(`${what} rate rule "${r.name}" allows ${limit} requests per IP; at most ${maxRate}.`, acl.urn);
        }
        const logging = index.referrers(acl, [WEB_ACL_LOGGING], "resourceArn");
        const destinations = logging.filter(
          // A destination from another resource may be unknown during preview; its dependency shows it is set.
          (l) => peekTexts(l.props, "logDestinationConfigs").length > 0 || (l.propertyDependencies["logDestinationConfigs"]?.length ?? 0) > 0,
        );
        if (destinations.length === 0) reportViolation(`${what} has no logging configuration with a destination.`, acl.urn);
      }
    }
  },
});
