#!/bin/bash
# Restore drill (D7): restores a database host's pgBackRest stanza to a point in time on a throwaway host,
# checks the data with a query, and prints the measured recovery time. See docs/runbooks/restore.md.
#
#   restore-drill.sh aws   --stack <stack> --domain <domain> --target '<timestamp>' --check-sql '<sql>' [--expect '<value>'] [--database <db>] [--instance-type t3.large] [--disk-gib 100] [--keep]
#       Launches a throwaway instance from the hosts' AMI in the data zone with the restore role (reads the
#       repository, writes nothing), installs PostgreSQL and pgBackRest from the mirror, takes the host's
#       own pgbackrest.conf and passphrase, runs the local mode there through SSM, then terminates it.
#
#   restore-drill.sh local --stanza <stanza> --target '<timestamp>' --check-sql '<sql>' [--expect '<value>'] [--database <db>] [--workdir <dir>] [--port 5499] [--pg-bin /usr/lib/postgresql/15/bin] [--keep]
#       On a host that has pgBackRest configured for the stanza (a throwaway host, or the host tests):
#       restores into a fresh data directory, starts a server on a private socket, runs the check, stops.
#       pgBackRest's configuration is its own (PGBACKREST_* environment variables apply, as always).
set -euo pipefail

MODE="${1:-}"; shift || true
STACK="" DOMAIN="" STANZA="" TARGET="" CHECK_SQL="" EXPECT="" DATABASE="postgres" WORKDIR="" PORT=5499
PG_BIN=/usr/lib/postgresql/15/bin INSTANCE_TYPE=t3.large DISK_GIB=100 KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --stack) STACK="$2"; shift 2 ;;
    --domain) DOMAIN="$2"; shift 2 ;;
    --stanza) STANZA="$2"; shift 2 ;;
    --target) TARGET="$2"; shift 2 ;;
    --check-sql) CHECK_SQL="$2"; shift 2 ;;
    --expect) EXPECT="$2"; shift 2 ;;
    --database) DATABASE="$2"; shift 2 ;;
    --workdir) WORKDIR="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --pg-bin) PG_BIN="$2"; shift 2 ;;
    --instance-type) INSTANCE_TYPE="$2"; shift 2 ;;
    --disk-gib) DISK_GIB="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "restore-drill: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

say() { echo "restore-drill: $*" >&2; }
die() { say "$*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

[ -n "$TARGET" ] || die "--target '<timestamp>' is required (e.g. '2026-11-24 10:15:00+00')"
[ -n "$CHECK_SQL" ] || die "--check-sql '<query>' is required: a drill that checks nothing proves nothing"

local_drill() {
  [ -n "$STANZA" ] || die "--stanza is required"
  [ "$(id -u)" -eq 0 ] || die "run as root (the restore runs as the postgres user)"
  # Globals: the EXIT trap runs after this function has returned.
  owned=0
  if [ -z "$WORKDIR" ]; then WORKDIR="$(mktemp -d /tmp/restore-drill.XXXXXX)"; owned=1; fi
  data="$WORKDIR/data" log="$WORKDIR/postgresql.log"
  cleanup_local() {
    if [ -f "$data/postmaster.pid" ]; then runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    if [ "$KEEP" -eq 0 ]; then rm -rf "$data" "$log"; if [ "$owned" -eq 1 ]; then rm -rf "$WORKDIR"; fi; fi
  }
  trap cleanup_local EXIT
  install -d -m 0755 "$WORKDIR"
  [ ! -e "$data" ] || die "$data exists: the drill restores into a fresh directory only"
  install -d -m 0700 -o postgres -g postgres "$data"
  chown postgres:postgres "$WORKDIR"

  local started; started="$(now)"
  say "restoring stanza $STANZA to $TARGET into $data"
  # archive-mode=off: the restored copy must never archive into the production repository. A spool path of
  # its own: restore clears the stanza's queue under the spool path, which on a live host would take the
  # async archive-push queue (WAL not yet in the repository) with it, or race it (ENOTEMPTY).
  install -d -m 0750 -o postgres -g postgres "$WORKDIR/spool"
  runuser -u postgres -- pgbackrest --stanza="$STANZA" --pg1-path="$data" --spool-path="$WORKDIR/spool" --type=time --target="$TARGET" \
    --target-action=promote --archive-mode=off restore
  local restored; restored="$(elapsed "$started")"

  # The hosts keep postgresql.conf and pg_hba.conf outside the data directory: a minimal pair for the drill.
  # Recovery refuses settings below the primary's, which its control file records.
  control() { "$PG_BIN/pg_controldata" "$data" | awk -F: -v k="$1 setting" '$1 == k { gsub(/ /, "", $2); print $2 }'; }
  cat > "$data/postgresql.conf" <<CONF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$WORKDIR'
max_connections = $(control max_connections)
max_worker_processes = $(control max_worker_processes)
max_wal_senders = $(control max_wal_senders)
max_prepared_transactions = $(control max_prepared_xacts)
max_locks_per_transaction = $(control max_locks_per_xact)
# No read-only connections during recovery: the check must see the database at the target, not on the way.
hot_standby = off
CONF
  printf 'local all postgres peer\n' > "$data/pg_hba.conf"
  chown postgres:postgres "$data/postgresql.conf" "$data/pg_hba.conf"
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 86400 start >/dev/null \
    || { tail -n 30 "$log" >&2; die "the restored server did not start"; }
  local i
  for i in $(seq 1 86400); do
    [ "$(runuser -u postgres -- psql -X -A -t -q -h "$WORKDIR" -p "$PORT" -d postgres -c 'select pg_is_in_recovery()')" = "f" ] && break
    sleep 1
  done
  local total; total="$(elapsed "$started")"
  local got
  got="$(runuser -u postgres -- psql -X -A -t -q -v ON_ERROR_STOP=1 -h "$WORKDIR" -p "$PORT" -d "$DATABASE" -c "$CHECK_SQL")" \
    || die "check query failed on the restored server"
  say "check returned: $got"
  say "recovery time: ${total} s (restore ${restored} s, WAL replay and start $(awk -v t="$total" -v r="$restored" 'BEGIN { printf "%.1f", t - r }') s)"
  if [ -n "$EXPECT" ] && [ "$got" != "$EXPECT" ]; then grep -E "recovery|target|restored" "$log" | tail -n 20 >&2; die "FAILED: expected '$EXPECT'"; fi
  echo "RESTORE-DRILL-OK stanza=$STANZA target='$TARGET' recovery_seconds=$total"
}

aws_drill() {
  [ -n "$STACK" ] && [ -n "$DOMAIN" ] || die "--stack and --domain are required"
  local out region ami subnet sg profile mirror stanza conf_param script_param instance=""
  out="$(pulumi stack output backups --json --stack "$STACK")" || die "cannot read the stack outputs of $STACK"
  read_out() { jq -er "$1" <<<"$out" || die "stack output backups$1 is missing"; }
  region="$(read_out .restoreDrill.region)"
  ami="$(read_out .restoreDrill.amiId)"
  subnet="$(read_out '.restoreDrill.subnetIds[0]')"
  sg="$(read_out .restoreDrill.securityGroupId)"
  profile="$(read_out .restoreDrill.instanceProfile)"
  mirror="$(read_out .restoreDrill.packageMirrorUrl)"
  stanza="$(read_out ".restoreDrill.hosts[\"$DOMAIN\"].stanza")"
  conf_param="$(read_out ".restoreDrill.hosts[\"$DOMAIN\"].configParameter")"
  script_param="${conf_param%/config}/script"
  local started; started="$(now)"

  terminate() {
    if [ -n "$instance" ] && [ "$KEEP" -eq 0 ]; then
      say "terminating $instance"
      aws --region "$region" ec2 terminate-instances --instance-ids "$instance" >/dev/null || say "could not terminate $instance: do it by hand"
    fi
  }
  trap terminate EXIT
  instance="$(aws --region "$region" ec2 run-instances --image-id "$ami" --instance-type "$INSTANCE_TYPE" \
    --subnet-id "$subnet" --security-group-ids "$sg" --iam-instance-profile "Name=$profile" \
    --metadata-options HttpTokens=required,HttpPutResponseHopLimit=1,HttpEndpoint=enabled \
    --block-device-mappings "DeviceName=/dev/xvda,Ebs={VolumeSize=$DISK_GIB,VolumeType=gp3,Encrypted=true,DeleteOnTermination=true}" \
    --tag-specifications "ResourceType=instance,Tags=[{Key=Name,Value=restore-drill-$DOMAIN},{Key=component,Value=backups},{Key=purpose,Value=restore-drill},{Key=zone,Value=data},{Key=data-class,Value=critical}]" \
      "ResourceType=volume,Tags=[{Key=component,Value=backups},{Key=purpose,Value=restore-drill},{Key=data-class,Value=internal}]" \
    --query 'Instances[0].InstanceId' --output text)"
  say "launched $instance in $subnet; waiting for SSM"
  aws --region "$region" ec2 wait instance-status-ok --instance-ids "$instance"
  local i
  for i in $(seq 1 60); do
    [ "$(aws --region "$region" ssm describe-instance-information --filters "Key=InstanceIds,Values=$instance" --query 'length(InstanceInformationList)' --output text)" = "1" ] && break
    sleep 10
  done

  local me remote
  me="$(base64 -w0 < "${BASH_SOURCE[0]}")"
  remote="$(cat <<REMOTE
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
install -d /etc/postgresql-common/createcluster.d
echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/00-fitness.conf
rm -f /etc/apt/sources.list.d/*
printf 'Types: deb\nURIs: %s/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\nTypes: deb\nURIs: %s/debian-security\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' '$mirror' '$mirror' > /etc/apt/sources.list.d/fitness.sources
: > /etc/apt/sources.list
apt-get -q update && apt-get -q install -y --no-install-recommends postgresql-15 pgbackrest awscli jq
for p in '$conf_param' '$script_param'; do aws --region '$region' ssm get-parameter --name "\$p" --query Parameter.Value --output text | bash; done
/usr/local/sbin/fitness-pgbackrest passphrase
install -d -m 0750 -o postgres -g postgres /var/log/pgbackrest /var/spool/pgbackrest
echo '$me' | base64 -d > /usr/local/sbin/restore-drill && chmod 0755 /usr/local/sbin/restore-drill
/usr/local/sbin/restore-drill local --stanza '$stanza' --target '$TARGET' --database '$DATABASE' --check-sql $(printf '%q' "$CHECK_SQL") --expect $(printf '%q' "$EXPECT")
REMOTE
)"
  local params command status
  params="$(jq -n --arg c "$remote" '{commands: [$c], executionTimeout: ["172800"]}')"
  command="$(aws --region "$region" ssm send-command --instance-ids "$instance" --document-name AWS-RunShellScript \
    --parameters "$params" --timeout-seconds 600 --query Command.CommandId --output text)"
  say "running the restore on $instance (command $command)"
  while :; do
    sleep 15
    status="$(aws --region "$region" ssm get-command-invocation --command-id "$command" --instance-id "$instance" --query Status --output text 2>/dev/null || echo Pending)"
    case "$status" in Pending|InProgress|Delayed) ;; *) break ;; esac
  done
  aws --region "$region" ssm get-command-invocation --command-id "$command" --instance-id "$instance" --query '[StandardOutputContent,StandardErrorContent]' --output text
  say "drill took $(elapsed "$started") s end to end (launch, install, restore, check)"
  [ "$status" = "Success" ] || die "FAILED: command status $status"
}

case "$MODE" in
  local) local_drill ;;
  aws) aws_drill ;;
  *) echo "usage: $0 aws|local --target '<timestamp>' --check-sql '<sql>' ... (see the header of this script)" >&2; exit 2 ;;
esac
