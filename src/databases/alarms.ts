import type { ReplicationConfig } from "../config/sections/databases";
import { DATABASE_METRIC_NAMESPACE } from "./patroni-scripts";

/**
 * The alarms of a replicated domain, as data. They read what the members report
 * (src/databases/patroni-scripts.ts): the leader's StandbysStreaming and ReplicationLagBytes every
 * minute, and Promoted from Patroni's on_role_change callback.
 */
export interface DatabaseAlarmPlan {
  readonly id: string;
  readonly name: string;
  readonly metricName: "StandbysStreaming" | "ReplicationLagBytes" | "Promoted" | "BootstrapFailed";
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: "Minimum" | "Maximum" | "Sum";
  readonly comparisonOperator: "LessThanThreshold" | "GreaterThanOrEqualToThreshold";
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly treatMissingData: "breaching" | "notBreaching";
  readonly description: string;
}

export { DATABASE_METRIC_NAMESPACE };

export function planDatabaseAlarms(domain: string, namePrefix: string, replication: ReplicationConfig): DatabaseAlarmPlan[] {
  const dims = { Cluster: domain };
  const runbook = "docs/runbooks/database-failover.md";
  return [
    {
      id: `${domain}-missing-standby`,
      name: `${namePrefix}-${domain}-missing-standby`,
      metricName: "StandbysStreaming",
      dimensions: dims,
      statistic: "Minimum",
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      periodSeconds: 60,
      evaluationPeriods: 3,
      // Only the leader reports: silence means no leader at all, which is worse than a missing standby.
      treatMissingData: "breaching",
      description: `No standby of ${domain} streams from the leader for 3 minutes (or no leader reports): writes continue without a synchronous copy and a failover is impossible; ${runbook}.`,
    },
    {
      id: `${domain}-replication-lag`,
      name: `${namePrefix}-${domain}-replication-lag`,
      metricName: "ReplicationLagBytes",
      dimensions: dims,
      statistic: "Maximum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: replication.lagAlarmMiB * 1024 * 1024,
      periodSeconds: 60,
      evaluationPeriods: 5,
      treatMissingData: "notBreaching",
      description: `A standby of ${domain} lags ${replication.lagAlarmMiB} MiB or more for 5 minutes; beyond maximum_lag_on_failover (${replication.maximumLagOnFailoverMiB} MiB) it would not be promoted; ${runbook}.`,
    },
    {
      id: `${domain}-failover`,
      name: `${namePrefix}-${domain}-failover`,
      metricName: "Promoted",
      dimensions: dims,
      statistic: "Sum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      periodSeconds: 60,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
      description: `A member of ${domain} was promoted (failover or switchover): check why and that the old leader rejoined; ${runbook}.`,
    },
  ];
}

/** A host whose bootstrap failed (it retries every five minutes: src/databases/bootstrap-guard.ts). */
export function planBootstrapAlarm(host: string, namePrefix: string): DatabaseAlarmPlan {
  return {
    id: `${host}-bootstrap-failed`,
    name: `${namePrefix}-${host}-bootstrap-failed`,
    metricName: "BootstrapFailed",
    dimensions: { Host: host },
    statistic: "Sum",
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    periodSeconds: 300,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
    description: `The bootstrap of ${host} failed (package mirror not ready, a secret unreadable, ...); it retries every 5 minutes: /var/log/fitness-bootstrap.log on the host, docs/runbooks/database-host.md.`,
  };
}
