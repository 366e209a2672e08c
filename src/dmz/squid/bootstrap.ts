import { APT_SOURCES_FILE, PROXY_PACKAGES } from "./debian";
import { EXPIRY_SCRIPT_PATH, EXPIRY_UNIT } from "./expiry";
import { LOG_SHIPPER_UNIT } from "./log-shipping";
import { HOST_PATHS, PROXY_PORT } from "./paths";

/** The proxy host's bootstrap, written by cloud-init and run by it once the files are in place (runcmd). */
export const BOOTSTRAP_PATH = "/usr/local/sbin/fitness-proxy-bootstrap";

/**
 * Installs Squid from the Debian archive, checks the rendered configuration with Squid itself, builds
 * today's allowlists and starts Squid and the timers. Idempotent: a second run changes nothing and
 * reloads Squid. Fails loudly (exit 1, one line naming the step) when the archive is unreachable, a
 * package cannot be installed or Squid refuses the configuration: cloud-init then reports an error and
 * the load balancer never sees a healthy host.
 */
export function renderProxyBootstrap(): string {
  const timers = [`${EXPIRY_UNIT}.timer`, `${LOG_SHIPPER_UNIT}.timer`, `${LOG_SHIPPER_UNIT}-on-stop.service`];
  return `#!/bin/bash
# Bootstrap of the egress proxy host (D6), rendered by src/dmz/squid/bootstrap.ts. No secrets in here.
set -euo pipefail
fail() { echo "fitness-proxy-bootstrap: FAILED: $*" >&2; exit 1; }
echo "fitness-proxy-bootstrap: start $(date -u +%FT%TZ)"
export DEBIAN_FRONTEND=noninteractive

# 1. Packages, from the Debian archive only (HTTPS); the image's other sources are set aside.
shopt -s nullglob
install -d -m 0755 /etc/apt/sources.disabled
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*; do
  # A second run finds sources.list already set aside.
  if [ -e "$f" ] && [ "$f" != ${APT_SOURCES_FILE} ]; then mv -f "$f" /etc/apt/sources.disabled/; fi
done
shopt -u nullglob
apt-get -q update --error-on=any || fail "apt-get update: the Debian archive in ${APT_SOURCES_FILE} is unreachable or incomplete"
# squid.conf and the logrotate file are the package's conffiles, already written: keep ours (confold).
apt-get -q install -y --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold ${PROXY_PACKAGES.join(" ")} \\
  || fail "apt-get install ${PROXY_PACKAGES.join(" ")}"

# 2. The rendered configuration, checked by Squid itself before it serves anything.
${HOST_PATHS.squidBinary} -k parse -f ${HOST_PATHS.configFile} >/dev/null 2>&1 || fail "squid -k parse refuses ${HOST_PATHS.configFile}"
systemctl daemon-reload
${EXPIRY_SCRIPT_PATH} --no-reload || fail "${EXPIRY_SCRIPT_PATH}: could not build the allowlists"

# 3. Squid (reloaded if it already runs, so a second run applies changed files) and the timers.
systemctl enable squid.service
systemctl reload-or-restart squid.service || fail "squid.service did not start (journalctl -u squid)"
systemctl enable --now ${timers.join(" ")} || fail "could not start ${timers.join(", ")}"
for i in $(seq 1 30); do
  if ss -Hltn "sport = :${PROXY_PORT}" | grep -q .; then break; fi
  sleep 1
done
ss -Hltn "sport = :${PROXY_PORT}" | grep -q . || fail "squid does not listen on ${PROXY_PORT}"
echo "fitness-proxy-bootstrap: done $(date -u +%FT%TZ)"
`;
}
