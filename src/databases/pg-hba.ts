import { parseCidr } from "../config/cidr";

/** One database and the only role that may connect to it over the network. */
export interface HbaGrant {
  readonly database: string;
  readonly role: string;
}

export interface PgHbaParams {
  /** Client networks: the app zone's subnets (EKS nodes and pods take addresses there). */
  readonly appCidrs: readonly string[];
  readonly grants: readonly HbaGrant[];
  /**
   * The other members of a Patroni cluster (their /32 addresses): streaming replication and pg_rewind
   * from each other only, over TLS with SCRAM. Absent on a single host.
   */
  readonly peers?: { readonly addresses: readonly string[]; readonly replicationUser: string; readonly rewindUser: string };
}

const NAME = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * pg_hba.conf is read top to bottom and the first matching line decides. Plain-text connections are
 * rejected before anything else; each service's role may reach only its own database, only from the
 * app zone, only over TLS and only with SCRAM; everything that falls through is rejected explicitly.
 * Locally, only the `postgres` OS user (bootstrap, backups) gets in, by peer authentication.
 */
export function renderPgHba(params: PgHbaParams): string {
  if (params.appCidrs.length === 0) throw new Error("pg_hba.conf: allowed: at least one app zone CIDR");
  for (const text of params.appCidrs) {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`pg_hba.conf client network "${text}": allowed: an IPv4 CIDR block`);
    if (cidr.prefix < 8) throw new Error(`pg_hba.conf client network "${text}": allowed: an app zone subnet, never the internet`);
  }
  for (const grant of params.grants) {
    for (const name of [grant.database, grant.role]) {
      if (!NAME.test(name)) throw new Error(`pg_hba.conf name "${name}": allowed: lower-case letters, digits and underscores`);
    }
  }
  const peers = params.peers;
  if (peers !== undefined) {
    for (const name of [peers.replicationUser, peers.rewindUser]) {
      if (!NAME.test(name)) throw new Error(`pg_hba.conf name "${name}": allowed: lower-case letters, digits and underscores`);
    }
    for (const address of peers.addresses) {
      const cidr = parseCidr(`${address}/32`);
      if (!cidr) throw new Error(`pg_hba.conf peer "${address}": allowed: a member's IPv4 address`);
    }
  }
  const row = (type: string, database: string, user: string, address: string, method: string) =>
    `${type.padEnd(10)}${database.padEnd(20)}${user.padEnd(20)}${address.padEnd(20)}${method}`.trimEnd();
  const lines = [
    "# Rendered by src/databases/pg-hba.ts. First match wins; anything not admitted below is rejected.",
    row("# TYPE", "DATABASE", "USER", "ADDRESS", "METHOD"),
    "",
    "# Local administration (bootstrap, backups): the postgres OS user only.",
    row("local", "all", "postgres", "", "peer"),
    row("local", "all", "all", "", "reject"),
    "",
    "# No plain-text connection from anywhere.",
    row("hostnossl", "all", "all", "0.0.0.0/0", "reject"),
    row("hostnossl", "all", "all", "::/0", "reject"),
    "",
    "# Each service's role to its own database, from the app zone, over TLS, with SCRAM.",
    ...params.grants.flatMap((grant) => params.appCidrs.map((cidr) => row("hostssl", grant.database, grant.role, cidr, "scram-sha-256"))),
    "",
    ...(peers === undefined
      ? []
      : [
          "# Cluster members: streaming replication and pg_rewind (which reads the postgres database), over TLS, with SCRAM.",
          ...peers.addresses.flatMap((a) => [
            row("hostssl", "replication", peers.replicationUser, `${a}/32`, "scram-sha-256"),
            row("hostssl", "postgres", peers.rewindUser, `${a}/32`, "scram-sha-256"),
          ]),
          "",
        ]),
    "# Everything else.",
    row("host", "all", "all", "0.0.0.0/0", "reject"),
    row("host", "all", "all", "::/0", "reject"),
    "",
  ];
  return lines.join("\n");
}
