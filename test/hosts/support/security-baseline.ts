/** The PostgreSQL settings our security baseline rests on, with the value each requires (every Patroni lab asserts them). */
export const SECURITY_BASELINE: Readonly<Record<string, string>> = {
  ssl: "on",
  ssl_min_protocol_version: "TLSv1.2",
  password_encryption: "scram-sha-256",
  ssl_prefer_server_ciphers: "on",
  ssl_ciphers: "HIGH:!aNULL:!MD5:!3DES:!RC4",
  log_connections: "on",
  log_disconnections: "on",
  log_statement: "ddl",
};
