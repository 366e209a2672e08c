import { defineStackPolicy } from "../framework/define";
import { StackIndex } from "../framework/stack-index";
import { attachedVolumes, criticalHosts, isAtLeastDaily, planRules, selectionsCovering } from "./facts";
import { environmentOf } from "../framework/environment";

/** Shortest daily retention per environment, unless the policy config says otherwise. */
const DEFAULT_MIN_DAILY_RETENTION: Readonly<Record<string, number>> = { dev: 7, prod: 35 };

export const bkp01SnapshotCoverage = defineStackPolicy({
  meta: {
    id: "BKP-01",
    title: "Every critical host's data volumes are in an AWS Backup selection, at least daily, kept long enough",
    severity: "critical",
    decisions: ["D7"],
    controls: { fsbp: ["EC2.28"], checkov: ["CKV2_AWS_9"] },
    description:
      "Every instance tagged data-class=critical has its attached EBS data volumes picked by an AWS Backup selection (by " +
      "ARN, by a resource pattern with a tag condition, or by a selection tag), whose plan has a rule that runs at least " +
      "daily and keeps recovery points at least the environment's minimum (dev 7 days, prod 35 days by default).",
    remediation:
      "Tag the host's data volume data-class=critical (DatabaseHosts does) and keep the Backups component's selection by " +
      "that tag; set fitness-platform:backups.snapshots.dailyRetentionDays to at least the minimum.",
    enforcementLevel: "mandatory",
  },
  config: {
    minDailyRetentionDays: { type: "object", description: "Minimum retention of the daily rule, per environment tag.", default: DEFAULT_MIN_DAILY_RETENTION },
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const hosts = criticalHosts(index);
    if (hosts.length === 0) args.notApplicable("the stack has no host tagged data-class=critical");
    const configured = args.getConfig<{ minDailyRetentionDays?: Record<string, number> }>().minDailyRetentionDays ?? {};
    for (const host of hosts) {
      const env = environmentOf(host);
      const minimum = configured[env] ?? DEFAULT_MIN_DAILY_RETENTION[env] ?? DEFAULT_MIN_DAILY_RETENTION["prod"] ?? 35;
      const volumes = attachedVolumes(index, host);
      if (volumes.length === 0) reportViolation(`critical host "${host.name}" has no attached data volume for AWS Backup to snapshot.`, host.urn);
      for (const { volume } of volumes) {
        if (volume === undefined) continue;
        const coverage = selectionsCovering(index, volume);
        if (coverage.length === 0) {
          reportViolation(`data volume "${volume.name}" of critical host "${host.name}" is in no AWS Backup selection.`, volume.urn);
          continue;
        }
        const daily = coverage.flatMap((c) => (c.plan === undefined ? [] : planRules(c.plan))).filter((r) => isAtLeastDaily(r.schedule));
        if (daily.length === 0) {
          reportViolation(`data volume "${volume.name}" of critical host "${host.name}" is selected by ${coverage.map((c) => `"${c.selection.name}"`).join(", ")}, but no plan rule runs at least daily.`, volume.urn);
          continue;
        }
        const longest = Math.max(...daily.map((r) => r.deleteAfter ?? Number.POSITIVE_INFINITY));
        if (longest < minimum) {
          reportViolation(`data volume "${volume.name}" of critical host "${host.name}": the daily snapshots are kept ${longest} days; the ${env} minimum is ${minimum}.`, volume.urn);
        }
      }
    }
  },
});
