import { encodeUserData } from "../conventions/user-data";
import { type BootstrapExtras, validateExtras } from "./bootstrap-extras";
import { HOST_LAYOUT, nvmeDevicePath } from "./host-layout";
import { bootstrapGuard, ssmAgentBlock } from "./bootstrap-guard";
import { fetchSetup } from "./member-setup";
import { MONITOR_UNIT } from "./patroni-scripts";
import { shQuote, WRITE_FILE_FUNCTION, writeFileBlock } from "./shell";

/** Where the host gets Debian packages on first boot (see docs/decisions.md, "Database hosts install packages from a mirror"). */
export type PackageSource =
  | { readonly kind: "mirror"; readonly mirrorUrl: string }
  | { readonly kind: "proxy"; readonly proxyUrl: string };

/** The Debian archive host the proxy must admit (an egress exception for the data zone) in proxy mode. */
export const DEBIAN_ARCHIVE_HOST = "deb.debian.org";

/** Where the secrets script puts things; the host uses HOST_LAYOUT, the host tests a lab directory. */
export interface SecretsScriptPaths {
  readonly tlsDirectory: string;
  readonly socketDirectory: string;
  readonly port: number;
  readonly rolesSql: string;
  readonly systemdUnit: string;
  /** Patroni members: where Patroni's passwords go (its unit's EnvironmentFile). */
  readonly patroniEnvironment?: string;
}

export interface SecretsScriptParams {
  readonly region: string;
  /** Name or ARN of the host's TLS secret: JSON {privateKeyPem, certificatePem, caCertificatePem}. */
  readonly tlsSecretId: string;
  /** Per owning service: its credentials secret (JSON with `password`) and the variable the SQL reads. */
  readonly credentials: readonly { readonly secretId: string; readonly passwordEnv: string }[];
  /** Patroni members: the secret holding {replicationPassword, rewindPassword, restApiPassword}. */
  readonly patroniSecretId?: string;
  readonly paths?: SecretsScriptPaths;
}

export interface UserDataParams extends SecretsScriptParams {
  readonly domain: string;
  readonly volumeId: string;
  readonly packageSource: PackageSource;
  readonly postgresqlConf: string;
  readonly pgHba: string;
  /** SSM parameter holding the script that writes the roles SQL (src/databases/member-setup.ts). */
  readonly rolesParameter: string;
  readonly extras?: BootstrapExtras;
  /** A member of a Patroni cluster: Patroni runs the server (postgresqlConf is then its custom_conf). */
  readonly patroni?: { readonly member: string; readonly privateIp: string; readonly setupParameter: string; readonly secretId: string };
}

export { USER_DATA_LIMIT_BYTES } from "../conventions/user-data";

const L = HOST_LAYOUT;
const PACKAGES = [`postgresql-${L.postgresVersion}`, "awscli", "jq", "ca-certificates"];
/**
 * Patroni 3.0.2 of Debian 12 with its etcd client dependencies, and curl for the monitor. python3-urllib3 only
 * suggests python3-idna, without which Patroni's HTTPS to etcd fails ("No module named 'idna'", seen in the
 * failover host test): installed explicitly, since hosts install without recommends.
 */
const PATRONI_PACKAGES = ["patroni", "python3-etcd", "python3-psycopg2", "python3-idna", "curl"];
const SECRET_ID = /^[A-Za-z0-9/_+=.@:-]+$/;

/**
 * `fitness-db-secrets tls|roles|all`: reads this host's secrets from Secrets Manager (through the
 * interface endpoint, with the instance role) and applies them: the TLS key and certificate to files
 * only the postgres user can read, the service passwords to environment variables of the one psql run
 * that sets them. Nothing is echoed or written elsewhere. Rerun it after rotating a password or a cert.
 */
export function renderSecretsScript(params: SecretsScriptParams): string {
  for (const id of [params.tlsSecretId, ...params.credentials.map((c) => c.secretId), ...(params.patroniSecretId === undefined ? [] : [params.patroniSecretId])]) {
    if (!SECRET_ID.test(id)) throw new Error(`secret id "${id}": allowed: a Secrets Manager name or ARN`);
  }
  const paths = params.paths ?? HOST_LAYOUT;
  const unit = paths.systemdUnit.replace(/\.service$/, "");
  const patroni = params.patroniSecretId === undefined ? undefined : { secretId: params.patroniSecretId, env: paths.patroniEnvironment ?? HOST_LAYOUT.patroniEnvironment };
  const roleLines = params.credentials.flatMap((c) => [
    `  ${c.passwordEnv}="$(fetch ${shQuote(c.secretId)} | jq -er .password)"`,
    `  export ${c.passwordEnv}`,
  ]);
  return [
    "#!/bin/bash",
    "# Rendered by src/databases/bootstrap.ts. Fetches this host's secrets and applies them; prints none.",
    "set -euo pipefail",
    "umask 077",
    `REGION=${shQuote(params.region)}`,
    `TLS_DIR=${shQuote(paths.tlsDirectory)}`,
    "",
    "# Secrets Manager through the VPC endpoint; IAM may lag behind a new instance role, so retry a while.",
    "fetch() {",
    "  local attempt",
    "  for attempt in $(seq 1 30); do",
    '    if aws --region "$REGION" secretsmanager get-secret-value --secret-id "$1" --query SecretString --output text; then return 0; fi',
    '    echo "fitness-db-secrets: $1 not readable yet (attempt $attempt)" >&2',
    "    sleep 10",
    "  done",
    "  return 1",
    "}",
    "",
    "apply_tls() {",
    "  local json",
    `  json="$(fetch ${shQuote(params.tlsSecretId)})"`,
    '  install -d -m 0700 -o postgres -g postgres "$TLS_DIR"',
    "  printf '%s' \"$json\" | jq -er .privateKeyPem > \"$TLS_DIR/server.key.new\"",
    "  printf '%s' \"$json\" | jq -er .certificatePem > \"$TLS_DIR/server.crt.new\"",
    "  printf '%s' \"$json\" | jq -er .caCertificatePem > \"$TLS_DIR/ca.crt.new\"",
    '  chown postgres:postgres "$TLS_DIR"/*.new',
    '  chmod 0600 "$TLS_DIR/server.key.new"',
    '  chmod 0644 "$TLS_DIR/server.crt.new" "$TLS_DIR/ca.crt.new"',
    '  for f in server.key server.crt ca.crt; do mv -f "$TLS_DIR/$f.new" "$TLS_DIR/$f"; done',
    `  if systemctl is-active --quiet ${unit}; then systemctl reload ${unit}; fi`,
    "}",
    "",
    ...(patroni === undefined
      ? []
      : [
          "# Patroni's passwords, for its unit's EnvironmentFile (read by systemd as root; never on a command line).",
          "apply_patroni() {",
          "  local json repl rewind api",
          `  json="$(fetch ${shQuote(patroni.secretId)})"`,
          "  repl=\"$(printf '%s' \"$json\" | jq -er .replicationPassword)\"",
          "  rewind=\"$(printf '%s' \"$json\" | jq -er .rewindPassword)\"",
          "  api=\"$(printf '%s' \"$json\" | jq -er .restApiPassword)\"",
          `  install -d -m 0755 "$(dirname ${shQuote(patroni.env)})"`,
          "  printf 'PATRONI_REPLICATION_PASSWORD=%s\\nPATRONI_REWIND_PASSWORD=%s\\nPATRONI_RESTAPI_PASSWORD=%s\\n' \"$repl\" \"$rewind\" \"$api\" \\",
          `    > ${shQuote(`${patroni.env}.new`)}`,
          `  chmod 0600 ${shQuote(`${patroni.env}.new`)}`,
          `  mv -f ${shQuote(`${patroni.env}.new`)} ${shQuote(patroni.env)}`,
          "}",
          "",
        ]),
    "apply_roles() {",
    ...(patroni === undefined
      ? []
      : [
          "  # Only the leader writes; standbys receive the roles by replication.",
          `  if [ "$(runuser -u postgres -- psql -X -A -t -q -h ${shQuote(paths.socketDirectory)} -p ${paths.port} -d postgres -c 'select pg_is_in_recovery()')" != f ]; then`,
          '    echo "fitness-db-secrets: this member is a standby: roles come from the leader" >&2; return 0',
          "  fi",
        ]),
    ...roleLines,
    `  runuser -u postgres -- psql -X -q -h ${shQuote(paths.socketDirectory)} -p ${paths.port} -d postgres -f ${shQuote(paths.rolesSql)}`,
    "}",
    "",
    'case "${1:-all}" in',
    "  tls) apply_tls ;;",
    "  roles) apply_roles ;;",
    ...(patroni === undefined
      ? ["  all) apply_tls; apply_roles ;;", '  *) echo "usage: $0 tls|roles|all" >&2; exit 2 ;;']
      : ["  patroni) apply_patroni ;;", "  all) apply_tls; apply_patroni; apply_roles ;;", '  *) echo "usage: $0 tls|patroni|roles|all" >&2; exit 2 ;;']),
    "esac",
    "",
  ].join("\n");
}

/** Replaces every apt source of the image by ours (the mirror, or Debian through the proxy). */
export function aptSourceBlock(apt: { sources: string; aptConf?: string }): string[] {
  return [
    "shopt -s nullglob",
    "install -d -m 0755 /etc/apt/sources.disabled",
    "for f in /etc/apt/sources.list /etc/apt/sources.list.d/*; do",
    "  # nullglob leaves the literal sources.list in the list: a second run finds it already set aside.",
    '  if [ -e "$f" ] && [ "$f" != /etc/apt/sources.list.d/fitness.sources ]; then mv -f "$f" /etc/apt/sources.disabled/; fi',
    "done",
    "shopt -u nullglob",
    writeFileBlock("/etc/apt/sources.list.d/fitness.sources", "0644", "root:root", apt.sources),
    apt.aptConf === undefined ? "rm -f /etc/apt/apt.conf.d/80fitness-proxy" : writeFileBlock("/etc/apt/apt.conf.d/80fitness-proxy", "0644", "root:root", apt.aptConf),
  ];
}

/** Waits for the EBS volume's attachment, formats it only if blank, mounts it by UUID at `mount`. */
export function dataVolumeBlock(volumeId: string, mount: string, label: string): string[] {
  return [
    `# 2. Data volume ${volumeId}: wait for the attachment, format only if blank, mount by UUID.`,
    `DEVICE=${shQuote(nvmeDevicePath(volumeId))}`,
    'for i in $(seq 1 120); do [ -e "$DEVICE" ] && break; sleep 5; done',
    `[ -e "$DEVICE" ] || { echo "fitness bootstrap: data volume ${volumeId} never appeared" >&2; exit 1; }`,
    "udevadm settle",
    'set +e; FSTYPE="$(blkid -p -s TYPE -o value "$DEVICE")"; BLKID_RC=$?; set -e',
    'case "$BLKID_RC" in',
    '  0) echo "fitness bootstrap: data volume already holds ${FSTYPE:-a partition table}: keeping it" ;;',
    `  2) mkfs.ext4 -q -L ${label} -m 1 "$DEVICE" ;;`,
    '  *) echo "fitness bootstrap: blkid failed ($BLKID_RC) on $DEVICE: refusing to format" >&2; exit 1 ;;',
    "esac",
    'UUID="$(blkid -p -s UUID -o value "$DEVICE")"',
    `install -d -m 0755 ${mount}`,
    `grep -q "^UUID=$UUID " /etc/fstab || echo "UUID=$UUID ${mount} ext4 defaults,noatime,nofail,x-systemd.device-timeout=300 0 2" >> /etc/fstab`,
    "systemctl daemon-reload",
    `mountpoint -q ${mount} || mount ${mount}`,
  ];
}

/** The mirror's signed index is what apt needs first: its absence means the mirror job has not run. */
export function mirrorReadyCheck(source: PackageSource): string[] {
  if (source.kind !== "mirror") return [];
  const index = `${source.mirrorUrl.replace(/\/+$/, "")}/debian/dists/bookworm/InRelease`;
  return [`curl -fsS -o /dev/null ${shQuote(index)} || { echo "fitness bootstrap: package mirror not ready (${index}): run the mirror job" >&2; exit 1; }`];
}

export function aptSources(source: PackageSource): { sources: string; aptConf?: string } {
  const base = source.kind === "mirror" ? source.mirrorUrl.replace(/\/+$/, "") : `https://${DEBIAN_ARCHIVE_HOST}`;
  if (!/^https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~/-]*)?$/.test(base)) {
    throw new Error(`package mirror "${base}": allowed: an https URL without credentials, query or spaces`);
  }
  const sources = [
    "Types: deb",
    `URIs: ${base}/debian`,
    "Suites: bookworm bookworm-updates",
    "Components: main",
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg",
    "",
    "Types: deb",
    `URIs: ${base}/debian-security`,
    "Suites: bookworm-security",
    "Components: main",
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg",
    "",
  ].join("\n");
  if (source.kind === "mirror") return { sources };
  if (!/^http:\/\/[A-Za-z0-9.-]+:\d+\/?$/.test(source.proxyUrl)) {
    throw new Error(`proxy URL "${source.proxyUrl}": allowed: http://<host>:<port> of the egress proxy`);
  }
  const proxy = source.proxyUrl.replace(/\/$/, "");
  return { sources, aptConf: `Acquire::http::Proxy "${proxy}";\nAcquire::https::Proxy "${proxy}";\n` };
}

/**
 * The user-data of a database host: a bash script, idempotent, so the same text can be run again through
 * SSM after a rebuild or a configuration change. It holds configuration and secret *names* only.
 */
export function renderUserData(params: UserDataParams): string {
  const extras = params.extras ?? {};
  validateExtras(extras, `database host ${params.domain}`);
  const apt = aptSources(params.packageSource);
  const unit = L.systemdUnit;
  const conf = L.configDirectory;
  const patroni = params.patroni;
  const serverUnit = patroni === undefined ? unit : L.patroniUnit;
  const secretsScript = renderSecretsScript({
    region: params.region,
    tlsSecretId: params.tlsSecretId,
    credentials: params.credentials,
    ...(patroni === undefined ? {} : { patroniSecretId: patroni.secretId, paths: { ...L, systemdUnit: serverUnit } }),
  });
  const common = [
    writeFileBlock(`${conf}/pg_hba.conf`, "0640", "postgres:postgres", params.pgHba),
    writeFileBlock(`${conf}/pg_ident.conf`, "0640", "postgres:postgres", "# No user name maps: local access is peer for postgres only.\n"),
    // Read only by postgresql-common's pg_ctlcluster, which Debian's postgresql@ unit runs on a single host;
    // Patroni runs postgres and pg_ctl itself, so a member ships neither (docs/decisions.md, 2026-12-04).
    ...(patroni === undefined
      ? [
          writeFileBlock(`${conf}/pg_ctl.conf`, "0644", "postgres:postgres", "pg_ctl_options = ''\n"),
          writeFileBlock(`${conf}/environment`, "0644", "postgres:postgres", "# No extra environment.\n"),
        ]
      : []),
    writeFileBlock(L.secretsScript, "0750", "root:root", secretsScript),
    ...fetchSetup(params.region, params.rolesParameter),
  ];
  const files =
    patroni === undefined
      ? [
          writeFileBlock(`${conf}/postgresql.conf`, "0644", "postgres:postgres", params.postgresqlConf),
          writeFileBlock(`${conf}/start.conf`, "0644", "postgres:postgres", "auto\n"),
          writeFileBlock(
            `/etc/systemd/system/${unit}.d/10-fitness-data-volume.conf`,
            "0644",
            "root:root",
            `[Unit]\n# The cluster lives on the EBS data volume: never start without it.\nRequiresMountsFor=${L.dataMount}\n`,
          ),
          ...common,
        ]
      : [
          writeFileBlock(L.customConf, "0644", "postgres:postgres", params.postgresqlConf),
          // Patroni starts and stops the server; Debian's postgresql@ unit must leave it alone.
          writeFileBlock(`${conf}/start.conf`, "0644", "postgres:postgres", "manual\n"),
          ...fetchSetup(params.region, patroni.setupParameter),
          ...common,
        ];
  const extraFiles = (extras.extraFiles ?? []).map((f) => writeFileBlock(f.path, f.mode, f.owner ?? "root:root", f.content));
  const packages = [...PACKAGES, ...(patroni === undefined ? [] : PATRONI_PACKAGES), ...(extras.extraPackages ?? [])];

  const script = [
    "#!/bin/bash",
    `# Bootstrap of the PostgreSQL host of data domain "${params.domain}", rendered by src/databases/bootstrap.ts.`,
    "# It holds no secret: the TLS key and the service passwords are fetched from Secrets Manager at boot.",
    "# Idempotent: run it again (SSM Run Command) after a rebuild or a configuration change.",
    "set -euo pipefail",
    `exec > >(tee -a ${L.bootstrapLog}) 2>&1`,
    'echo "fitness bootstrap: start $(date -u +%FT%TZ)"',
    "export DEBIAN_FRONTEND=noninteractive",
    "umask 022",
    ...bootstrapGuard(params.region, patroni?.member ?? params.domain),
    "",
    ...WRITE_FILE_FUNCTION,
    "",
    ...ssmAgentBlock(params.region),
    "",
    `# 1. Package source: ${params.packageSource.kind === "mirror" ? "the Debian mirror reached through a VPC endpoint" : "the egress proxy (temporary exception)"}.`,
    "#    Debian must not create its default cluster: ours lives on the data volume.",
    writeFileBlock("/etc/postgresql-common/createcluster.d/00-fitness.conf", "0644", "root:root", "create_main_cluster = false\n"),
    ...aptSourceBlock(apt),
    "",
    ...dataVolumeBlock(params.volumeId, L.dataMount, "pgdata"),
    "",
    "# 3. Packages. The mirror must be filled first (its signed index is the readiness marker): fail loudly, retry later.",
    ...mirrorReadyCheck(params.packageSource),
    "apt-get -q update",
    `apt-get -q install -y --no-install-recommends ${packages.join(" ")}`,
    "",
    ...(patroni === undefined
      ? [
          "# 4. The cluster on the data volume: created once, adopted as it is after a rebuild.",
          `install -d -m 0700 -o postgres -g postgres ${L.dataMount}/${L.postgresVersion} ${L.dataDirectory}`,
          `if [ ! -f ${L.dataDirectory}/PG_VERSION ]; then`,
          `  runuser -u postgres -- ${L.binDirectory}/initdb -D ${L.dataDirectory} --data-checksums --encoding=UTF8 --locale=C.UTF-8 --auth-local=peer --auth-host=reject`,
          "fi",
          "",
        ]
      : [
          "# 4. The data directory on the volume; Patroni initialises it (first leader) or clones the leader (standby).",
          `install -d -m 0700 -o postgres -g postgres ${L.dataMount}/${L.postgresVersion}`,
          `systemctl disable --now ${unit} 2>/dev/null || true`,
          "",
        ]),
    "# 5. Configuration, scripts and the files of other components.",
    `install -d -m 0755 -o postgres -g postgres ${conf} ${L.includeDirectory}`,
    ...files,
    ...extraFiles,
    "",
    "# 6. TLS material from Secrets Manager, then the server.",
    `${L.secretsScript} tls`,
    ...(patroni === undefined ? [] : [`${L.secretsScript} patroni`]),
    "systemctl daemon-reload",
    `systemctl enable ${serverUnit}`,
    `systemctl restart ${serverUnit}`,
    ...(patroni === undefined
      ? [`for i in $(seq 1 60); do pg_isready -q -h ${L.socketDirectory} -p ${L.port} && break; sleep 2; done`, `pg_isready -h ${L.socketDirectory} -p ${L.port}`]
      : [
          `systemctl enable --now ${MONITOR_UNIT}.timer`,
          "# A standby first clones the leader: wait until Patroni reports the server running (REST /health).",
          `for i in $(seq 1 180); do curl -sf -o /dev/null --cacert ${L.tlsDirectory}/ca.crt https://${patroni.privateIp}:${L.restApiPort}/health && break; sleep 5; done`,
          `curl -sf -o /dev/null --cacert ${L.tlsDirectory}/ca.crt https://${patroni.privateIp}:${L.restApiPort}/health`,
        ]),
    "",
    "# 7. Service roles and databases (passwords from Secrets Manager, never on disk; on the leader only).",
    `${L.secretsScript} roles`,
    ...((extras.extraCommands ?? []).length > 0 ? ["", "# 8. Commands of other components.", ...(extras.extraCommands ?? [])] : []),
    "",
    `install -d -m 0755 ${L.bootstrapMarker.replace(/\/[^/]+$/, "")}`,
    `date -u +%FT%TZ > ${L.bootstrapMarker}`,
    'echo "fitness bootstrap: done $(date -u +%FT%TZ)"',
    "",
  ].join("\n");

  // Shipped gzip-compressed (userDataBase64): the limit applies to those bytes.
  encodeUserData(script, `database host ${params.domain}`);
  return script;
}
