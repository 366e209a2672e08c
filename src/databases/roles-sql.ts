import type { DatabaseIdentity } from "./identity";

/**
 * The psql script that creates each owning service's login role and database, idempotently (it runs at
 * every bootstrap and after every password rotation). It holds no secret: each password is read from an
 * environment variable with psql's `\getenv` (PostgreSQL 15), and the session switches statement logging
 * off first so that `log_statement = 'ddl'` never writes a password into the server log.
 *
 * Isolation, in depth behind pg_hba.conf: every database is closed to PUBLIC (so another service's role
 * has no CONNECT), each service's schema belongs to its role alone, and nobody may create objects in a
 * `public` schema.
 */
export interface RolesSqlOptions {
  /**
   * Roles that must keep CONNECT on the `postgres` database although PUBLIC loses it: Patroni's pg_rewind
   * role. pg_rewind reads the source server through a libpq connection to a database (Patroni passes
   * dbname=postgres) and Patroni's post_bootstrap grants it only EXECUTE on the file functions, so a
   * revoked CONNECT leaves a failed primary unable to rejoin ("permission denied for database postgres").
   * The role exists before this script runs: Patroni creates it when it initialises the cluster.
   */
  readonly maintenanceConnect?: readonly string[];
}

export function renderRolesSql(identities: readonly DatabaseIdentity[], options: RolesSqlOptions = {}): string {
  const maintenance = options.maintenanceConnect ?? [];
  for (const name of maintenance) {
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`SQL identifier "${name}": allowed: lower-case letters, digits and underscores`);
  }
  const seen = new Set<string>();
  for (const id of identities) {
    for (const name of [id.database, id.role]) {
      if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`SQL identifier "${name}": allowed: lower-case letters, digits and underscores`);
    }
    if (!/^[A-Z][A-Z0-9_]*$/.test(id.passwordEnv)) throw new Error(`password variable "${id.passwordEnv}": allowed: upper-case letters, digits and underscores`);
    if (seen.has(id.database)) throw new Error(`database "${id.database}" appears twice: allowed: one owning service per database`);
    seen.add(id.database);
  }
  const ident = (name: string) => `"${name}"`;
  const literal = (text: string) => `'${text}'`;

  const lines: string[] = [
    "-- Rendered by src/databases/roles-sql.ts: run with psql as the postgres OS user. Idempotent; holds no secret.",
    "\\set ON_ERROR_STOP on",
    "",
    "-- This session handles passwords: keep its statements out of the server log, whatever the server logs otherwise.",
    "SET log_statement = 'none';",
    "SET log_min_error_statement = 'panic';",
    "SET log_min_duration_statement = -1;",
    "SET log_min_duration_sample = -1;",
    "SET log_transaction_sample_rate = 0;",
    "SET client_min_messages = 'warning';",
    "",
    "-- The maintenance databases are for administrators only.",
    "REVOKE ALL ON DATABASE postgres FROM PUBLIC;",
    "REVOKE ALL ON DATABASE template1 FROM PUBLIC;",
    "REVOKE CREATE ON SCHEMA public FROM PUBLIC;",
    ...maintenance.map((name) => `GRANT CONNECT ON DATABASE postgres TO ${ident(name)};`),
  ];

  for (const id of identities) {
    const role = ident(id.role);
    const db = ident(id.database);
    lines.push(
      "",
      `-- Service ${id.service}: login role ${id.role}, database ${id.database}.`,
      `\\getenv fitness_password ${id.passwordEnv}`,
      "\\if :{?fitness_password}",
      "\\else",
      `  \\warn '${id.passwordEnv} is not set: fetch the secrets first'`,
      `  DO $$ BEGIN RAISE EXCEPTION 'the password of role ${id.role} is missing'; END $$;`,
      "\\endif",
      "SELECT length(:'fitness_password') >= 16 AS fitness_password_ok \\gset",
      "\\if :fitness_password_ok",
      "\\else",
      `  DO $$ BEGIN RAISE EXCEPTION 'the password of role ${id.role} is shorter than 16 characters'; END $$;`,
      "\\endif",
      `SELECT format('CREATE ROLE %I', ${literal(id.role)}) WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(id.role)}) \\gexec`,
      `ALTER ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'fitness_password';`,
      "\\unset fitness_password",
      `SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', ${literal(id.database)}, ${literal(id.role)}, 'UTF8') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ${literal(id.database)}) \\gexec`,
      `ALTER DATABASE ${db} OWNER TO ${role};`,
      `REVOKE ALL ON DATABASE ${db} FROM PUBLIC;`,
      `GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${role};`,
    );
  }

  for (const id of identities) {
    const role = ident(id.role);
    const schema = ident(id.role);
    lines.push(
      "",
      `-- Inside ${id.database}: the schema of ${id.role}, private to it.`,
      `\\connect ${id.database}`,
      "SET client_min_messages = 'warning';",
      "REVOKE ALL ON SCHEMA public FROM PUBLIC;",
      `CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${role};`,
      `ALTER SCHEMA ${schema} OWNER TO ${role};`,
      `REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC;`,
      `ALTER ROLE ${role} IN DATABASE ${ident(id.database)} SET search_path = ${schema};`,
    );
  }
  lines.push("");
  return lines.join("\n");
}
