import { HOST_LAYOUT } from "./host-layout";
import { shQuote } from "./shell";

/**
 * What a Patroni member runs besides Patroni: the on_role_change callback (a failover or switchover is
 * an event operators hear about), the monitor behind the lag and missing-standby alarms, their systemd
 * units, and the drop-in that makes Debian's patroni@ unit restart on failure and wait for the volume.
 * Metrics go to CloudWatch through the `monitoring` endpoint with the instance role.
 */
export const DATABASE_METRIC_NAMESPACE = "Fitness/Databases";

export interface PatroniScriptsParams {
  readonly domain: string;
  readonly member: string;
  readonly privateIp: string;
  readonly region: string;
}

const L = HOST_LAYOUT;
export const MONITOR_UNIT = "fitness-patroni-monitor";

/** `fitness-patroni-event <action> <role> <scope>` (Patroni's callback arguments). Never fails Patroni. */
export function renderEventScript(p: PatroniScriptsParams): string {
  return [
    "#!/bin/bash",
    "# Rendered by src/databases/patroni-scripts.ts: Patroni's on_role_change callback.",
    "set -uo pipefail",
    `REGION=${shQuote(p.region)}`,
    `MEMBER=${shQuote(p.member)}`,
    'ACTION="${1:-?}"; ROLE="${2:-?}"; SCOPE="${3:-?}"',
    'echo "fitness-patroni: member $MEMBER of $SCOPE: $ACTION, role now $ROLE" >&2',
    'logger -t fitness-patroni "member $MEMBER of $SCOPE: $ACTION, role now $ROLE" 2>/dev/null || true',
    'case "$ROLE" in',
    "  master|primary)",
    `    aws --region "$REGION" cloudwatch put-metric-data --namespace ${DATABASE_METRIC_NAMESPACE} --metric-name Promoted --value 1 --dimensions "Cluster=$SCOPE" || true ;;`,
    "esac",
    "exit 0",
    "",
  ].join("\n");
}

/**
 * Every minute, the leader reports how many standbys stream and how far the furthest lags (Patroni's
 * REST /cluster); a standby reports nothing, so a cluster without a leader leaves the missing-standby
 * alarm without data, which it treats as breaching.
 */
export function renderMonitorScript(p: PatroniScriptsParams): string {
  const api = `https://${p.privateIp}:${L.restApiPort}`;
  return [
    "#!/bin/bash",
    "# Rendered by src/databases/patroni-scripts.ts: replication health of the cluster, from its leader.",
    "set -euo pipefail",
    `REGION=${shQuote(p.region)}`,
    `CLUSTER=${shQuote(p.domain)}`,
    `API=${shQuote(api)}`,
    `CA=${shQuote(`${L.tlsDirectory}/ca.crt`)}`,
    'code="$(curl -s -o /dev/null -w "%{http_code}" --cacert "$CA" "$API/primary" || true)"',
    '[ "$code" = 200 ] || exit 0',
    'cluster="$(curl -sf --cacert "$CA" "$API/cluster")"',
    "streaming=\"$(printf '%s' \"$cluster\" | jq '[.members[] | select(.role != \"leader\" and (.state == \"running\" or .state == \"streaming\"))] | length')\"",
    "lag=\"$(printf '%s' \"$cluster\" | jq '[.members[] | select(.role != \"leader\") | .lag | numbers] | max // 0')\"",
    "metric() {",
    `  aws --region "$REGION" cloudwatch put-metric-data --namespace ${DATABASE_METRIC_NAMESPACE} --metric-name "$1" --value "$2" --dimensions "Cluster=$CLUSTER"`,
    "}",
    'metric StandbysStreaming "$streaming"',
    'metric ReplicationLagBytes "$lag"',
    'echo "fitness-patroni-monitor: $CLUSTER: $streaming standby(s) streaming, max lag $lag bytes"',
    "",
  ].join("\n");
}

export interface UnitFile {
  readonly path: string;
  readonly content: string;
}

export function renderPatroniUnits(): UnitFile[] {
  return [
    {
      path: `/etc/systemd/system/${L.patroniUnit}.d/10-fitness.conf`,
      content: [
        "[Unit]",
        "# The cluster lives on the EBS data volume: never start without it.",
        `RequiresMountsFor=${L.dataMount}`,
        "After=network-online.target",
        "Wants=network-online.target",
        "",
        "[Service]",
        "# Debian's unit does not restart Patroni; a member that crashed must come back and rejoin on its own.",
        "Restart=on-failure",
        "RestartSec=5",
        "TimeoutStopSec=120",
        "",
      ].join("\n"),
    },
    {
      path: `/etc/systemd/system/${MONITOR_UNIT}.service`,
      content: ["[Unit]", "Description=Replication health of the Patroni cluster (alarms)", `After=${L.patroniUnit}`, "", "[Service]", "Type=oneshot", `ExecStart=${L.patroniMonitorScript}`, ""].join("\n"),
    },
    {
      path: `/etc/systemd/system/${MONITOR_UNIT}.timer`,
      content: ["[Unit]", "Description=Replication health every minute", "", "[Timer]", "OnBootSec=2min", "OnUnitActiveSec=1min", "", "[Install]", "WantedBy=timers.target", ""].join("\n"),
    },
  ];
}
