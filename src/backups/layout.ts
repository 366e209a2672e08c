import { HOST_LAYOUT } from "../databases/host-layout";

/**
 * Where pgBackRest's pieces live on a database host. The host tests point the same rendered files at a
 * lab directory through `PgbackrestPaths`; production uses these.
 */
export const PGBACKREST_LAYOUT = {
  /** pgBackRest reads `<configPath>/pgbackrest.conf`, then every `<configPath>/conf.d/*.conf`. */
  configPath: "/etc/pgbackrest",
  /** Written at boot from Secrets Manager: `repo1-cipher-pass`. root-owned, readable by the postgres group only. */
  cipherFile: "/etc/pgbackrest/conf.d/cipher.conf",
  /** The one entry point of every unit and of the bootstrap: `fitness-pgbackrest <command>`. */
  script: "/usr/local/sbin/fitness-pgbackrest",
  spoolPath: "/var/spool/pgbackrest",
  logPath: "/var/log/pgbackrest",
  lockPath: "/tmp/pgbackrest",
  /** Remembers how many dropped-WAL warnings the monitor has already reported. */
  stateDirectory: "/var/lib/fitness/pgbackrest",
  /** PostgreSQL drop-in with archive_mode and archive_command (read through include_dir). */
  archiveDropIn: `${HOST_LAYOUT.includeDirectory}/50-pgbackrest-archive.conf`,
  systemdDirectory: "/etc/systemd/system",
} as const;

/** CloudWatch namespace of the metrics the host units emit (through the `monitoring` VPC endpoint). */
export const BACKUP_METRIC_NAMESPACE = "Fitness/Backups";

/** A WAL segment: PostgreSQL's default size, which the hosts keep. */
export const WAL_SEGMENT_BYTES = 16 * 1024 * 1024;
