import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderSecretsScript } from "../../src/databases/bootstrap";
import { type CertificateSpec, caCertificateSpec, hostDnsName, serverCertificateSpec } from "../../src/databases/certificates";
import { databaseIdentity } from "../../src/databases/identity";
import { memorySettings } from "../../src/databases/memory-settings";
import { renderPgHba } from "../../src/databases/pg-hba";
import { renderPostgresqlConf } from "../../src/databases/postgresql-conf";
import { renderRolesSql } from "../../src/databases/roles-sql";

/**
 * A database host's rendered postgresql.conf, pg_hba.conf, roles SQL and secrets script, run on real
 * PostgreSQL 15 in network namespaces. Only file paths, the listen address and the client CIDRs differ
 * from production; the server certificate has the production shape (DNS name + address in the SANs),
 * issued by openssl because @pulumi/tls resources cannot run offline.
 *
 *   app      10.98.16.20/20  ─┐
 *                             ├─ router ── data 10.98.136.77 (PostgreSQL :5432)
 *   outside  10.98.128.20/24 ─┘
 *
 * The app zone is 10.98.0.0/20 + 10.98.16.0/20; "outside" stands for the dmz (or anything else).
 */
const PREFIX = "fpdb";
const NS = { router: `${PREFIX}-router`, data: `${PREFIX}-data`, app: `${PREFIX}-app`, outside: `${PREFIX}-outside` };
const SERVER_IP = "10.98.136.77";
const APP_CIDRS = ["10.98.0.0/20", "10.98.16.0/20"];
const LINKS = [
  { ns: NS.data, hostIp: `${SERVER_IP}/24`, routerIp: "10.98.136.1/24", gateway: "10.98.136.1" },
  { ns: NS.app, hostIp: "10.98.16.20/20", routerIp: "10.98.16.1/20", gateway: "10.98.16.1" },
  { ns: NS.outside, hostIp: "10.98.128.20/24", routerIp: "10.98.128.1/24", gateway: "10.98.128.1" },
];
const PORT = 5432;
const BIN = "/usr/lib/postgresql/15/bin";
const LAB = path.join(os.tmpdir(), `${PREFIX}-host-lab`);
const DNS_NAME = hostDnsName("personal-data", "lab.fitness.internal");
const USERS = databaseIdentity("users");
const ORDERS = databaseIdentity("orders");
const PASSWORDS: Record<string, string> = {
  users: randomBytes(24).toString("base64url"),
  orders: randomBytes(24).toString("base64url"),
};

const paths = {
  data: path.join(LAB, "data"),
  conf: path.join(LAB, "conf"),
  confD: path.join(LAB, "conf", "conf.d"),
  tls: path.join(LAB, "tls"),
  sock: path.join(LAB, "sock"),
  log: path.join(LAB, "log", "postgresql.log"),
  pki: path.join(LAB, "pki"),
  stub: path.join(LAB, "stub"),
};

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { encoding: "utf8", env: opts.env ?? process.env, input: opts.input, timeout: 60_000 });
}

function must(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr || r.stdout || r.error?.message}`);
  return r.stdout;
}

const inNs = (ns: string, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}) =>
  run("ip", ["netns", "exec", ns, cmd, ...args], opts);

function removeLeftovers(): void {
  // A crashed earlier run may have left its server running and its namespaces behind.
  if (fs.existsSync(path.join(paths.data, "postmaster.pid"))) {
    run("runuser", ["-u", "postgres", "--", `${BIN}/pg_ctl`, "-D", paths.data, "-m", "immediate", "-w", "stop"]);
  }
  for (const ns of Object.values(NS)) run("ip", ["netns", "del", ns]);
  fs.rmSync(LAB, { recursive: true, force: true });
}

function buildNetwork(): void {
  for (const ns of Object.values(NS)) {
    must("ip", ["netns", "add", ns]);
    must("ip", ["-n", ns, "link", "set", "lo", "up"]);
  }
  must("ip", ["netns", "exec", NS.router, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
  for (const link of LINKS) {
    const short = link.ns.slice(PREFIX.length + 1);
    const hostEnd = `${PREFIX}-${short}-h`;
    const routerEnd = `${PREFIX}-${short}-r`;
    must("ip", ["link", "add", hostEnd, "netns", link.ns, "type", "veth", "peer", "name", routerEnd, "netns", NS.router]);
    must("ip", ["-n", link.ns, "addr", "add", link.hostIp, "dev", hostEnd]);
    must("ip", ["-n", link.ns, "link", "set", hostEnd, "up"]);
    must("ip", ["-n", NS.router, "addr", "add", link.routerIp, "dev", routerEnd]);
    must("ip", ["-n", NS.router, "link", "set", routerEnd, "up"]);
    must("ip", ["-n", link.ns, "route", "add", "default", "via", link.gateway]);
  }
}

const OPENSSL_USES: Record<string, { keyUsage?: string; extendedKeyUsage?: string }> = {
  cert_signing: { keyUsage: "keyCertSign" },
  crl_signing: { keyUsage: "cRLSign" },
  digital_signature: { keyUsage: "digitalSignature" },
  key_encipherment: { keyUsage: "keyEncipherment" },
  server_auth: { extendedKeyUsage: "serverAuth" },
};

/** The openssl extensions of a CertificateSpec, as @pulumi/tls would set them. */
function extensions(spec: CertificateSpec, isCa: boolean): string {
  const keyUsage = spec.allowedUses.map((u) => OPENSSL_USES[u]?.keyUsage).filter(Boolean);
  const eku = spec.allowedUses.map((u) => OPENSSL_USES[u]?.extendedKeyUsage).filter(Boolean);
  const san = [...spec.dnsNames.map((d) => `DNS:${d}`), ...spec.ipAddresses.map((ip) => `IP:${ip}`)];
  return [
    `basicConstraints = critical, CA:${isCa ? "TRUE" : "FALSE"}`,
    `keyUsage = critical, ${keyUsage.join(", ")}`,
    ...(eku.length > 0 ? [`extendedKeyUsage = ${eku.join(", ")}`] : []),
    ...(san.length > 0 ? [`subjectAltName = ${san.join(", ")}`] : []),
    "subjectKeyIdentifier = hash",
  ].join("\n");
}

/** A CA (ECDSA P-256, like KEY_ALGORITHM) and, optionally, a server certificate it issued. */
function issue(dir: string, caSpec: CertificateSpec, serverSpec?: CertificateSpec): void {
  fs.mkdirSync(dir, { recursive: true });
  const f = (name: string) => path.join(dir, name);
  const subject = (s: CertificateSpec) => `/O=${s.organization}/CN=${s.commonName}`;
  const days = (s: CertificateSpec) => String(Math.floor(s.validityHours / 24));
  must("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f("ca.key")]);
  must("openssl", ["req", "-new", "-key", f("ca.key"), "-subj", subject(caSpec), "-out", f("ca.csr")]);
  fs.writeFileSync(f("ca.ext"), extensions(caSpec, true));
  must("openssl", ["x509", "-req", "-in", f("ca.csr"), "-signkey", f("ca.key"), "-days", days(caSpec), "-extfile", f("ca.ext"), "-out", f("ca.crt")]);
  if (serverSpec === undefined) return;
  must("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f("server.key")]);
  must("openssl", ["req", "-new", "-key", f("server.key"), "-subj", subject(serverSpec), "-out", f("server.csr")]);
  fs.writeFileSync(f("server.ext"), extensions(serverSpec, false));
  must("openssl", [
    "x509", "-req", "-in", f("server.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial",
    "-days", days(serverSpec), "-extfile", f("server.ext"), "-out", f("server.crt"),
  ]);
}

const CA = path.join(paths.pki, "ca.crt");
const OTHER_CA = path.join(paths.pki, "other", "ca.crt");
const LAB_SECRETS = { tls: "lab-databases-personal-data-tls", users: "lab-databases-personal-data-users", orders: "lab-databases-purchase-history-orders" };

interface Attempt {
  readonly user: string;
  readonly database: string;
  readonly password?: string;
  readonly sslmode?: "verify-full" | "disable";
  /** The name libpq verifies the certificate against (the address is always the server's). */
  readonly host?: string;
  readonly rootcert?: string;
}

/** psql from a client namespace, as a service would connect: by name, verify-full, SCRAM. */
function connect(ns: string, a: Attempt, sql: string): SpawnSyncReturns<string> {
  const conninfo = [
    `host=${a.host ?? DNS_NAME}`,
    `hostaddr=${SERVER_IP}`,
    `port=${PORT}`,
    `dbname=${a.database}`,
    `user=${a.user}`,
    `sslmode=${a.sslmode ?? "verify-full"}`,
    `sslrootcert=${a.rootcert ?? CA}`,
    "connect_timeout=10",
  ].join(" ");
  const env = {
    PATH: process.env.PATH,
    HOME: LAB,
    PGPASSWORD: a.password ?? PASSWORDS[a.user] ?? "",
    PGPASSFILE: "/dev/null",
    PGSSLCERT: path.join(LAB, "no-client-cert"),
    PGSSLKEY: path.join(LAB, "no-client-key"),
  };
  return inNs(ns, "psql", ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql], { env });
}

/** psql as the postgres OS user over the server's socket (peer), as bootstrap and backups do. */
function admin(database: string, sql: string): SpawnSyncReturns<string> {
  return inNs(NS.data, "runuser", ["-u", "postgres", "--", "psql", "-X", "-A", "-t", "-h", paths.sock, "-p", String(PORT), "-d", database, "-c", sql]);
}

function ok(r: SpawnSyncReturns<string>): string {
  expect(r.stderr.replace(/^SET\n/gm, "")).toBe("");
  expect(r.status).toBe(0);
  return r.stdout.trim();
}

function refused(r: SpawnSyncReturns<string>, message: RegExp): void {
  expect(r.status, `expected a refusal, got: ${r.stdout}`).not.toBe(0);
  expect(r.stderr).toMatch(message);
}

let secretsScript: string;
let stubCalls: string;

function secrets(step: "tls" | "roles"): SpawnSyncReturns<string> {
  return inNs(NS.data, "bash", [secretsScript, step], { env: { ...process.env, PATH: `${path.join(paths.stub, "bin")}:${process.env.PATH}` } });
}

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error("the PostgreSQL host tests need root (network namespaces, the postgres OS user)");
  for (const bin of [`${BIN}/initdb`, `${BIN}/pg_ctl`, `${BIN}/postgres`, "/usr/bin/psql", "/usr/bin/openssl", "/usr/bin/jq"]) {
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: .ci/run installs postgresql-15, openssl and jq`);
  }
  removeLeftovers();
  fs.mkdirSync(LAB, { recursive: true, mode: 0o755 });
  fs.chmodSync(LAB, 0o755);
  for (const dir of [paths.conf, paths.confD, path.dirname(paths.log), paths.sock, path.join(paths.stub, "bin"), path.join(paths.stub, "secrets")]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  for (const dir of [path.dirname(paths.log), paths.sock]) must("chown", ["postgres:postgres", dir]);
  fs.chmodSync(paths.stub, 0o700);
  buildNetwork();

  // Certificates of the production shape, and a CA the services do not trust.
  issue(paths.pki, caCertificateSpec("lab"), serverCertificateSpec(DNS_NAME, SERVER_IP));
  issue(path.join(paths.pki, "other"), caCertificateSpec("someone-else"));

  // Secrets Manager, stubbed: the script asks `aws` for a secret by id and gets its JSON.
  const pem = (name: string) => fs.readFileSync(path.join(paths.pki, name), "utf8");
  const secretFiles: Record<string, unknown> = {
    [LAB_SECRETS.tls]: { privateKeyPem: pem("server.key"), certificatePem: pem("server.crt"), caCertificatePem: pem("ca.crt") },
    [LAB_SECRETS.users]: { username: USERS.role, dbname: USERS.database, password: PASSWORDS.users },
    [LAB_SECRETS.orders]: { username: ORDERS.role, dbname: ORDERS.database, password: PASSWORDS.orders },
  };
  for (const [id, value] of Object.entries(secretFiles)) fs.writeFileSync(path.join(paths.stub, "secrets", `${id}.json`), JSON.stringify(value), { mode: 0o600 });
  stubCalls = path.join(paths.stub, "calls.log");
  fs.writeFileSync(
    path.join(paths.stub, "bin", "aws"),
    [
      "#!/bin/bash",
      `echo "$*" >> '${stubCalls}'`,
      'id=""; while [ $# -gt 0 ]; do case "$1" in --secret-id) id="$2"; shift 2 ;; *) shift ;; esac; done',
      `exec cat '${path.join(paths.stub, "secrets")}/'"$id.json"`,
      "",
    ].join("\n"),
    { mode: 0o700 },
  );

  // The host's files, from the project's renderers.
  const rolesSql = path.join(paths.conf, "roles.sql");
  fs.writeFileSync(
    path.join(paths.conf, "postgresql.conf"),
    renderPostgresqlConf({
      listenAddress: SERVER_IP,
      port: PORT,
      maxConnections: 50,
      memory: memorySettings(1024, 50),
      clusterName: "lab",
      paths: {
        dataDirectory: paths.data,
        hbaFile: path.join(paths.conf, "pg_hba.conf"),
        identFile: path.join(paths.conf, "pg_ident.conf"),
        sslCertFile: path.join(paths.tls, "server.crt"),
        sslKeyFile: path.join(paths.tls, "server.key"),
        unixSocketDirectory: paths.sock,
        includeDir: paths.confD,
      },
    }),
    { mode: 0o644 },
  );
  fs.writeFileSync(path.join(paths.conf, "pg_hba.conf"), renderPgHba({ appCidrs: APP_CIDRS, grants: [USERS, ORDERS] }), { mode: 0o644 });
  fs.writeFileSync(path.join(paths.conf, "pg_ident.conf"), "", { mode: 0o644 });
  fs.writeFileSync(rolesSql, renderRolesSql([USERS, ORDERS]), { mode: 0o644 });
  secretsScript = path.join(paths.conf, "fitness-db-secrets");
  fs.writeFileSync(
    secretsScript,
    renderSecretsScript({
      region: "eu-central-1",
      tlsSecretId: LAB_SECRETS.tls,
      credentials: [
        { secretId: LAB_SECRETS.users, passwordEnv: USERS.passwordEnv },
        { secretId: LAB_SECRETS.orders, passwordEnv: ORDERS.passwordEnv },
      ],
      paths: { tlsDirectory: paths.tls, socketDirectory: paths.sock, port: PORT, rolesSql, systemdUnit: "fpdb-lab-absent.service" },
    }),
    { mode: 0o700 },
  );

  // The bootstrap's order: cluster, TLS material, server, roles.
  fs.mkdirSync(paths.data, { mode: 0o700 });
  must("chown", ["postgres:postgres", paths.data]);
  must("runuser", ["-u", "postgres", "--", `${BIN}/initdb`, "-D", paths.data, "--data-checksums", "--encoding=UTF8", "--locale=C.UTF-8", "--auth-local=peer", "--auth-host=reject"]);
  const tls = secrets("tls");
  if (tls.status !== 0) throw new Error(`secrets script (tls) failed: ${tls.stderr}`);
  const start = inNs(NS.data, "runuser", [
    "-u", "postgres", "--", `${BIN}/pg_ctl`, "-D", paths.data, "-o", `-c config_file=${path.join(paths.conf, "postgresql.conf")}`, "-l", paths.log, "-w", "-t", "60", "start",
  ]);
  if (start.status !== 0) throw new Error(`PostgreSQL did not start: ${start.stderr}\n${fs.existsSync(paths.log) ? fs.readFileSync(paths.log, "utf8") : ""}`);
  const roles = secrets("roles");
  if (roles.status !== 0) throw new Error(`secrets script (roles) failed: ${roles.stderr}`);
});

afterAll(() => {
  removeLeftovers();
});

describe("a database host's rendered configuration on real PostgreSQL 15", () => {
  it("keeps the server key readable by postgres alone, as the secrets script wrote it", () => {
    const key = fs.statSync(path.join(paths.tls, "server.key"));
    expect(key.mode & 0o777).toBe(0o600);
    expect(must("stat", ["-c", "%U", path.join(paths.tls, "server.key")]).trim()).toBe("postgres");
    expect(ok(admin("postgres", "SHOW ssl_min_protocol_version"))).toBe("TLSv1.2");
    expect(ok(admin("postgres", "SHOW password_encryption"))).toBe("scram-sha-256");
    expect(ok(admin("postgres", "SHOW listen_addresses"))).toBe(SERVER_IP);
  });

  it("created each service's login role and database from the secrets in Secrets Manager, idempotently", () => {
    expect(ok(admin("postgres", "SELECT rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname IN ('users','orders') ORDER BY 1"))).toBe(
      "orders|t|f|f|f\nusers|t|f|f|f",
    );
    expect(ok(admin("postgres", "SELECT datname, pg_get_userbyid(datdba) FROM pg_database WHERE datname IN ('users','orders') ORDER BY 1"))).toBe(
      "orders|orders\nusers|users",
    );
    expect(ok(admin("postgres", "SELECT rolname, left(rolpassword, 14) FROM pg_authid WHERE rolname IN ('users','orders') ORDER BY 1"))).toBe(
      "orders|SCRAM-SHA-256$\nusers|SCRAM-SHA-256$",
    );
    const again = secrets("roles");
    expect(again.stderr).toBe("");
    expect(again.status).toBe(0);
  });

  it("admits the app zone over TLS with verify-full against the internal CA and the right role", () => {
    const sql = "SELECT current_user, s.ssl, s.version FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()";
    expect(ok(connect(NS.app, { user: "users", database: "users" }, sql))).toMatch(/^users\|t\|TLSv1\.[23]$/);
    expect(ok(connect(NS.app, { user: "orders", database: "orders" }, sql))).toMatch(/^orders\|t\|TLSv1\.[23]$/);
  });

  it("refuses plain text, even from the app zone with the right password", () => {
    refused(
      connect(NS.app, { user: "users", database: "users", sslmode: "disable" }, "SELECT 1"),
      /pg_hba\.conf rejects connection for host "10\.98\.16\.20", user "users", database "users", no encryption/,
    );
  });

  it("refuses a wrong password", () => {
    refused(connect(NS.app, { user: "users", database: "users", password: PASSWORDS.orders }, "SELECT 1"), /password authentication failed for user "users"/);
  });

  it("refuses a network outside the app zone, even with the right password and TLS", () => {
    refused(connect(NS.outside, { user: "users", database: "users" }, "SELECT 1"), /pg_hba\.conf rejects connection for host "10\.98\.128\.20", user "users", database "users", SSL encryption/);
  });

  it("refuses local connections of service roles: only the postgres OS user administers locally", () => {
    const r = inNs(NS.data, "psql", ["-X", "-h", paths.sock, "-p", String(PORT), "-U", "users", "-d", "users", "-c", "SELECT 1"], {
      env: { PATH: process.env.PATH, PGPASSWORD: PASSWORDS.users, PGPASSFILE: "/dev/null" },
    });
    refused(r, /pg_hba\.conf rejects connection for host "\[local\]", user "users", database "users"/);
  });

  it("keeps the users role out of the orders database and the reverse", () => {
    refused(connect(NS.app, { user: "users", database: "orders" }, "SELECT 1"), /pg_hba\.conf rejects connection for host "10\.98\.16\.20", user "users", database "orders"/);
    refused(connect(NS.app, { user: "orders", database: "users" }, "SELECT 1"), /pg_hba\.conf rejects connection for host "10\.98\.16\.20", user "orders", database "users"/);
    refused(connect(NS.app, { user: "users", database: "postgres" }, "SELECT 1"), /pg_hba\.conf rejects connection/);
    // Behind pg_hba.conf, the SQL grants hold on their own: no CONNECT on another service's database.
    expect(ok(admin("postgres", "SELECT has_database_privilege('users','orders','CONNECT'), has_database_privilege('orders','users','CONNECT'), has_database_privilege('users','users','CONNECT')"))).toBe("f|f|t");
  });

  it("gives each role its own schema, which no other role can read or write into", () => {
    ok(connect(NS.app, { user: "users", database: "users" }, "CREATE TABLE profiles (id int PRIMARY KEY, email text); INSERT INTO profiles VALUES (1, 'a@example.com')"));
    ok(connect(NS.app, { user: "orders", database: "orders" }, "CREATE TABLE purchases (id int PRIMARY KEY, total numeric); INSERT INTO purchases VALUES (1, 9.99)"));
    expect(ok(connect(NS.app, { user: "users", database: "users" }, "SELECT current_schema(), (SELECT count(*) FROM profiles)"))).toBe("users|1");
    // Even inside the orders database (as if a grant slipped), the users role sees nothing of orders.
    refused(admin("orders", "SET ROLE users; SELECT * FROM orders.purchases"), /permission denied for schema orders/);
    refused(admin("orders", "SET ROLE users; CREATE TABLE public.intruder (id int)"), /permission denied for schema public/);
    refused(admin("users", "SET ROLE orders; SELECT * FROM users.profiles"), /permission denied for schema users/);
  });

  it("verify-full rejects a server certificate from another CA, or for another name", () => {
    refused(connect(NS.app, { user: "users", database: "users", rootcert: OTHER_CA }, "SELECT 1"), /certificate verify failed/);
    refused(
      connect(NS.app, { user: "users", database: "users", host: hostDnsName("purchase-history", "lab.fitness.internal") }, "SELECT 1"),
      /server certificate for "personal-data\.db\.lab\.fitness\.internal" .*does not match host name "purchase-history\.db\.lab\.fitness\.internal"/,
    );
  });

  it("refuses TLS 1.1 and accepts TLS 1.2", () => {
    // The system OpenSSL config would stop the client itself from offering 1.1; without it, the refusal
    // (alert 70, protocol version) can only come from the server's ssl_min_protocol_version.
    const env = { PATH: process.env.PATH, OPENSSL_CONF: "/dev/null" };
    const handshake = (flag: string) =>
      inNs(NS.app, "openssl", ["s_client", "-connect", `${SERVER_IP}:${PORT}`, "-starttls", "postgres", flag, "-cipher", "DEFAULT@SECLEVEL=0", "-CAfile", CA], { env, input: "" });
    const old = handshake("-tls1_1");
    expect(old.status).not.toBe(0);
    expect(`${old.stdout}${old.stderr}`).toMatch(/alert protocol version|alert number 70/);
    expect(handshake("-tls1_2").stdout).toMatch(/Protocol\s*:\s*TLSv1\.2/);
  });

  it("logs connections and DDL, but never a password", () => {
    const log = fs.readFileSync(paths.log, "utf8");
    expect(log).toMatch(/connection authorized: user=users database=users .*SSL enabled/);
    expect(log).toMatch(/disconnection: session time: .* user=users database=users/);
    expect(log).toMatch(/statement: CREATE TABLE profiles/);
    for (const password of Object.values(PASSWORDS)) {
      expect(log).not.toContain(password);
      expect(fs.readFileSync(stubCalls, "utf8")).not.toContain(password);
    }
    // The secrets script asked only for this host's secrets, by id, in the stack's region.
    expect(new Set(fs.readFileSync(stubCalls, "utf8").trim().split("\n"))).toEqual(
      new Set(Object.values(LAB_SECRETS).map((id) => `--region eu-central-1 secretsmanager get-secret-value --secret-id ${id} --query SecretString --output text`)),
    );
  });
});
