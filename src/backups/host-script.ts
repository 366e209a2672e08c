import { shQuote } from "../databases/shell";
import { BACKUP_METRIC_NAMESPACE, WAL_SEGMENT_BYTES } from "./layout";

/**
 * `fitness-pgbackrest <command>`: the one script behind the bootstrap and every backup unit of a
 * database host. Each job reports to the journal (stdout/stderr of its unit) and to CloudWatch (through
 * the `monitoring` endpoint): `JobSucceeded{Host,Job}` on success, `JobFailed{Host}` on failure; the
 * monitor reports the WAL archive's health. The alarms (src/backups/alarms.ts) read these metrics.
 *
 *   passphrase       cipher passphrase from Secrets Manager → conf.d/cipher.conf (root:postgres 0440)
 *   stanza           stanza-create, then `pgbackrest check` (archiving works end to end)
 *   job full|diff    a backup (the timers' units run `job <name>`)
 *   job verify       `pgbackrest verify` of the repository
 *   job monitor      archiver state, archive queue size, dropped WAL (then a full backup at once)
 *   failed <unit>    reports a unit that failed without reporting itself (OnFailure=)
 */
export interface HostScriptPaths {
  readonly cipherFile: string;
  readonly logPath: string;
  readonly stateDirectory: string;
  readonly pgDataPath: string;
  readonly pgSocketPath: string;
  readonly pgPort: number;
}

export interface HostScriptParams {
  readonly stanza: string;
  /** The CloudWatch `Host` dimension: the data domain. */
  readonly host: string;
  readonly region: string;
  /** Secrets Manager name of the cipher passphrase: JSON {"passphrase": "..."}. */
  readonly passphraseSecretId: string;
  readonly archivePushQueueMaxMiB: number;
  readonly paths: HostScriptPaths;
  /** Seconds between attempts while IAM or the endpoints settle after a first boot. */
  readonly retryDelaySeconds?: number;
}

/** The systemd unit that takes a full backup (the monitor starts it after a WAL drop). */
export const FULL_BACKUP_UNIT = "fitness-pgbackrest@full.service";

export function renderHostScript(p: HostScriptParams): string {
  if (!/^[A-Za-z0-9/_+=.@:-]+$/.test(p.passphraseSecretId)) throw new Error(`secret id "${p.passphraseSecretId}": allowed: a Secrets Manager name or ARN`);
  const delay = p.retryDelaySeconds ?? 10;
  const queueBytes = p.archivePushQueueMaxMiB * 1024 * 1024;
  const v = (name: string, value: string | number) => `${name}=${shQuote(String(value))}`;
  return [
    "#!/bin/bash",
    "# Rendered by src/backups/host-script.ts. pgBackRest jobs of this host; prints no secret.",
    "set -euo pipefail",
    v("STANZA", p.stanza),
    v("HOST_NAME", p.host),
    v("REGION", p.region),
    v("SECRET_ID", p.passphraseSecretId),
    v("NAMESPACE", BACKUP_METRIC_NAMESPACE),
    v("CIPHER_FILE", p.paths.cipherFile),
    v("LOG_PATH", p.paths.logPath),
    v("STATE_DIR", p.paths.stateDirectory),
    v("PG_DATA", p.paths.pgDataPath),
    v("PG_SOCKET", p.paths.pgSocketPath),
    v("PG_PORT", p.paths.pgPort),
    v("QUEUE_MAX_BYTES", queueBytes),
    v("SEGMENT_BYTES", WAL_SEGMENT_BYTES),
    v("DELAY", delay),
    "",
    "say() { echo \"fitness-pgbackrest[$STANZA]: $*\" >&2; }",
    "",
    "# A failed metric must not hide the job's own result; the stale-backup alarm covers a silent host.",
    "metric() { # name value [extra dimension]",
    '  local dims="Host=$HOST_NAME"',
    '  if [ -n "${3:-}" ]; then dims="$dims,$3"; fi',
    '  aws --region "$REGION" cloudwatch put-metric-data --namespace "$NAMESPACE" --metric-name "$1" --value "$2" --dimensions "$dims" \\',
    '    || say "could not send metric $1=$2"',
    "}",
    "",
    'pgbr() { runuser -u postgres -- pgbackrest --stanza="$STANZA" "$@"; }',
    'pg_query() { runuser -u postgres -- psql -X -A -t -q -h "$PG_SOCKET" -p "$PG_PORT" -d postgres -c "$1"; }',
    "",
    "# On a Patroni standby there is nothing to back up or check: the leader's node does it (backups follow the leader).",
    "leader_only() { # command...",
    "  local recovery",
    '  recovery="$(pg_query "select pg_is_in_recovery()")" || return 1',
    '  if [ "$recovery" = t ]; then say "standby: $* runs on the leader"; return 75; fi',
    '  "$@"',
    "}",
    "",
    "retry() { # attempts command...",
    "  local n=$1 i; shift",
    '  for i in $(seq 1 "$n"); do',
    '    if "$@"; then return 0; fi',
    '    if [ "$i" -lt "$n" ]; then say "attempt $i of $n failed: $*"; sleep "$DELAY"; fi',
    "  done",
    "  return 1",
    "}",
    "",
    "job() { # name command...",
    "  local name=$1 rc=0; shift",
    '  "$@" || rc=$?',
    '  if [ "$rc" -eq 0 ]; then metric JobSucceeded 1 "Job=$name"; return 0; fi',
    "  # 75: skipped on a standby; neither a success (the leader's backups are what the alarm counts) nor a failure.",
    '  if [ "$rc" -eq 75 ]; then return 0; fi',
    '  say "$name FAILED (exit $rc); details in $LOG_PATH and the journal"',
    "  metric JobFailed 1",
    '  return "$rc"',
    "}",
    "",
    "passphrase() {",
    "  local pass",
    '  pass="$(retry 30 aws --region "$REGION" secretsmanager get-secret-value --secret-id "$SECRET_ID" --query SecretString --output text | jq -er .passphrase)"',
    '  if ! [[ "$pass" =~ ^[A-Za-z0-9_-]{32,}$ ]]; then say "secret $SECRET_ID holds no usable passphrase"; return 1; fi',
    '  install -d -m 0750 -o root -g postgres "$(dirname "$CIPHER_FILE")"',
    '  (umask 077; printf \'[global]\\nrepo1-cipher-pass=%s\\n\' "$pass" > "$CIPHER_FILE.new")',
    '  chown root:postgres "$CIPHER_FILE.new"',
    '  chmod 0440 "$CIPHER_FILE.new"',
    '  mv -f "$CIPHER_FILE.new" "$CIPHER_FILE"',
    "}",
    "",
    "monitor() {",
    "  local failing ready dropped seen=0",
    "  # Failing: the last archive attempt failed after the last success (PostgreSQL keeps the WAL and retries).",
    "  failing=\"$(pg_query \"select (coalesce(last_failed_time > coalesce(last_archived_time, 'epoch'), false))::int from pg_stat_archiver\")\" || failing=1",
    '  ready="$(find "$PG_DATA/pg_wal/archive_status" -name \'*.ready\' 2>/dev/null | wc -l)"',
    '  metric ArchiveFailing "$failing"',
    '  metric ArchiveQueueBytes "$((ready * SEGMENT_BYTES))"',
    '  if [ "$((ready * SEGMENT_BYTES * 2))" -ge "$QUEUE_MAX_BYTES" ]; then say "archive queue at $ready segment(s): half of archive-push-queue-max or more; WAL will be DROPPED at the limit"; fi',
    "  # Dropped WAL: pgBackRest's warning, counted since the last run (a rotated log starts over).",
    '  dropped="$(cat "$LOG_PATH/$STANZA"-archive-push*.log 2>/dev/null | grep -c "dropped WAL file" || true)"',
    '  install -d -m 0750 "$STATE_DIR"',
    '  if [ -f "$STATE_DIR/dropped-wal" ]; then seen="$(cat "$STATE_DIR/dropped-wal")"; fi',
    '  if [ "$dropped" -lt "$seen" ]; then seen=0; fi',
    '  echo "$dropped" > "$STATE_DIR/dropped-wal"',
    '  metric WalDropped "$((dropped - seen))"',
    '  if [ "$dropped" -gt "$seen" ]; then',
    '    say "$((dropped - seen)) WAL file(s) DROPPED (archive queue over its limit): point-in-time recovery has a gap; starting a full backup"',
    `    systemctl start --no-block ${FULL_BACKUP_UNIT}`,
    "  fi",
    '  [ "$failing" -eq 0 ]',
    "}",
    "",
    'case "${1:-}" in',
    "  passphrase) job passphrase passphrase ;;",
    "  stanza) job stanza leader_only retry 10 pgbr stanza-create; job check leader_only pgbr check ;;",
    "  job)",
    '    case "${2:-}" in',
    '      full|diff) job backup leader_only pgbr backup --type="$2" ;;',
    "      verify) job verify pgbr verify ;;",
    "      monitor) monitor ;;",
    '      *) say "job \'${2:-}\': allowed: full, diff, verify, monitor"; exit 2 ;;',
    "    esac ;;",
    '  failed) say "unit ${2:-?} failed"; metric JobFailed 1 ;;',
    '  *) say "usage: $0 passphrase|stanza|job full|diff|verify|monitor|failed <unit>"; exit 2 ;;',
    "esac",
    "",
  ].join("\n");
}
