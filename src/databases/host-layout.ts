/**
 * Where things live on a database host (Debian 12, PostgreSQL 15 from Debian). Other components that
 * plug files into the bootstrap (backups: pgBackRest) use these paths rather than repeating them.
 */
export const HOST_LAYOUT = {
  postgresVersion: 15,
  clusterName: "main",
  port: 5432,
  /** The EBS data volume is mounted here; the cluster (data and WAL) lives on it. */
  dataMount: "/srv/postgresql",
  dataDirectory: "/srv/postgresql/15/main",
  /** Debian's postgresql-common layout: configuration outside the data directory. */
  configDirectory: "/etc/postgresql/15/main",
  /** Drop-ins read after postgresql.conf (`include_dir`): e.g. archive_command for pgBackRest. */
  includeDirectory: "/etc/postgresql/15/main/conf.d",
  tlsDirectory: "/etc/postgresql/15/main/tls",
  socketDirectory: "/var/run/postgresql",
  pidFile: "/var/run/postgresql/15-main.pid",
  binDirectory: "/usr/lib/postgresql/15/bin",
  systemdUnit: "postgresql@15-main.service",
  /** Fetches this host's secrets and applies them: `fitness-db-secrets tls|roles|all`. */
  secretsScript: "/usr/local/sbin/fitness-db-secrets",
  rolesSql: "/etc/fitness/databases/roles.sql",
  bootstrapLog: "/var/log/fitness-bootstrap.log",
  /** Written when the bootstrap finished, for SSM checks and the runbook. */
  bootstrapMarker: "/var/lib/fitness/bootstrap-complete",
  /** Patroni members (docs/decisions.md, "Highly available PostgreSQL"): Debian's patroni@<version>-<cluster> unit reads this file. */
  patroniConfig: "/etc/patroni/15-main.yml",
  /** Patroni's passwords (PATRONI_*_PASSWORD), written at boot from Secrets Manager; the unit's EnvironmentFile. */
  patroniEnvironment: "/etc/patroni/env.conf",
  patroniUnit: "patroni@15-main.service",
  /** Our postgresql.conf on a Patroni member: Patroni's own postgresql.conf includes it (custom_conf). */
  customConf: "/etc/postgresql/15/main/fitness.conf",
  /** Patroni's REST API: /primary answers 200 on the leader only. */
  restApiPort: 8008,
  /** Patroni's on_role_change callback: logs and reports a role change (failover alarm). */
  patroniEventScript: "/usr/local/sbin/fitness-patroni-event",
  /** Reports replication lag and streaming standbys every minute (alarms). */
  patroniMonitorScript: "/usr/local/sbin/fitness-patroni-monitor",
  /** etcd on the consensus nodes: its YAML configuration (etcd --config-file) and data directory on the data volume. */
  etcdConfig: "/etc/fitness/etcd.yml",
  etcdDataDirectory: "/srv/etcd/data",
  etcdDataMount: "/srv/etcd",
  etcdTlsDirectory: "/etc/fitness/etcd-tls",
  etcdClientPort: 2379,
  etcdPeerPort: 2380,
  /** The device name the data volume is attached under (it appears as an NVMe device on Nitro). */
  dataDeviceName: "/dev/sdf",
} as const;

/** The udev name of an EBS volume on a Nitro instance: its NVMe serial is the volume id without the dash. */
export function nvmeDevicePath(volumeId: string): string {
  if (!/^vol-[0-9a-f]{8,17}$/.test(volumeId)) throw new Error(`volume id "${volumeId}": allowed: an EBS volume id such as vol-0123456789abcdef0`);
  return `/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${volumeId.replace("-", "")}`;
}
