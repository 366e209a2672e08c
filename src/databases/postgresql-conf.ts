import { Address4 } from "ip-address";
import type { MemorySettings } from "./memory-settings";

/** Where the server's files live; the host and the host tests differ only here. */
export interface PostgresPaths {
  readonly dataDirectory: string;
  readonly hbaFile: string;
  readonly identFile: string;
  readonly sslCertFile: string;
  readonly sslKeyFile: string;
  readonly unixSocketDirectory: string;
  /** Debian's pg_ctlcluster tracks the server through this file. */
  readonly externalPidFile?: string;
  /** Drop-ins (e.g. pgBackRest's archive settings) read after everything here, so they may override. */
  readonly includeDir?: string;
}

export interface PostgresqlConfParams {
  /**
   * `standalone`: the whole configuration (a single host run by postgresql@.service). `patroni`: the
   * file Patroni includes as `custom_conf`; Patroni's own postgresql.conf sets the files, the listen
   * address, the port, max_connections and the replication settings, so they are left out here.
   */
  readonly managedBy?: "standalone" | "patroni";
  /** The host's fixed private address: the server listens there only (no wildcard, no other NIC). */
  readonly listenAddress: string;
  readonly port: number;
  readonly maxConnections: number;
  readonly memory: MemorySettings;
  readonly paths: PostgresPaths;
  readonly clusterName?: string;
}

/** Settings that are security decisions, listed once so tests and docs can point at them. */
export const SECURITY_SETTINGS = {
  ssl: "on",
  ssl_min_protocol_version: "'TLSv1.2'",
  ssl_prefer_server_ciphers: "on",
  ssl_ciphers: "'HIGH:!aNULL:!MD5:!3DES:!RC4'",
  password_encryption: "'scram-sha-256'",
  authentication_timeout: "'30s'",
  log_connections: "on",
  log_disconnections: "on",
  log_statement: "'ddl'",
} as const;

function quote(value: string): string {
  if (/[\n\r]/.test(value)) throw new Error(`postgresql.conf value ${JSON.stringify(value)}: allowed: a single line`);
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

export function renderPostgresqlConf(params: PostgresqlConfParams): string {
  if (!Address4.isValid(params.listenAddress) || params.listenAddress.includes("/") || params.listenAddress === "0.0.0.0") {
    throw new Error(`listen address "${params.listenAddress}": allowed: the host's own IPv4 address (no wildcard, no CIDR)`);
  }
  if (!Number.isInteger(params.port) || params.port < 1024 || params.port > 65535) {
    throw new Error(`port ${params.port}: allowed: 1024..65535`);
  }
  const { paths, memory } = params;
  const standalone = (params.managedBy ?? "standalone") === "standalone";
  const lines: string[] = [
    "# Rendered by src/databases/postgresql-conf.ts. Changes here are overwritten by the next bootstrap run.",
    ...(standalone
      ? [
          "",
          "# Files",
          `data_directory = ${quote(paths.dataDirectory)}`,
          `hba_file = ${quote(paths.hbaFile)}`,
          `ident_file = ${quote(paths.identFile)}`,
          ...(paths.externalPidFile === undefined ? [] : [`external_pid_file = ${quote(paths.externalPidFile)}`]),
          ...(params.clusterName === undefined ? [] : [`cluster_name = ${quote(params.clusterName)}`]),
          "",
          "# Connections: the host's own address only; clients are admitted by pg_hba.conf (TLS + SCRAM from the app zone).",
          `listen_addresses = ${quote(params.listenAddress)}`,
          `port = ${params.port}`,
          `max_connections = ${params.maxConnections}`,
        ]
      : ["# Included by Patroni (custom_conf): its postgresql.conf sets files, listen address, port, max_connections and replication.", ""]),
    "superuser_reserved_connections = 3",
    `unix_socket_directories = ${quote(paths.unixSocketDirectory)}`,
    `password_encryption = ${SECURITY_SETTINGS.password_encryption}`,
    `authentication_timeout = ${SECURITY_SETTINGS.authentication_timeout}`,
    "",
    "# TLS: required by pg_hba.conf for every network connection.",
    `ssl = ${SECURITY_SETTINGS.ssl}`,
    `ssl_cert_file = ${quote(paths.sslCertFile)}`,
    `ssl_key_file = ${quote(paths.sslKeyFile)}`,
    `ssl_min_protocol_version = ${SECURITY_SETTINGS.ssl_min_protocol_version}`,
    `ssl_prefer_server_ciphers = ${SECURITY_SETTINGS.ssl_prefer_server_ciphers}`,
    `ssl_ciphers = ${SECURITY_SETTINGS.ssl_ciphers}`,
    "",
    "# Memory, derived from the instance type (src/databases/memory-settings.ts).",
    `shared_buffers = '${memory.sharedBuffersMiB}MB'`,
    `effective_cache_size = '${memory.effectiveCacheSizeMiB}MB'`,
    `maintenance_work_mem = '${memory.maintenanceWorkMemMiB}MB'`,
    `work_mem = '${memory.workMemKiB}kB'`,
    "huge_pages = 'try'",
    "",
    ...(standalone ? ["# WAL: 'replica' so that point-in-time recovery (pgBackRest, D7) can archive it.", "wal_level = 'replica'", ""] : []),
    "# Logging: who connected, and every schema change (audit).",
    "log_destination = 'stderr'",
    "log_line_prefix = '%m [%p] %q%u@%d '",
    `log_connections = ${SECURITY_SETTINGS.log_connections}`,
    `log_disconnections = ${SECURITY_SETTINGS.log_disconnections}`,
    `log_statement = ${SECURITY_SETTINGS.log_statement}`,
    "log_timezone = 'UTC'",
    "timezone = 'UTC'",
    ...(paths.includeDir === undefined ? [] : ["", "# Drop-ins of other components (backups).", `include_dir = ${quote(paths.includeDir)}`]),
    "",
  ];
  return lines.join("\n");
}
