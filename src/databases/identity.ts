/**
 * The database and login role of a service that owns a data domain. Both are named after the service
 * (hyphens become underscores, so clients never need quoted identifiers), and the password reaches the
 * bootstrap SQL through an environment variable of this name, never through a file or the command line.
 */
export interface DatabaseIdentity {
  /** Catalog name of the owning service. */
  readonly service: string;
  readonly database: string;
  readonly role: string;
  /** Environment variable the host's secrets script fills from Secrets Manager before running the SQL. */
  readonly passwordEnv: string;
}

/** Names PostgreSQL or pg_hba.conf treat specially; a service named like this would break isolation. */
const RESERVED = new Set(["postgres", "template0", "template1", "public", "all", "sameuser", "samerole", "samegroup", "replication", "pgbackrest"]);

const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;

export function databaseIdentity(service: string): DatabaseIdentity {
  const name = service.replace(/-/g, "_");
  if (!IDENTIFIER.test(name) || RESERVED.has(name) || name.startsWith("pg_")) {
    throw new Error(
      `service "${service}" cannot own a database: allowed: a catalog name of at most 63 characters that is not a PostgreSQL reserved name (${[...RESERVED].join(", ")}, pg_*)`,
    );
  }
  return { service, database: name, role: name, passwordEnv: `FITNESS_DB_PASSWORD_${name.toUpperCase()}` };
}
