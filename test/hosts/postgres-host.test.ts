import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostFile } from "../../src/offline/host-files";
import { coverageRecorder } from "./support/coverage";
import { buildDbHostLab, type DbHostLab, dbHostFiles } from "./support/db-host-lab";
import { waitFor } from "./support/lab-services";
import { inNs, type Run } from "./support/netns";
import { ROOT } from "./support/program-digest";
import { shippedStack } from "./support/shipped";

/**
 * A database host of the dev stack as shipped, on the OS it ships to (support/db-host-lab.ts): its
 * user-data from the synthesised snapshot is run by cloud-init on a booted Debian 12 machine, which
 * installs PostgreSQL 15 and pgBackRest from the mirror stand-in, mounts the data volume, fetches its
 * secrets and SSM parameters from the AWS stand-ins and starts the server and the backup timers. Nothing
 * is rendered here. One machine serves every assertion: settings and their source, access from the
 * zones, backups under the machine's systemd, a restore, the SSM document run again, and the failures
 * that must be loud.
 */
const PREFIX = "fpdh";
const DIR = path.join(os.tmpdir(), `${PREFIX}-db-host-lab`);
const HOST = "databases-personal-data-host";
const CONF = "/etc/postgresql/15/main/postgresql.conf";
const ARCHIVE_DROP_IN = "/etc/postgresql/15/main/conf.d/50-pgbackrest-archive.conf";
const recorder = coverageRecorder("postgres-host");

let lab: DbHostLab;
const m = () => lab.machine;
const shipped = (...paths: string[]): HostFile[] => paths.map((p) => lab.db.file(p));
const record = (files: readonly HostFile[], detail: string): void => recorder.record(lab.db.shipped, files, "ran", detail);

/** psql as the postgres OS user over the host's socket (peer), as the bootstrap and backups do. */
function admin(database: string, sql: string): Run {
  return m().exec(["runuser", "-u", "postgres", "--", "psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-h", "/var/run/postgresql", "-p", "5432", "-d", database, "-c", sql]);
}
function adminOk(database: string, sql: string): string {
  const r = admin(database, sql);
  expect(r.stderr, sql).toBe("");
  expect(r.status, sql).toBe(0);
  return r.stdout.trim();
}

interface Attempt {
  readonly user: string;
  readonly database: string;
  readonly password: string;
  readonly sslmode?: "verify-full" | "disable";
  readonly host?: string;
  readonly rootcert?: string;
}
const dnsName = (): string => /CN=([^/,\n]+)/.exec(m().must(["openssl", "x509", "-noout", "-subject", "-nameopt", "compat", "-in", "/etc/postgresql/15/main/tls/server.crt"]))?.[1] ?? "";

/** psql from a client namespace as a service connects: by name, verify-full against the internal CA, SCRAM. */
function connect(zone: "app" | "out", a: Attempt, sql: string): Run {
  const conninfo = [`host=${a.host ?? dnsName()}`, `hostaddr=${lab.db.privateIp}`, "port=5432", `dbname=${a.database}`, `user=${a.user}`, `sslmode=${a.sslmode ?? "verify-full"}`, `sslrootcert=${a.rootcert ?? lab.internalCaFile}`, "connect_timeout=10"].join(" ");
  const env = { PATH: process.env.PATH, HOME: DIR, PGPASSWORD: a.password, PGPASSFILE: "/dev/null", PGSSLCERT: "/nonexistent", PGSSLKEY: "/nonexistent" };
  const r = inNs(lab.ns(zone), "env", [...Object.entries(env).map(([k, v]) => `${k}=${v ?? ""}`), "psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql]);
  return r;
}
function refused(r: Run, message: RegExp): void {
  expect(r.status, `expected a refusal, got: ${r.stdout}`).not.toBe(0);
  expect(r.stderr).toMatch(message);
}

/** Waits until a oneshot unit is neither starting nor running; returns its result. */
async function unitDone(unit: string, seconds = 600): Promise<{ result: string; status: string }> {
  let show = "";
  await waitFor(`${unit} to finish`, () => {
    show = m().exec(["systemctl", "show", "-p", "ActiveState", "-p", "Result", "-p", "ExecMainStatus", unit]).stdout;
    return !/ActiveState=(activating|deactivating|reloading)/.test(show);
  }, seconds);
  return { result: /Result=(\S+)/.exec(show)?.[1] ?? "", status: /ExecMainStatus=(\S+)/.exec(show)?.[1] ?? "" };
}

const journal = (unit: string): string => m().exec(["journalctl", "--no-pager", "-o", "cat", "-u", unit]).stdout;
const pgbackrest = (...args: string[]): Run => m().exec(["runuser", "-u", "postgres", "--", "pgbackrest", `--stanza=${lab.db.stanza}`, ...args], { timeoutMs: 600_000 });
const backups = (): { label: string; type: string }[] => {
  const info = JSON.parse(pgbackrest("info", "--output=json").stdout || "[]") as { backup?: { label: string; type: string }[] }[];
  return info[0]?.backup ?? [];
};

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error("the database host test needs root (network namespaces, systemd-nspawn)");
  const db = dbHostFiles(await shippedStack("dev"), HOST);
  const hba = db.file("/etc/postgresql/15/main/pg_hba.conf").content;
  const appCidr = /^hostssl\s+\S+\s+\S+\s+(\d+\.\d+\.\d+\.\d+\/\d+)\s+scram-sha-256$/m.exec(hba)?.[1];
  if (appCidr === undefined) throw new Error("shipped pg_hba.conf admits no network");
  const base = appCidr.split("/")[0]?.split(".") ?? [];
  // A client well inside the admitted zone, and one outside it (the next /8 block up from the host).
  const appClient = `${base[0]}.${base[1]}.16.20/20`;
  const outsideClient = `${base[0]}.${Number(base[1]) + 1}.200.20/24`;
  lab = await buildDbHostLab({ prefix: PREFIX, dir: DIR, db, appClient, outsideClient });
  await lab.machine.boot();
  lab.machine.awaitCloudInit();
}, 1_800_000);

afterAll(async () => {
  await lab?.destroy();
}, 300_000);

describe("bootstrap of a database host from its shipped user-data on Debian 12 (dev)", () => {
  it("cloud-init ran it to the end: packages from the mirror, the volume mounted, every shipped file in place verbatim", () => {
    const log = m().read("/var/log/fitness-bootstrap.log");
    expect(log).toContain("fitness bootstrap: done");
    expect(log).not.toContain("FAILED");
    expect(m().exists("/var/lib/fitness/bootstrap-complete")).toBe(true);
    expect(m().must(["dpkg-query", "-W", "-f", "${Version}", "postgresql-15"])).toMatch(/^15\./);
    expect(m().must(["dpkg-query", "-W", "-f", "${Version}", "pgbackrest"])).toMatch(/^2\./);
    // apt read the shipped sources only, from the mirror (the stand-in answered for the bucket's name).
    expect(fs.readdirSync(path.join(m().root, "etc/apt/sources.list.d"))).toEqual(["fitness.sources"]);
    expect(m().exists("/etc/apt/sources.list")).toBe(false);
    expect(fs.readFileSync(path.join(DIR, "mirror.log"), "utf8")).toMatch(/GET \/debian\/dists\/bookworm\/InRelease/);
    expect(fs.readFileSync(path.join(DIR, "mirror.log"), "utf8")).toMatch(/GET \/debian-security\/dists\/bookworm-security\/InRelease/);
    // Every file the host's carriers write, verbatim, with its mode and owner (the SSM document's own script excepted: it has not run yet).
    for (const f of lab.db.files.filter((x) => x.path !== "/root/fitness-bootstrap.sh")) {
      expect(m().read(f.path), f.path).toBe(f.content);
      expect(m().must(["stat", "-c", "%a %U:%G", f.path]).trim(), f.path).toBe(`${Number.parseInt(f.mode, 8).toString(8)} ${f.owner}`);
    }
    // The data volume: formatted once (ext4, label pgdata), mounted by UUID, holding the cluster.
    const [fstype, source] = m().must(["findmnt", "-n", "-o", "FSTYPE,SOURCE", "/srv/postgresql"]).trim().split(/\s+/);
    expect(fstype).toBe("ext4");
    expect(m().must(["blkid", "-p", "-s", "LABEL", "-o", "value", source ?? ""]).trim()).toBe("pgdata");
    expect(m().read("/etc/fstab").match(/ \/srv\/postgresql ext4 /g)?.length).toBe(1);
    expect(m().must(["systemctl", "show", "-p", "RequiresMountsFor", "postgresql@15-main.service"])).toContain("/srv/postgresql");
    // postgresql-common runs our cluster (start.conf auto) from our configuration directory; Debian made no cluster of its own.
    expect(m().must(["pg_lsclusters", "-h"]).trim()).toMatch(/^15\s+main\s+5432\s+online\s+postgres\s+\/srv\/postgresql\/15\/main\s+/);
    expect(m().exists("/var/lib/postgresql/15/main")).toBe(false);
    expect(m().exec(["systemctl", "is-active", "postgresql@15-main.service"]).stdout.trim()).toBe("active");
    expect(m().exec(["systemctl", "is-enabled", "postgresql@15-main.service"]).stdout.trim()).toBe("enabled");
    expect(m().exec(["systemctl", "is-active", "amazon-ssm-agent.service"]).stdout.trim()).toBe("active");
    // The host fetched this host's secrets and setup parameters, and nothing else.
    const calls = lab.api.calls();
    expect(new Set(calls.filter((c) => c.service === "secretsmanager").map((c) => c.id))).toEqual(new Set(Object.keys(lab.secrets)));
    expect(calls.filter((c) => c.service === "ssm").every((c) => String(c.name).includes(`/${lab.db.stanza}/`))).toBe(true);
    expect(calls.filter((c) => c.service === "unknown")).toEqual([]);
    record(
      [
        lab.db.userData,
        ...lab.db.records.filter((r) => r.kind === "bootstrap" && r.path.startsWith("ssm-parameter:")),
        ...shipped(
          "/etc/apt/sources.list.d/fitness.sources",
          "/etc/postgresql-common/createcluster.d/00-fitness.conf",
          "/etc/systemd/system/postgresql@15-main.service.d/10-fitness-data-volume.conf",
          "/etc/postgresql/15/main/start.conf",
          "/etc/postgresql/15/main/pg_ctl.conf",
          "/etc/postgresql/15/main/environment",
        ),
      ],
      "cloud-init ran the shipped user-data on Debian 12: apt from the mirror, volume, postgresql-common started our cluster",
    );
  });
});

/**
 * The settings that make the server safe, each with the value it must have. The list is the test's
 * own, not read from the file: a setting removed from our file falls back to the server's default,
 * whose source is not our file, and the check fails even where the default happens to be equal.
 */
function securitySettings(): Record<string, { value: string; file: string }> {
  const ours = (value: string) => ({ value, file: CONF });
  return {
    listen_addresses: ours(lab.db.privateIp),
    port: ours("5432"),
    password_encryption: ours("scram-sha-256"),
    authentication_timeout: ours("30"),
    ssl: ours("on"),
    ssl_min_protocol_version: ours("TLSv1.2"),
    ssl_ciphers: ours("HIGH:!aNULL:!MD5:!3DES:!RC4"),
    ssl_prefer_server_ciphers: ours("on"),
    ssl_cert_file: ours("/etc/postgresql/15/main/tls/server.crt"),
    ssl_key_file: ours("/etc/postgresql/15/main/tls/server.key"),
    log_connections: ours("on"),
    log_disconnections: ours("on"),
    log_statement: ours("ddl"),
    log_line_prefix: ours("%m [%p] %q%u@%d "),
    log_timezone: ours("UTC"),
    wal_level: ours("replica"),
    archive_mode: { value: "on", file: ARCHIVE_DROP_IN },
    archive_command: { value: `pgbackrest --stanza=${lab.db.stanza} archive-push %p`, file: ARCHIVE_DROP_IN },
  };
}

/** Which required settings the running server does not take, with that value, from our files. */
function settingsNotFromOurFiles(): string[] {
  const wanted = securitySettings();
  const names = Object.keys(wanted);
  const rows = adminOk("postgres", `SELECT name, setting, source, coalesce(sourcefile, '') FROM pg_settings WHERE name IN (${names.map((n) => `'${n}'`).join(",")}) ORDER BY name`);
  const got = new Map(rows.split("\n").map((l) => { const [name, setting, source, file] = l.split("|"); return [name as string, { setting, source, file }]; }));
  const wrong: string[] = [];
  for (const [name, want] of Object.entries(wanted)) {
    const g = got.get(name);
    if (g === undefined || g.setting !== want.value || g.source !== "configuration file" || g.file !== want.file) wrong.push(`${name}: ${JSON.stringify(g)}`);
  }
  return wrong;
}

describe("PostgreSQL takes its settings from the shipped files", () => {
  it("every security setting has its value and comes from our file (pg_settings.source, sourcefile)", () => {
    expect(settingsNotFromOurFiles()).toEqual([]);
    // hba_file and ident_file are re-set as absolute paths at start (source "override", PostgreSQL's
    // SelectConfigFiles): their values are the files of ours, and their lines are read below.
    expect(adminOk("postgres", "SELECT current_setting('hba_file') || ' ' || current_setting('ident_file')")).toBe("/etc/postgresql/15/main/pg_hba.conf /etc/postgresql/15/main/pg_ident.conf");
    // Every line of our files was read and applied; none is overridden by a later file (postgresql.auto.conf, a drop-in) or in error.
    const fileRows = adminOk("postgres", "SELECT sourcefile, name, applied, coalesce(error, '') FROM pg_file_settings ORDER BY sourcefile, seqno").split("\n");
    const namesIn = (file: string) => fileRows.filter((l) => l.startsWith(`${file}|`)).map((l) => l.split("|")[1]);
    // include_dir is a directive, not a setting: the drop-in's own lines show it was followed.
    const keys = (text: string) => [...text.matchAll(/^([a-z_]+) = /gm)].map((x) => x[1]).filter((k) => k !== "include_dir");
    expect(namesIn(CONF)).toEqual(keys(m().read(CONF)));
    expect(namesIn(ARCHIVE_DROP_IN)).toEqual(keys(m().read(ARCHIVE_DROP_IN)));
    expect(fileRows.filter((l) => !l.endsWith("|t|"))).toEqual([]);
    expect(fileRows.filter((l) => !l.startsWith(`${CONF}|`) && !l.startsWith(`${ARCHIVE_DROP_IN}|`))).toEqual([]);
    record(shipped(CONF, ARCHIVE_DROP_IN), "every setting of the file read and applied by PostgreSQL 15 (pg_file_settings), security settings sourced from it (pg_settings)");
  });

  it("the check fails when a setting is removed from our file, even where the server's default is the same value", () => {
    const original = m().read(CONF);
    try {
      m().write(CONF, original.replace(/^ssl_min_protocol_version = .*\n/m, "").replace(/^password_encryption = .*\n/m, ""), 0o644);
      adminOk("postgres", "SELECT pg_reload_conf()");
      // The server keeps the same values (its defaults), so only the source tells.
      expect(adminOk("postgres", "SHOW ssl_min_protocol_version")).toBe("TLSv1.2");
      expect(adminOk("postgres", "SHOW password_encryption")).toBe("scram-sha-256");
      expect(settingsNotFromOurFiles().map((w) => w.split(":")[0])).toEqual(["password_encryption", "ssl_min_protocol_version"]);
    } finally {
      m().write(CONF, original, 0o644);
      m().must(["chown", "postgres:postgres", CONF]);
      adminOk("postgres", "SELECT pg_reload_conf()");
    }
    expect(settingsNotFromOurFiles()).toEqual([]);
  });
});

describe("access to the server, from the zones (pg_hba.conf, TLS, SCRAM)", () => {
  /** The service role of this host: the role roles.sql creates, the password its variable is fetched into. */
  const role = () => {
    const sql = lab.db.file("/etc/fitness/databases/roles.sql").content;
    const m1 = /^\\getenv fitness_password (\w+)$[\s\S]*?CREATE ROLE %I', '([^']+)'/m.exec(sql);
    if (m1 === null) throw new Error("shipped roles.sql creates no role");
    const [, env, user] = m1 as unknown as [string, string, string];
    return { user, database: user, password: lab.passwords[env] ?? "" };
  };

  it("created the service's login role and database from its secret: SCRAM verifier, no extra rights", () => {
    const { user } = role();
    expect(adminOk("postgres", `SELECT rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, left(rolpassword, 14) FROM pg_authid WHERE rolname = '${user}'`)).toBe(`${user}|t|f|f|f|SCRAM-SHA-256$`);
    expect(adminOk("postgres", `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${user}'`)).toBe(user);
    expect(adminOk("postgres", `SELECT has_database_privilege('${user}', 'postgres', 'CONNECT')`)).toBe("f");
  });

  it("admits the app zone over TLS (verify-full against the internal CA) with the service's password", () => {
    const r = connect("app", role(), "SELECT current_user, s.ssl, s.version FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()");
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toMatch(new RegExp(`^${role().user}\\|t\\|TLSv1\\.[23]$`));
  });

  it("refuses plain text, a wrong password, another database, a network outside the zone and local service logins", () => {
    const a = role();
    refused(connect("app", { ...a, sslmode: "disable" }, "SELECT 1"), /no encryption/);
    refused(connect("app", { ...a, password: `${a.password}x` }, "SELECT 1"), new RegExp(`password authentication failed for user "${a.user}"`));
    refused(connect("app", { ...a, database: "postgres" }, "SELECT 1"), /pg_hba\.conf rejects connection/);
    refused(connect("out", a, "SELECT 1"), new RegExp(`pg_hba\\.conf rejects connection for host "${lab.clients.outside.replace(/\./g, "\\.")}"`));
    const local = m().exec(["env", `PGPASSWORD=${a.password}`, "psql", "-X", "-h", "/var/run/postgresql", "-U", a.user, "-d", a.database, "-c", "SELECT 1"]);
    refused(local, /pg_hba\.conf rejects connection for host "\[local\]"/);
    // PostgreSQL read our ident file and found no maps in it (PostgreSQL 15's view of the file).
    expect(adminOk("postgres", "SELECT count(*) FROM pg_ident_file_mappings")).toBe("0");
    expect(adminOk("postgres", "SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL")).toBe("0");
  });

  it("gives the role its own schema, and nothing in the maintenance database", () => {
    const a = role();
    expect(connect("app", a, "CREATE TABLE IF NOT EXISTS own_rows (id int); SELECT current_schema()").stdout.trim().split("\n").pop()).toBe(a.user);
    // Even where the role could get a session (as if pg_hba.conf slipped), roles.sql left it no right there.
    refused(admin("postgres", `SET ROLE "${a.user}"; CREATE TABLE public.intruder (id int)`), /permission denied for schema public/);
  });

  it("verify-full refuses a server certificate from another CA", () => {
    refused(connect("app", { ...role(), rootcert: lab.otherCaFile }, "SELECT 1"), /certificate verify failed/);
  });

  it("refuses TLS 1.1 and accepts TLS 1.2", () => {
    // Without the system OpenSSL config the client offers 1.1; the refusal (alert 70) can only come from the server.
    const handshake = (flag: string) =>
      inNs(lab.ns("app"), "env", ["OPENSSL_CONF=/dev/null", "openssl", "s_client", "-connect", `${lab.db.privateIp}:5432`, "-starttls", "postgres", flag, "-cipher", "DEFAULT@SECLEVEL=0", "-CAfile", lab.internalCaFile]);
    const old = handshake("-tls1_1");
    expect(old.status).not.toBe(0);
    expect(`${old.stdout}${old.stderr}`).toMatch(/alert protocol version|alert number 70/);
    expect(handshake("-tls1_2").stdout).toMatch(/Protocol\s*:\s*TLSv1\.2/);
  });

  it("logs connections and DDL to the journal, never a password", () => {
    const a = role();
    expect(connect("app", a, "CREATE TABLE IF NOT EXISTS profiles (id int PRIMARY KEY)").status).toBe(0);
    const log = m().exec(["journalctl", "--no-pager", "-o", "cat"]).stdout + m().exec(["sh", "-c", "cat /var/log/postgresql/*.log 2>/dev/null"]).stdout;
    expect(log).toMatch(new RegExp(`connection authorized: user=${a.user} database=${a.database} .*SSL enabled`));
    expect(log).toMatch(/statement: CREATE TABLE IF NOT EXISTS profiles/);
    for (const secret of [...Object.values(lab.passwords), lab.passphrase]) {
      expect(log).not.toContain(secret);
      expect(m().read("/var/log/fitness-bootstrap.log")).not.toContain(secret);
      expect(m().read("/var/log/cloud-init-output.log")).not.toContain(secret);
    }
    // The key is readable by postgres alone, as the secrets script wrote it.
    expect(m().must(["stat", "-c", "%a %U", "/etc/postgresql/15/main/tls/server.key"]).trim()).toBe("600 postgres");
    record(
      [...shipped("/etc/postgresql/15/main/pg_hba.conf", "/etc/postgresql/15/main/pg_ident.conf", "/usr/local/sbin/fitness-db-secrets", "/etc/fitness/databases/roles.sql")],
      "clients in and outside the app zone against the running server: TLS, SCRAM, refusals; roles created by the shipped secrets script and SQL",
    );
  });
});

/** The secrets script run while a secret is missing; started next to the backup tests (it retries for minutes). */
let missingSecretRun: Promise<Run> | undefined;
let missingSecret = "";

describe("backups under the host's systemd (pgBackRest to the S3 stand-in)", () => {
  beforeAll(() => {
    // The service password's secret goes missing (no backup job reads it); libfaketime at 200x lets the
    // script's thirty 10-second retries pass quickly, unchanged.
    missingSecret = lab.db.secretIds.credentials[0]?.id ?? "";
    lab.api.setSecrets(Object.fromEntries(Object.entries(lab.secrets).filter(([id]) => id !== missingSecret)));
    missingSecretRun = m().execAsync(["env", "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "FAKETIME=+0 x200", "/usr/local/sbin/fitness-db-secrets", "roles"], { timeoutMs: 900_000 });
  });

  it("the first full backup the bootstrap started finished, encrypted, in the repository path of our file", async () => {
    expect(await unitDone("fitness-pgbackrest@full.service")).toEqual({ result: "success", status: "0" });
    expect(backups().map((b) => b.type)).toContain("full");
    const objects = lab.s3.objects();
    expect(objects.some((o) => o.startsWith(`${lab.db.stanza}/backup/${lab.db.stanza}/`) && /F\/backup\.manifest$/.test(o))).toBe(true);
    expect(objects.some((o) => o.startsWith(`${lab.db.stanza}/archive/${lab.db.stanza}/15-1/`))).toBe(true);
    for (const o of objects) {
      expect(fs.readFileSync(path.join(lab.s3.storage, lab.db.backupBucket, `${o}._S3rver_object`)).subarray(0, 8).toString("latin1"), o).toBe("Salted__");
    }
    // Virtual-host requests to our bucket, with the instance role's credentials from IMDSv2; no deletes.
    const requests = fs.readFileSync(lab.s3.requests, "utf8");
    expect(requests).toContain(`"host":"${lab.db.backupBucket}.s3.${lab.db.region}.amazonaws.com"`);
    // pgBackRest's only delete: the informational `latest` link it removes after each backup (backup/common.c,
    // backupLinkLatest), which S3 has no links for. Nothing of a backup or the archive is ever deleted.
    const deletes = requests.split("\n").filter((l) => l.includes('"method":"DELETE"')).map((l) => (JSON.parse(l) as { url: string }).url);
    expect(new Set(deletes)).toEqual(new Set([`/${lab.db.stanza}/backup/${lab.db.stanza}/latest`]));
    expect(fs.readFileSync(lab.imds.requests, "utf8")).toMatch(/GET \/latest\/meta-data\/iam\/security-credentials\/lab-proxy-role/);
  });

  it("pgBackRest runs with the options of our file: cipher, repository, async archiving and its queue limit", () => {
    // pgBackRest logs each command's effective options when it begins (log-level-file=detail).
    const begins = m().must(["sh", "-c", `cat /var/log/pgbackrest/${lab.db.stanza}-archive-push-async.log`]);
    const begin = begins.split("\n").find((l) => l.includes("archive-push:async command begin")) ?? "";
    const conf = m().read("/etc/pgbackrest/pgbackrest.conf");
    const value = (key: string) => new RegExp(`^${key}=(.+)$`, "m").exec(conf)?.[1] ?? "";
    expect(begin).toContain("--archive-async");
    expect(begin).toContain(`--archive-push-queue-max=${value("archive-push-queue-max")}`);
    expect(begin).toContain("--repo1-cipher-type=aes-256-cbc");
    expect(begin).toContain("--repo1-cipher-pass=<redacted>");
    expect(begin).toContain(`--repo1-path=${value("repo1-path")}`);
    expect(begin).toContain(`--repo1-s3-bucket=${value("repo1-s3-bucket")}`);
    expect(begin).toContain(`--spool-path=${value("spool-path")}`);
    // async archiving used the spool path of our file.
    expect(m().exists(`/var/spool/pgbackrest/archive/${lab.db.stanza}/out`)).toBe(true);
    const info = JSON.parse(pgbackrest("info", "--output=json").stdout) as { repo: { cipher: string }[] }[];
    expect(info[0]?.repo[0]?.cipher).toBe("aes-256-cbc");
  });

  it("each timer is active and its job runs under systemd with its effect: diff, verify, monitor", async () => {
    for (const t of ["full", "diff", "verify", "monitor"]) {
      const timer = `fitness-pgbackrest-${t}.timer`;
      expect(m().exec(["systemctl", "is-active", timer]).stdout.trim(), timer).toBe("active");
      expect(m().exec(["systemctl", "is-enabled", timer]).stdout.trim(), timer).toBe("enabled");
      expect(m().must(["systemctl", "show", "-p", "NextElapseUSecRealtime", "-p", "NextElapseUSecMonotonic", timer])).toMatch(/=\S/);
    }
    for (const job of ["diff", "verify", "monitor"]) {
      const unit = (/^Unit=(.+)$/m.exec(m().read(`/etc/systemd/system/fitness-pgbackrest-${job}.timer`))?.[1] ?? "").trim();
      m().must(["systemctl", "start", unit], { timeoutMs: 900_000 });
      expect(await unitDone(unit), unit).toEqual({ result: "success", status: "0" });
    }
    expect(backups().map((b) => b.type)).toEqual(expect.arrayContaining(["full", "diff"]));
    const metrics = lab.api.metrics();
    for (const job of ["passphrase", "stanza", "check", "backup", "verify"]) {
      expect(metrics.some((x) => x.namespace === "Fitness/Backups" && x.name === "JobSucceeded" && x.dimensions.Job === job), job).toBe(true);
    }
    expect(metrics.some((x) => x.name === "ArchiveFailing" && x.value === 0)).toBe(true);
    expect(metrics.some((x) => x.name === "WalDropped" && x.value === 0)).toBe(true);
  });

  it("the passphrase unit writes the cipher file for postgres alone; a failing job starts the failure handler, which reports it", async () => {
    m().must(["rm", "-f", "/etc/pgbackrest/conf.d/cipher.conf"]);
    m().must(["systemctl", "restart", "fitness-pgbackrest-passphrase.service"]);
    expect(await unitDone("fitness-pgbackrest-passphrase.service")).toEqual({ result: "success", status: "0" });
    expect(m().must(["stat", "-c", "%a %U:%G", "/etc/pgbackrest/conf.d/cipher.conf"]).trim()).toBe("440 root:postgres");
    expect(m().exec(["systemctl", "is-enabled", "fitness-pgbackrest-passphrase.service"]).stdout.trim()).toBe("enabled");
    const before = lab.api.metrics().filter((x) => x.name === "JobFailed").length;
    m().exec(["systemctl", "start", "fitness-pgbackrest@nosuchjob.service"]);
    expect((await unitDone("fitness-pgbackrest@nosuchjob.service")).result).toBe("exit-code");
    const handler = "fitness-pgbackrest-failed@fitness-pgbackrest@nosuchjob.service.service";
    expect(await unitDone(handler)).toEqual({ result: "success", status: "0" });
    expect(journal(handler)).toContain("unit fitness-pgbackrest@nosuchjob.service failed");
    await waitFor("the JobFailed metric", () => lab.api.metrics().filter((x) => x.name === "JobFailed").length > before, 60);
    record(
      [
        ...shipped("/etc/pgbackrest/pgbackrest.conf", "/usr/local/sbin/fitness-pgbackrest"),
        ...lab.db.files.filter((f) => f.path.startsWith("/etc/systemd/system/fitness-pgbackrest")),
      ],
      "pgBackRest jobs run by the host's systemd from the shipped units and timers; backups land encrypted in the S3 stand-in; failure handler reports",
    );
  });

  it("the monitor, run by systemd, reports a dropped WAL once and starts a full backup at once", async () => {
    const fulls = backups().filter((b) => b.type === "full").length;
    const invocation = (): string => m().must(["systemctl", "show", "-p", "InvocationID", "--value", "fitness-pgbackrest@full.service"]).trim();
    const before = invocation();
    // pgBackRest's own warning when archive-push-queue-max is exceeded.
    m().must(["sh", "-c", `echo "P00   WARN: dropped WAL file '000000010000000000000042' because archive queue exceeded 4GB" >> /var/log/pgbackrest/${lab.db.stanza}-archive-push.log`]);
    m().must(["systemctl", "start", "fitness-pgbackrest@monitor.service"], { timeoutMs: 300_000 });
    expect(lab.api.metrics().some((x) => x.name === "WalDropped" && x.value === 1 && x.dimensions.Host === lab.db.stanza)).toBe(true);
    // journald stores the unit's stderr on its own schedule: wait for it rather than race it.
    await waitFor("the monitor's warning in the journal", () => /1 WAL file\(s\) DROPPED/.test(journal("fitness-pgbackrest@monitor.service")), 60);
    await waitFor("the full backup the monitor started", () => invocation() !== before, 60);
    expect(await unitDone("fitness-pgbackrest@full.service")).toEqual({ result: "success", status: "0" });
    expect(backups().filter((b) => b.type === "full").length).toBe(fulls + 1);
  });

  it("restores to a point in time with the restore drill, and not without the passphrase", () => {
    adminOk("postgres", "CREATE TABLE drill_rows (id int PRIMARY KEY, batch text NOT NULL); INSERT INTO drill_rows SELECT g, 'A' FROM generate_series(1, 100) g");
    const target = adminOk("postgres", "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
    adminOk("postgres", "INSERT INTO drill_rows SELECT g, 'B' FROM generate_series(101, 200) g; SELECT pg_switch_wal()");
    expect(pgbackrest("check").status).toBe(0);
    m().write("/root/restore-drill.sh", fs.readFileSync(path.join(ROOT, "scripts", "restore-drill.sh"), "utf8"), 0o700);
    const drill = m().exec(
      ["bash", "/root/restore-drill.sh", "local", "--stanza", lab.db.stanza, "--target", target, "--workdir", "/srv/postgresql/drill", "--port", "5499", "--check-sql", "SELECT count(*), string_agg(DISTINCT batch, ',') FROM drill_rows", "--expect", "100|A"],
      { timeoutMs: 900_000 },
    );
    expect(drill.status, `${drill.stdout}\n${drill.stderr}`).toBe(0);
    expect(drill.stdout).toContain(`RESTORE-DRILL-OK stanza=${lab.db.stanza}`);
    // The cipher passphrase is what makes the repository readable: without it pgBackRest refuses.
    m().must(["sh", "-c", "install -d -m 0755 /var/tmp/no-pass && cp /etc/pgbackrest/pgbackrest.conf /var/tmp/no-pass/ && chmod 0644 /var/tmp/no-pass/pgbackrest.conf"]);
    const bare = m().exec(["runuser", "-u", "postgres", "--", "pgbackrest", "--config-path=/var/tmp/no-pass", `--stanza=${lab.db.stanza}`, "info"]);
    expect(`${bare.stdout}${bare.stderr}`).toMatch(/cipher|passphrase|cipher-pass/i);
  });
});

describe("a missing secret", () => {
  it("fails the secrets script loudly, naming the secret, after the retries that cover IAM's delay", async () => {
    try {
      const r = await (missingSecretRun ?? Promise.reject(new Error("the run was not started")));
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`fitness-db-secrets: ${missingSecret} not readable yet (attempt 30)`);
      expect(r.stderr).toMatch(/ResourceNotFoundException/);
    } finally {
      lab.api.setSecrets(lab.secrets);
    }
    // The stand-in answered "not found" (some of the fast clock's attempts fail earlier, refreshing the role's credentials).
    expect(lab.api.calls().some((c) => c.service === "secretsmanager" && c.id === missingSecret && c.found === false)).toBe(true);
  }, 900_000);
});

describe("the SSM document runs the same bootstrap again (idempotent)", () => {
  it("a second run as the SSM agent runs it (sh, as root) succeeds and changes nothing that holds data", () => {
    adminOk("users", "SELECT 1");
    const before = adminOk("postgres", "SELECT count(*) FROM drill_rows");
    const fstab = m().read("/etc/fstab");
    const step = lab.db.ssmDocument.content;
    // The agent writes the step's commands to a script under its own directory and runs it with sh.
    m().write("/var/lib/amazon/ssm/lab/_script.sh", `${step}\n`, 0o700);
    const r = m().exec(["sh", "/var/lib/amazon/ssm/lab/_script.sh"], { timeoutMs: 1_200_000 });
    expect(r.status, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).toBe(0);
    expect(r.stdout).toContain("data volume already holds ext4: keeping it");
    expect(r.stdout).toContain("fitness bootstrap: done");
    expect(adminOk("postgres", "SELECT count(*) FROM drill_rows")).toBe(before);
    expect(m().read("/etc/fstab")).toBe(fstab);
    expect(m().read("/root/fitness-bootstrap.sh")).toBe(lab.db.file("/root/fitness-bootstrap.sh").content);
    expect(m().must(["stat", "-c", "%a", "/root/fitness-bootstrap.sh"]).trim()).toBe("600");
    expect(settingsNotFromOurFiles()).toEqual([]);
    expect(m().exec(["systemctl", "is-active", "postgresql@15-main.service"]).stdout.trim()).toBe("active");
    record([lab.db.ssmDocument, lab.db.file("/root/fitness-bootstrap.sh")], "the SSM document's step run by sh as root on the bootstrapped host: idempotent second run");
  });

  it("fails loudly without the mirror: names it, reports BootstrapFailed and schedules a retry", async () => {
    await lab.stopMirror();
    try {
      const r = m().exec(["bash", "/root/fitness-bootstrap.sh"], { timeoutMs: 600_000 });
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/fitness bootstrap: package mirror not ready \(https:\/\/.+\/debian\/dists\/bookworm\/InRelease\): run the mirror job/);
      expect(r.stdout + r.stderr).toMatch(/fitness bootstrap: FAILED \(exit 1\); retrying in 300 s/);
      expect(lab.api.metrics().some((x) => x.namespace === "Fitness/Databases" && x.name === "BootstrapFailed" && x.dimensions.Host === lab.db.stanza)).toBe(true);
      const timers = m().must(["systemctl", "list-timers", "--all", "--no-legend", "fitness-bootstrap-retry-*"]);
      expect(timers).toMatch(/fitness-bootstrap-retry-\d+\.timer/);
      for (const t of timers.matchAll(/(fitness-bootstrap-retry-\d+)\.timer/g)) m().exec(["systemctl", "stop", `${t[1]}.timer`]);
    } finally {
      await lab.restartMirror();
    }
  });
});
