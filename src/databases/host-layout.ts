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
  /** The device name the data volume is attached under (it appears as an NVMe device on Nitro). */
  dataDeviceName: "/dev/sdf",
} as const;

/** The udev name of an EBS volume on a Nitro instance: its NVMe serial is the volume id without the dash. */
export function nvmeDevicePath(volumeId: string): string {
  if (!/^vol-[0-9a-f]{8,17}$/.test(volumeId)) throw new Error(`volume id "${volumeId}": allowed: an EBS volume id such as vol-0123456789abcdef0`);
  return `/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${volumeId.replace("-", "")}`;
}
