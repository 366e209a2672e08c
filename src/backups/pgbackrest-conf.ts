/**
 * pgBackRest's configuration for one database host (D7). The repository is the dedicated backup bucket,
 * reached through the S3 gateway endpoint with the instance role (`repo1-s3-key-type=auto`), encrypted
 * client-side (`repo1-cipher-type`; the passphrase comes from a conf.d file written at boot, never from
 * here). The hosts never delete: `expire-auto=n`, and the bucket's lifecycle removes what retention
 * allows (docs/runbooks/restore.md, "Retention").
 */
export interface PgbackrestPaths {
  readonly pgDataPath: string;
  readonly pgSocketPath: string;
  readonly pgPort: number;
  readonly spoolPath: string;
  readonly logPath: string;
  readonly lockPath: string;
}

export interface PgbackrestConfParams {
  readonly stanza: string;
  readonly region: string;
  readonly bucket: string;
  /** Key prefix of this host's repository inside the shared bucket (the host's role may touch only it). */
  readonly repoPath: string;
  readonly retentionFullCount: number;
  readonly archivePushQueueMaxMiB: number;
  readonly processMax: number;
  readonly paths: PgbackrestPaths;
}

const STANZA = /^[a-z][a-z0-9-]{0,62}$/;
const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

export function s3Endpoint(region: string): string {
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) throw new Error(`region "${region}": allowed: an AWS region name such as eu-central-1`);
  return `s3.${region}.amazonaws.com`;
}

function option(value: string, what: string): string {
  if (/[\n\r]/.test(value) || value.trim() !== value || value === "") throw new Error(`pgbackrest.conf ${what} ${JSON.stringify(value)}: allowed: a non-empty single-line value`);
  return value;
}

export function renderPgbackrestConf(p: PgbackrestConfParams): string {
  if (!STANZA.test(p.stanza)) throw new Error(`stanza "${p.stanza}": allowed: lower-case letters, digits and hyphens, starting with a letter`);
  if (!BUCKET.test(p.bucket)) throw new Error(`backup bucket "${p.bucket}": allowed: an S3 bucket name without dots (virtual-host addressing over TLS)`);
  if (!/^\/[a-z0-9][a-z0-9-]*$/.test(p.repoPath)) throw new Error(`repository path "${p.repoPath}": allowed: /<lower-case name>`);
  for (const [what, n, max] of [["retention", p.retentionFullCount, 52], ["process-max", p.processMax, 16], ["archive-push-queue-max", p.archivePushQueueMaxMiB, 1_048_576]] as const) {
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`pgbackrest.conf ${what} ${n}: allowed: 1..${max}`);
  }
  const { paths } = p;
  const lines = [
    "# Rendered by src/backups/pgbackrest-conf.ts. Overwritten by the next bootstrap run.",
    "# repo1-cipher-pass is not here: conf.d/cipher.conf is written at boot from Secrets Manager.",
    "[global]",
    "# Repository: the dedicated backup bucket, through the S3 gateway endpoint, with the instance role.",
    "repo1-type=s3",
    `repo1-path=${option(p.repoPath, "repo1-path")}`,
    `repo1-s3-bucket=${p.bucket}`,
    `repo1-s3-endpoint=${s3Endpoint(p.region)}`,
    `repo1-s3-region=${p.region}`,
    "repo1-s3-key-type=auto",
    "repo1-s3-uri-style=host",
    "repo1-storage-verify-tls=y",
    "repo1-cipher-type=aes-256-cbc",
    "",
    "# Retention. The hosts hold no delete right on the bucket (BKP-05), so they never expire anything:",
    "# the bucket lifecycle removes backups and WAL once they are older than the retention. These two",
    "# settings describe the same retention to `pgbackrest expire --dry-run` (runbook, \"Retention\").",
    "expire-auto=n",
    "repo1-retention-full-type=count",
    `repo1-retention-full=${p.retentionFullCount}`,
    "repo1-retention-archive-type=full",
    `repo1-retention-archive=${p.retentionFullCount}`,
    "",
    "# Backups",
    `process-max=${p.processMax}`,
    "start-fast=y",
    "compress-type=gz",
    "",
    "# WAL archiving, asynchronous. Past archive-push-queue-max pgBackRest reports WAL as archived and",
    "# DROPS it (a PITR gap, logged as \"dropped WAL file\"): the monitor alarms at half the limit, alarms",
    "# again on any drop and then starts a full backup at once.",
    "archive-async=y",
    `archive-push-queue-max=${p.archivePushQueueMaxMiB}MB`,
    "archive-timeout=60",
    `spool-path=${option(paths.spoolPath, "spool-path")}`,
    "",
    "# Logs: a file per command, and warnings/errors on stderr (the journal, through the systemd units).",
    `log-path=${option(paths.logPath, "log-path")}`,
    "log-level-file=detail",
    "log-level-console=warn",
    "log-level-stderr=warn",
    `lock-path=${option(paths.lockPath, "lock-path")}`,
    "",
    `[${p.stanza}]`,
    `pg1-path=${option(paths.pgDataPath, "pg1-path")}`,
    `pg1-socket-path=${option(paths.pgSocketPath, "pg1-socket-path")}`,
    `pg1-port=${paths.pgPort}`,
    "",
  ];
  return lines.join("\n");
}

/** The conf.d file holding the cipher passphrase; rendered only on the host (by the boot script) or in tests. */
export function renderCipherInclude(passphrase: string): string {
  if (!/^[A-Za-z0-9_-]{32,}$/.test(passphrase)) throw new Error("cipher passphrase: allowed: at least 32 URL-safe characters");
  return `[global]\nrepo1-cipher-pass=${passphrase}\n`;
}

/** The PostgreSQL drop-in that turns archiving on (read through include_dir, after postgresql.conf). */
export function renderArchiveDropIn(stanza: string): string {
  if (!STANZA.test(stanza)) throw new Error(`stanza "${stanza}": allowed: lower-case letters, digits and hyphens, starting with a letter`);
  return [
    "# Rendered by src/backups/pgbackrest-conf.ts: continuous WAL archiving into pgBackRest (D7).",
    "archive_mode = on",
    `archive_command = 'pgbackrest --stanza=${stanza} archive-push %p'`,
    "# A segment at least every 5 minutes on a quiet server, so the recovery point is never older.",
    "archive_timeout = 300",
    "",
  ].join("\n");
}
