#!/usr/bin/env bash
# The first deploy of a platform stack, from an operator's machine (docs/runbooks/first-deploy.md):
#
#   scripts/first-deploy.sh foundation --stack dev    # every AWS resource, nothing inside the cluster
#
# Refuses when the stack already has Kubernetes resources (a foundation run would delete them). The
# phase comes from a temporary copy of Pulumi.<stack>.yaml passed with --config-file, so the committed
# stack file never holds it. Everything after this runs on the in-VPC deployer (deploy.yml).
set -euo pipefail

usage() { echo "usage: scripts/first-deploy.sh foundation --stack <dev|prod>" >&2; exit 2; }
[ "${1:-}" = foundation ] && [ "${2:-}" = --stack ] && [ -n "${3:-}" ] || usage
stack="$3"
root="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$root/Pulumi.$stack.yaml" ] || { echo "first-deploy: no Pulumi.$stack.yaml" >&2; exit 2; }

existing=$(cd "$root" && pulumi stack export --stack "$stack" 2>/dev/null | jq '[.deployment.resources[]? | select(.type | startswith("kubernetes:"))] | length' || echo 0)
if [ "${existing:-0}" != 0 ]; then
  echo "first-deploy: stack $stack already has $existing Kubernetes resources; a foundation run would delete them. Deploy with deploy.yml instead." >&2
  exit 1
fi

config="$(mktemp --suffix=.yaml)"
trap 'rm -f "$config"' EXIT
# The committed stack file plus `deploy.phase: foundation` under the existing `fitness-platform:deploy` key.
awk '{ print } /^  fitness-platform:deploy:$/ { print "    phase: foundation" }' "$root/Pulumi.$stack.yaml" > "$config"
grep -q '^    phase: foundation$' "$config" || { echo "first-deploy: Pulumi.$stack.yaml has no fitness-platform:deploy key" >&2; exit 2; }
cd "$root"
pulumi up --stack "$stack" --config-file "$config" --policy-pack policy --policy-pack-config "policy/config/$stack.json" --diff
