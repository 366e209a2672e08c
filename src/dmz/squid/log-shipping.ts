import { HOST_PATHS, type SquidPaths } from "./paths";

/**
 * Proxy access logs to the log archive (D5, D6): every 15 minutes the shipper moves Squid's access log
 * aside, has Squid reopen it, compresses what was moved and copies it to `proxy/` of the app log
 * bucket with the instance role (one PUT per file). A file is deleted only after its upload succeeded, so a failed run
 * ships it the next time. The S3 calls go to the regional endpoint, which the S3 gateway endpoint
 * serves when it is attached to the DMZ route table; otherwise they leave through the internet
 * gateway, still over TLS and still signed by the instance role.
 */
export const LOG_SHIPPER_PATH = "/usr/local/sbin/fitness-proxy-logship";
export const LOG_SHIPPER_UNIT = "fitness-proxy-logship";
/** Key prefix in the app log bucket (the log archive's layout). */
export const PROXY_LOG_PREFIX = "proxy";

export interface LogShipperInput {
  readonly bucket: string;
  readonly kmsKeyArn: string;
  readonly region: string;
  /** Under `proxy/`: the stack, so that two stacks sharing an archive never mix their logs. */
  readonly stack: string;
  readonly paths?: Partial<SquidPaths>;
  /** Seconds Squid gets to reopen its log before the moved file is compressed (tests use 0). */
  readonly settleSeconds?: number;
}

const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

export function renderLogShipper(input: LogShipperInput): string {
  const paths: SquidPaths = { ...HOST_PATHS, ...input.paths };
  for (const [key, value] of Object.entries({ bucket: input.bucket, region: input.region, stack: input.stack })) {
    if (!/^[a-z0-9][a-z0-9.-]*$/.test(value)) throw new Error(`log shipper: ${key} "${value}" is not a bucket, region or stack name`);
  }
  return `#!/bin/bash
# Ships the egress proxy's access logs to the log archive (D5, D6). Rendered by the fitness-platform program.
set -euo pipefail

access_log=${quote(paths.accessLog)}
squid=${quote(paths.squidBinary)}
squid_conf=${quote(paths.configFile)}
bucket=${quote(input.bucket)}
kms_key=${quote(input.kmsKeyArn)}
region=${quote(input.region)}
prefix=${quote(`${PROXY_LOG_PREFIX}/${input.stack}`)}

token="$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')"
instance="$(curl -sf -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/instance-id)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"

base="$(basename "$access_log")"

if [ -s "$access_log" ]; then
  mv "$access_log" "$access_log.$stamp"
  # Squid writes to the moved file until it has reopened the log.
  "$squid" -f "$squid_conf" -k rotate || echo "squid is not running: nothing more goes into $access_log.$stamp"
  sleep ${input.settleSeconds ?? 5}
fi

shopt -s nullglob
# Stamps start with the year; files a failed run left behind are shipped now.
for file in "$access_log".2*; do
  case "$file" in *.gz) ;; *) gzip -9 "$file" ;; esac
done
for file in "$access_log".2*.gz; do
  name="$(basename "$file")"
  day="\${name#"$base".}"
  day="\${day:0:4}/\${day:4:2}/\${day:6:2}"
  # One PUT (not a multipart upload, which would need kms:Decrypt too).
  aws s3api put-object --bucket "$bucket" --key "$prefix/$instance/$day/$name" --body "$file" \\
    --region "$region" --endpoint-url "https://s3.$region.amazonaws.com" \\
    --server-side-encryption aws:kms --ssekms-key-id "$kms_key" > /dev/null
  rm -f "$file"
done
`;
}

export function renderLogShipperUnits(): { service: string; timer: string; onStop: string } {
  const service = `[Unit]
Description=Ship the egress proxy's access logs to the log archive
After=network-online.target squid.service

[Service]
Type=oneshot
ExecStart=${LOG_SHIPPER_PATH}
`;
  const timer = `[Unit]
Description=Ship the egress proxy's access logs every 15 minutes

[Timer]
OnBootSec=5min
OnCalendar=*:0/15
Persistent=true

[Install]
WantedBy=timers.target
`;
  // Scale-in (to zero when the last exception ends) must not lose the last quarter hour of logs.
  const onStop = `[Unit]
Description=Ship the egress proxy's last access logs when the host stops
After=network-online.target squid.service
Wants=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
ExecStop=${LOG_SHIPPER_PATH}
TimeoutStopSec=120

[Install]
WantedBy=multi-user.target
`;
  return { service, timer, onStop };
}
