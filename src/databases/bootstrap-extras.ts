/**
 * What other components plug into a database host's bootstrap without editing it (backups: pgBackRest's
 * configuration, systemd units and stanza creation). Files are written after the packages are installed
 * and before PostgreSQL starts (so a drop-in in HOST_LAYOUT.includeDirectory applies from the first
 * start); commands run as root, in order, once the server is up and the service roles exist.
 */
export interface BootstrapFile {
  /** Absolute path on the host. */
  readonly path: string;
  /** Octal file mode, e.g. "0640". */
  readonly mode: string;
  /** Plain text; never a secret (user-data is readable by anyone who may describe the instance). */
  readonly content: string;
  /** `user:group`; default `root:root`. The `postgres` user exists by the time files are written. */
  readonly owner?: string;
}

export interface BootstrapExtras {
  readonly extraFiles?: readonly BootstrapFile[];
  readonly extraCommands?: readonly string[];
  /** Debian packages installed together with PostgreSQL (e.g. "pgbackrest"). */
  readonly extraPackages?: readonly string[];
}

export function validateExtras(extras: BootstrapExtras, where: string): void {
  for (const file of extras.extraFiles ?? []) {
    if (!/^\/[A-Za-z0-9._@/-]+$/.test(file.path) || file.path.includes("/../") || file.path.endsWith("/")) {
      throw new Error(`${where}: extra file path "${file.path}": allowed: an absolute file path of letters, digits, . _ - @ /`);
    }
    if (!/^0[0-7]{3}$/.test(file.mode)) throw new Error(`${where}: extra file ${file.path} mode "${file.mode}": allowed: an octal mode such as 0640`);
    if (file.owner !== undefined && !/^[a-z_][a-z0-9_-]*:[a-z_][a-z0-9_-]*$/.test(file.owner)) {
      throw new Error(`${where}: extra file ${file.path} owner "${file.owner}": allowed: user:group such as postgres:postgres`);
    }
  }
  for (const pkg of extras.extraPackages ?? []) {
    if (!/^[a-z0-9][a-z0-9+.-]+$/.test(pkg)) throw new Error(`${where}: extra package "${pkg}": allowed: a Debian package name`);
  }
  for (const command of extras.extraCommands ?? []) {
    if (command.trim() === "") throw new Error(`${where}: extra command: allowed: a non-empty shell command`);
  }
}
