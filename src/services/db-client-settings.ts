/**
 * How a service's libpq client notices a database host that is gone, rendered as a connection service
 * file (pg_service.conf) mounted next to the CA bundle. Pure.
 *
 * Why a file: libpq reads host, port, dbname, user, sslmode, target_session_attrs and connect_timeout
 * from environment variables (PGHOST ... PGCONNECT_TIMEOUT), but keepalives and tcp_user_timeout have
 * no environment variable; only a connection string or a service file sets them. A service file named
 * by PGSERVICEFILE + PGSERVICE is read by every libpq-based driver without code changes, and its
 * settings override the environment's (PostgreSQL 15 docs, libpq "The Connection Service File":
 * "A service file setting overrides the corresponding environment variable").
 *
 * Without them a client whose leader is cut off (host crash, partition) waits on its socket for the
 * kernel's defaults: about two hours of idle keepalive time, ~15 minutes of retransmissions, and ~2
 * minutes of SYN retries per address when connecting. So: a dead peer is detected within the failover
 * manager's ttl (the time after which Patroni has a new leader), and a connection attempt moves on to
 * the next address of the cluster's name after `connect_timeout` ("applies separately to each host name
 * or IP address", same docs, "Parameter Key Words"). Proven on real libpq in test/hosts/db-client.test.ts.
 */
import type { ReplicationConfig } from "../config/sections/databases";

/** A single host has no failover manager; its clients give up on a dead socket within this time. */
const SINGLE_HOST_DETECT_SECONDS = 30;
/** Per address: long enough for a TLS + SCRAM handshake across AZs, short enough to try the next member. */
const CONNECT_TIMEOUT_SECONDS = 5;
const KEEPALIVE_PROBES = 3;

export interface DbClientSettings {
  readonly connect_timeout: number;
  readonly keepalives: 1;
  readonly keepalives_idle: number;
  readonly keepalives_interval: number;
  readonly keepalives_count: number;
  /** Milliseconds unacknowledged data may wait before the kernel drops the connection. */
  readonly tcp_user_timeout: number;
}

/**
 * The client's timeouts for a database: a dead peer is noticed (idle: keepalives; with a query in flight:
 * tcp_user_timeout) no later than the failover manager's ttl, by which time a replica leads.
 */
export function dbClientSettings(replication: Pick<ReplicationConfig, "ttlSeconds"> | undefined): DbClientSettings {
  const detect = replication?.ttlSeconds ?? SINGLE_HOST_DETECT_SECONDS;
  const idle = Math.ceil(detect / 3);
  // idle + probes * interval <= detect: ceil(d/3) + 3 * floor(d/6) <= d for every d >= 3.
  const interval = Math.max(1, Math.floor(detect / (2 * KEEPALIVE_PROBES)));
  return {
    connect_timeout: CONNECT_TIMEOUT_SECONDS,
    keepalives: 1,
    keepalives_idle: idle,
    keepalives_interval: interval,
    keepalives_count: KEEPALIVE_PROBES,
    tcp_user_timeout: detect * 1000,
  };
}

/** Seconds after which an idle connection to a silent peer is closed by the keepalive probes. */
export function keepaliveDetectSeconds(s: DbClientSettings): number {
  return s.keepalives_idle + s.keepalives_count * s.keepalives_interval;
}

/** pg_service.conf with one section, named after the service (PGSERVICE). */
export function renderPgServiceFile(serviceName: string, s: DbClientSettings): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(serviceName)) throw new Error(`pg_service.conf: section "${serviceName}": allowed: a lower-case service name`);
  const lines = Object.entries(s).map(([key, value]) => `${key}=${value}`);
  return [`# libpq connection service file: timeouts only; host, database and TLS come from the PG* environment.`, `[${serviceName}]`, ...lines, ""].join("\n");
}
