import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { at, flag, peekTexts, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { covers, MONITORING_EVENTS } from "./monitoring-events";
import { CLOUDTRAIL, LOG_GROUP, METRIC_ALARM, METRIC_FILTER, SNS_TOPIC } from "./types";

/** The log group a trail delivers to: by property dependency, else from the literal ARN. */
function trailLogGroups(index: StackIndex, trail: PolicyResource): { resources: PolicyResource[]; names: string[] } {
  const resources = (trail.propertyDependencies["cloudWatchLogsGroupArn"] ?? []).filter((d) => d.type === LOG_GROUP);
  const names = peekTexts(trail.props, "cloudWatchLogsGroupArn").flatMap((arn) => {
    const m = /:log-group:([^:]+)/.exec(arn);
    return m === null ? [] : [m[1] as string];
  });
  for (const g of index.ofType(LOG_GROUP)) names.push(...peekTexts(g.props, "name").filter(() => resources.includes(g)));
  return { resources, names };
}

function onGroup(filter: PolicyResource, groups: { resources: PolicyResource[]; names: string[] }): boolean {
  if ((filter.propertyDependencies["logGroupName"] ?? []).some((d) => groups.resources.includes(d))) return true;
  return peekTexts(filter.props, "logGroupName").some((n) => groups.names.includes(n));
}

/** An alarm on the filter's metric that notifies an SNS topic. */
function alarmed(index: StackIndex, filter: PolicyResource): boolean {
  const metric = text(at(filter.props["metricTransformation"], "name"));
  const namespace = text(at(filter.props["metricTransformation"], "namespace"));
  return index.ofType(METRIC_ALARM).some((alarm) => {
    if (text(alarm.props["metricName"]) !== metric || text(alarm.props["namespace"]) !== namespace) return false;
    if (flag(alarm.props["actionsEnabled"]) === false) return false;
    const toTopic = (alarm.propertyDependencies["alarmActions"] ?? []).some((d) => d.type === SNS_TOPIC) || peekTexts(alarm.props, "alarmActions").some((a) => /^arn:[^:]+:sns:/.test(a));
    return toTopic;
  });
}

export const det05CisMonitoring = defineStackPolicy({
  meta: {
    id: "DET-05",
    title: "The trail feeds CloudWatch Logs, with a metric filter and an alarm to a topic for every CIS monitoring event",
    severity: "high",
    decisions: ["D4", "D5"],
    controls: {
      fsbp: ["CloudTrail.5", ...MONITORING_EVENTS.flatMap((e) => (e.fsbp === undefined ? [] : [e.fsbp]))],
      cis: MONITORING_EVENTS.map((e) => e.cis),
    },
    description:
      "A multi-region trail delivers to a CloudWatch log group (cloudWatchLogsGroupArn and a role), and for each CIS AWS " +
      "Foundations v3 monitoring event (4.1-4.15: unauthorized API calls, sign-in without MFA, root use, IAM policy changes, " +
      "CloudTrail and Config changes, console sign-in failures, KMS key disabling or deletion, S3 bucket policy, security group, " +
      "NACL, gateway, route table, VPC and Organizations changes) a metric filter on that group whose pattern names the event's " +
      "fields and event names, with a metric alarm on its metric that notifies an SNS topic.",
    remediation:
      "Build the log archive with trailToCloudWatch and the detective controls (src/security/cis-monitoring-plan.ts holds one " +
      "filter per event); route the alarms to the operations topic.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const trails = index.ofType(CLOUDTRAIL).filter((t) => flag(t.props["isMultiRegionTrail"]) === true);
    const delivering = trails.filter((t) => peekTexts(t.props, "cloudWatchLogsGroupArn").length > 0 || (t.propertyDependencies["cloudWatchLogsGroupArn"]?.length ?? 0) > 0);
    if (delivering.length === 0) {
      reportViolation("no multi-region trail delivers to a CloudWatch log group (cloudWatchLogsGroupArn), so no event can raise an alarm.", undefined, "trail not in CloudWatch");
      return;
    }
    for (const trail of delivering) {
      const roleSet = peekTexts(trail.props, "cloudWatchLogsRoleArn").length > 0 || (trail.propertyDependencies["cloudWatchLogsRoleArn"]?.length ?? 0) > 0;
      if (!roleSet) reportViolation(`trail "${trail.name}" names a log group but no role to write to it (cloudWatchLogsRoleArn).`, trail.urn, "no delivery role");
    }
    const groups = delivering.map((t) => trailLogGroups(index, t));
    const filters = index.ofType(METRIC_FILTER).filter((f) => groups.some((g) => onGroup(f, g)));
    for (const event of MONITORING_EVENTS) {
      const matching = filters.filter((f) => covers(text(f.props["pattern"]) ?? "", event));
      const label = `CIS ${event.cis}${event.fsbp === undefined ? "" : ` (FSBP ${event.fsbp})`}`;
      if (matching.length === 0) reportViolation(`no metric filter on the trail's log group matches ${event.title} (${label}).`, undefined, `filter ${event.cis}`);
      else if (!matching.some((f) => alarmed(index, f))) reportViolation(`the metric filter for ${event.title} (${label}) has no alarm that notifies an SNS topic.`, undefined, `alarm ${event.cis}`);
    }
  },
});
