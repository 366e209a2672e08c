import { encodeUserData } from "../conventions/user-data";
import { type PackageSource, aptSourceBlock, aptSources, dataVolumeBlock, mirrorReadyCheck } from "./bootstrap";
import { bootstrapGuard, ssmAgentBlock } from "./bootstrap-guard";
import { HOST_LAYOUT } from "./host-layout";
import { shQuote, WRITE_FILE_FUNCTION, writeFileBlock } from "./shell";

/**
 * The user-data of a consensus node: Debian's etcd 3.4 with our configuration, its data on the
 * encrypted data volume, TLS material from Secrets Manager. Idempotent, like the database bootstrap.
 */
export interface EtcdUserDataParams {
  readonly node: string;
  readonly privateIp: string;
  readonly region: string;
  readonly volumeId: string;
  readonly packageSource: PackageSource;
  readonly etcdConf: string;
  /** JSON {privateKeyPem, certificatePem, caCertificatePem}. */
  readonly tlsSecretId: string;
}

const L = HOST_LAYOUT;

export function renderEtcdUserData(p: EtcdUserDataParams): string {
  if (!/^[A-Za-z0-9/_+=.@:-]+$/.test(p.tlsSecretId)) throw new Error(`secret id "${p.tlsSecretId}": allowed: a Secrets Manager name or ARN`);
  const tls = L.etcdTlsDirectory;
  const script = [
    "#!/bin/bash",
    `# Bootstrap of consensus node ${p.node} (etcd for Patroni), rendered by src/databases/etcd-bootstrap.ts. No secret inside.`,
    "set -euo pipefail",
    `exec > >(tee -a ${L.bootstrapLog}) 2>&1`,
    'echo "fitness bootstrap: start $(date -u +%FT%TZ)"',
    "export DEBIAN_FRONTEND=noninteractive",
    "umask 022",
    ...bootstrapGuard(p.region, p.node),
    "",
    ...WRITE_FILE_FUNCTION,
    "",
    ...ssmAgentBlock(p.region),
    "",
    "# 1. Package source.",
    ...aptSourceBlock(aptSources(p.packageSource)),
    "",
    ...dataVolumeBlock(p.volumeId, L.etcdDataMount, "etcd"),
    "",
    "# 3. Packages; Debian would start etcd with its default configuration on install: not before ours is in place.",
    ...mirrorReadyCheck(p.packageSource),
    writeFileBlock("/usr/sbin/policy-rc.d", "0755", "root:root", "#!/bin/sh\nexit 101\n"),
    "apt-get -q update",
    "apt-get -q install -y --no-install-recommends etcd-server etcd-client awscli jq ca-certificates",
    "rm -f /usr/sbin/policy-rc.d",
    "",
    "# 4. TLS from Secrets Manager (IAM may lag behind a new role: retry), readable by etcd only.",
    `for i in $(seq 1 30); do JSON="$(aws --region ${shQuote(p.region)} secretsmanager get-secret-value --secret-id ${shQuote(p.tlsSecretId)} --query SecretString --output text)" && break; sleep 10; done`,
    '[ -n "${JSON:-}" ] || { echo "fitness bootstrap: TLS secret not readable" >&2; exit 1; }',
    `install -d -m 0700 -o etcd -g etcd ${tls}`,
    "(umask 077",
    ` printf '%s' "$JSON" | jq -er .privateKeyPem > ${tls}/server.key`,
    ` printf '%s' "$JSON" | jq -er .certificatePem > ${tls}/server.crt`,
    ` printf '%s' "$JSON" | jq -er .caCertificatePem > ${tls}/ca.crt)`,
    "unset JSON",
    `chown etcd:etcd ${tls}/*`,
    "",
    "# 5. Configuration: etcd reads only its --config-file.",
    writeFileBlock(L.etcdConfig, "0644", "root:root", p.etcdConf),
    writeFileBlock("/etc/default/etcd", "0644", "root:root", `DAEMON_ARGS="--config-file ${L.etcdConfig}"\n`),
    `install -d -m 0700 -o etcd -g etcd ${L.etcdDataDirectory}`,
    `chown etcd:etcd ${L.etcdDataMount}`,
    "",
    "# 6. Start; the other nodes boot at the same time, so health (quorum) may take a while.",
    "systemctl daemon-reload",
    "systemctl enable etcd",
    "systemctl restart etcd",
    `for i in $(seq 1 60); do ETCDCTL_API=3 etcdctl --endpoints=https://${p.privateIp}:${L.etcdClientPort} --cacert=${tls}/ca.crt --cert=${tls}/server.crt --key=${tls}/server.key endpoint health && break; sleep 5; done`,
    `install -d -m 0755 ${L.bootstrapMarker.replace(/\/[^/]+$/, "")}`,
    `date -u +%FT%TZ > ${L.bootstrapMarker}`,
    'echo "fitness bootstrap: done $(date -u +%FT%TZ)"',
    "",
  ].join("\n");
  // Shipped gzip-compressed (userDataBase64): the limit applies to those bytes.
  encodeUserData(script, `consensus node ${p.node}`);
  return script;
}
