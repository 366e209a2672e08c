import { allowlistFile, HOST_PATHS, PROXY_ZONES, type ProxyZone, type SquidPaths } from "./paths";

/**
 * Expiry on the host (D6): exceptions end on their date without a deploy. A systemd timer runs the
 * script below every hour (and at boot, and before Squid starts); it rebuilds each zone's allowlist
 * from the dated exceptions file, keeping only lines with granted <= today <= expires, and asks Squid
 * to reload when a list changed.
 */
export const EXPIRY_SCRIPT_PATH = "/usr/local/sbin/fitness-egress-allowlist";
export const EXPIRY_UNIT = "fitness-egress-allowlist";

export interface ExpiryScriptInput {
  readonly paths?: Partial<SquidPaths>;
  /** Zones to write a list for; a zone no exception names gets an empty list. */
  readonly zones?: readonly ProxyZone[];
}

const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * `--today YYYY-MM-DD` simulates a date (the host tests use it); `--no-reload` only writes the lists
 * (used before Squid starts). Exit status 0 when the lists are current, 1 when Squid could not be told.
 */
export function renderExpiryScript(input: ExpiryScriptInput = {}): string {
  const paths: SquidPaths = { ...HOST_PATHS, ...input.paths };
  const zones = input.zones ?? PROXY_ZONES;
  const lists = zones.map((zone) => `${zone}=${allowlistFile(paths, zone)}`).join(" ");
  return `#!/bin/bash
# Rebuilds the egress proxy's per-zone allowlists from the dated exceptions and reloads Squid (D6).
# Rendered by the fitness-platform program; run by ${EXPIRY_UNIT}.timer.
set -euo pipefail

exceptions=${quote(paths.exceptionsFile)}
squid=${quote(paths.squidBinary)}
squid_conf=${quote(paths.configFile)}
lists=${quote(lists)}

today="$(date -u +%F)"
reload=1
while [ $# -gt 0 ]; do
  case "$1" in
    --today) today="\${2:-}"; shift 2 || { echo "--today needs a date" >&2; exit 2; } ;;
    --no-reload) reload=0; shift ;;
    *) echo "usage: $0 [--today YYYY-MM-DD] [--no-reload]" >&2; exit 2 ;;
  esac
done
if ! [[ "$today" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then
  echo "not a date (YYYY-MM-DD): $today" >&2
  exit 2
fi
if [ ! -r "$exceptions" ]; then
  # No file means no exception: every list ends up empty, which denies everything.
  exceptions=/dev/null
fi

changed=0
for pair in $lists; do
  zone="\${pair%%=*}"
  target="\${pair#*=}"
  tmp="$(mktemp "$target.XXXXXX")"
  awk -F '\\t' -v today="$today" -v zone="$zone" '
    /^#/ || NF < 4 { next }
    {
      mine = 0
      n = split($3, zones, ",")
      for (i = 1; i <= n; i++) if (zones[i] == zone) mine = 1
    }
    !mine { next }
    $2 <= today && today <= $1 { print $4; next }
    { printf "zone %s: left out %s (%s, %s..%s)\\n", zone, $4, $5, $2, $1 > "/dev/stderr" }
  ' "$exceptions" | LC_ALL=C sort -u > "$tmp"
  chmod 0644 "$tmp"
  if [ -f "$target" ] && cmp -s "$tmp" "$target"; then
    rm -f "$tmp"
  else
    mv -f "$tmp" "$target"
    changed=1
    echo "allowlist for zone $zone on $today: $(wc -l < "$target") name(s)"
  fi
done

if [ "$changed" = 1 ] && [ "$reload" = 1 ]; then
  if "$squid" -f "$squid_conf" -k check 2>/dev/null; then
    "$squid" -f "$squid_conf" -k reconfigure
    echo "squid reconfigured"
  else
    echo "squid is not running; it reads the new lists when it starts"
  fi
fi
`;
}

/** The service and timer that run the script: hourly, at boot, and catching up on missed runs. */
export function renderExpiryUnits(): { service: string; timer: string; squidDropIn: string } {
  const service = `[Unit]
Description=Rebuild the egress allowlists, dropping expired exceptions (D6)
After=network-online.target

[Service]
Type=oneshot
ExecStart=${EXPIRY_SCRIPT_PATH}
`;
  const timer = `[Unit]
Description=Expire egress exceptions on their date, without a deploy (D6)

[Timer]
OnBootSec=1min
OnCalendar=hourly
AccuracySec=1s
Persistent=true

[Install]
WantedBy=timers.target
`;
  // Squid never starts (or restarts) with a list older than today.
  const squidDropIn = `[Service]
ExecStartPre=${EXPIRY_SCRIPT_PATH} --no-reload
`;
  return { service, timer, squidDropIn };
}
