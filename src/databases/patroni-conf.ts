import { renderYaml } from "../config/yaml-reader";
import { Address4 } from "ip-address";
import type { ReplicationConfig } from "../config/sections/databases";
import { HOST_LAYOUT } from "./host-layout";

/**
 * The Patroni configuration of one member of a domain's cluster (Patroni 3.0.2, Debian 12). Patroni owns
 * the server: it writes its own postgresql.conf in config_dir, which includes ours (`custom_conf`) first
 * and then sets the files, addresses and replication settings; pg_hba.conf stays ours (`hba_file`), so
 * Patroni never rewrites who may connect. Passwords are not here: Patroni reads PATRONI_*_PASSWORD from
 * the environment file the secrets script writes at boot (Debian's unit: EnvironmentFile).
 *
 * Facts relied on (Patroni 3.0 documentation, "YAML Configuration Settings" and "Replication modes"):
 * - bootstrap.dcs is written to the DCS once, by the member that initialises the cluster;
 * - synchronous_mode with synchronous_mode_strict off: the leader drops the synchronous requirement when
 *   no standby is healthy, so losing the standby does not stop writes, and only a member listed as
 *   synchronous may be promoted, so no acknowledged commit is lost on failover;
 * - a leader that cannot renew its leader key within `ttl` demotes itself (no split brain);
 * - use_pg_rewind lets a former primary rejoin as a standby without an operator.
 */
export interface PatroniMember {
  readonly name: string;
  readonly privateIp: string;
}

export interface PatroniConfParams {
  /** The Patroni scope: the data domain. */
  readonly scope: string;
  /** DCS key prefix shared by the stack's clusters: `/<project>-<stack>/`. */
  readonly namespace: string;
  readonly member: PatroniMember;
  readonly etcdHosts: readonly string[];
  readonly replication: ReplicationConfig;
  readonly maxConnections: number;
  readonly port: number;
  /** The role names Patroni uses for streaming replication and pg_rewind. */
  readonly replicationUser: string;
  readonly rewindUser: string;
  readonly restApiUser: string;
}

export const REPLICATION_USER = "replicator";
export const REWIND_USER = "rewinder";
export const REST_API_USER = "patroni";

const L = HOST_LAYOUT;

function ip(value: string, what: string): string {
  if (!Address4.isValid(value) || value.includes("/") || value === "0.0.0.0") throw new Error(`${what} "${value}": allowed: a host's own IPv4 address`);
  return value;
}

export function renderPatroniConf(p: PatroniConfParams): string {
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(p.scope)) throw new Error(`Patroni scope "${p.scope}": allowed: lower-case letters, digits and hyphens`);
  if (!/^\/[a-z0-9-]+\/$/.test(p.namespace)) throw new Error(`Patroni namespace "${p.namespace}": allowed: /<lower-case name>/`);
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(p.member.name)) throw new Error(`Patroni member "${p.member.name}": allowed: lower-case letters, digits and hyphens`);
  if (p.etcdHosts.length === 0) throw new Error(`Patroni member ${p.member.name}: allowed: at least one etcd host`);
  const address = ip(p.member.privateIp, `Patroni member ${p.member.name} address`);
  const tls = { cert: `${L.tlsDirectory}/server.crt`, key: `${L.tlsDirectory}/server.key`, ca: `${L.tlsDirectory}/ca.crt` };
  const r = p.replication;
  const conf = {
    scope: p.scope,
    namespace: p.namespace,
    name: p.member.name,
    log: { level: "INFO" },
    restapi: {
      listen: `${address}:${L.restApiPort}`,
      connect_address: `${address}:${L.restApiPort}`,
      certfile: tls.cert,
      keyfile: tls.key,
      // Unsafe endpoints (switchover, restart, config) need the password; health checks are reads.
      authentication: { username: p.restApiUser },
    },
    ctl: { cacert: tls.ca, insecure: false },
    etcd3: {
      hosts: p.etcdHosts.map((h) => `${ip(h, "etcd host")}:${L.etcdClientPort}`),
      protocol: "https",
      cacert: tls.ca,
      cert: tls.cert,
      key: tls.key,
    },
    bootstrap: {
      dcs: {
        ttl: r.ttlSeconds,
        loop_wait: r.loopWaitSeconds,
        retry_timeout: r.retryTimeoutSeconds,
        maximum_lag_on_failover: r.maximumLagOnFailoverMiB * 1024 * 1024,
        synchronous_mode: r.synchronous,
        synchronous_mode_strict: false,
        synchronous_node_count: 1,
        check_timeline: true,
        postgresql: {
          use_pg_rewind: true,
          use_slots: true,
          parameters: {
            max_connections: p.maxConnections,
            wal_level: "replica",
            hot_standby: "on",
            wal_log_hints: "on",
            max_wal_senders: 10,
            max_replication_slots: 10,
            wal_keep_size: "1GB",
            synchronous_commit: "on",
          },
        },
      },
      // The same cluster shape the single-host bootstrap's initdb creates.
      initdb: ["data-checksums", { encoding: "UTF8" }, { locale: "C.UTF-8" }, { "auth-local": "peer" }, { "auth-host": "reject" }],
    },
    postgresql: {
      listen: `${address}:${p.port}`,
      connect_address: `${address}:${p.port}`,
      data_dir: L.dataDirectory,
      config_dir: L.configDirectory,
      bin_dir: L.binDirectory,
      pgpass: "/var/lib/postgresql/.pgpass.patroni",
      custom_conf: L.customConf,
      use_unix_socket: true,
      authentication: {
        superuser: { username: "postgres" },
        replication: { username: p.replicationUser, sslmode: "verify-full", sslrootcert: tls.ca },
        rewind: { username: p.rewindUser, sslmode: "verify-full", sslrootcert: tls.ca },
      },
      parameters: {
        hba_file: `${L.configDirectory}/pg_hba.conf`,
        ident_file: `${L.configDirectory}/pg_ident.conf`,
        unix_socket_directories: L.socketDirectory,
        cluster_name: `${L.postgresVersion}/${L.clusterName}`,
      },
      callbacks: { on_role_change: L.patroniEventScript },
    },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  };
  return `# Rendered by src/databases/patroni-conf.ts; passwords come from ${L.patroniEnvironment}.\n${renderYaml(conf)}`;
}
