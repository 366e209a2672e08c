/**
 * pgBackRest on real PostgreSQL 15, with the files the backups plan renders for a database host:
 * pgbackrest.conf (cipher on, S3 repository at the production endpoint name, instance-role credentials),
 * the archive drop-in, the job script (passphrase, stanza, jobs, monitor) and the restore drill.
 *
 * The repository is S3-compatible: s3rver (npm) with TLS inside a network namespace that maps the
 * bucket's virtual host and s3.<region>.amazonaws.com to its loopback, and an IMDSv2 stub for the role
 * credentials (test/hosts/pgbackrest-lab.ts). Only file paths differ from a host (PgbackrestPaths), plus
 * the lab CA, given to pgBackRest as PGBACKREST_REPO1_STORAGE_CA_FILE. The AWS CLI is a stub that returns
 * the cipher passphrase and records metrics; systemctl is a stub that records what the monitor starts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHostScript } from "../../src/backups/host-script";
import { renderArchiveDropIn, renderCipherInclude, renderPgbackrestConf } from "../../src/backups/pgbackrest-conf";
import { repositoryBucketName } from "../../src/backups/repository-plan";
import { createContext } from "../../src/conventions/context";
import { memorySettings } from "../../src/databases/memory-settings";
import { renderPostgresqlConf } from "../../src/databases/postgresql-conf";
import { inNs, must, removeNamespace, run, type S3Lab, startS3Lab } from "./pgbackrest-lab";

const NS = "fpbk-lab";
const LAB = path.join(os.tmpdir(), "fpbk-pgbackrest-lab");
const BIN = "/usr/lib/postgresql/15/bin";
const REGION = "eu-central-1";
const DOMAIN = "personal-data";
const STANZA = DOMAIN;
const PORT = 5432;
const DRILL_PORT = 5499;
const PASSPHRASE = randomBytes(48).toString("base64url");
const BUCKET = repositoryBucketName(createContext({ project: "fitness-platform", stack: "lab", environment: "dev", region: REGION, accountId: "123456789012" }));
const S3RVER = path.resolve(__dirname, "../../node_modules/s3rver/bin/s3rver.js");

const p = {
  etc: path.join(LAB, "etc", "pgbackrest"),
  cipher: path.join(LAB, "etc", "pgbackrest", "conf.d", "cipher.conf"),
  data: path.join(LAB, "pg", "data"),
  conf: path.join(LAB, "pg", "conf"),
  confD: path.join(LAB, "pg", "conf", "conf.d"),
  tls: path.join(LAB, "pg", "tls"),
  sock: path.join(LAB, "pg", "sock"),
  pgLog: path.join(LAB, "pg", "postgresql.log"),
  spool: path.join(LAB, "spool"),
  log: path.join(LAB, "log"),
  lock: path.join(LAB, "lock"),
  state: path.join(LAB, "state"),
  stub: path.join(LAB, "stub"),
  metrics: path.join(LAB, "stub", "metrics.log"),
  systemctl: path.join(LAB, "stub", "systemctl.log"),
  script: path.join(LAB, "bin", "fitness-pgbackrest"),
  drill: path.join(LAB, "drill"),
  s3: path.join(LAB, "s3lab"),
};

let lab: S3Lab | undefined;

/** The environment of every pgBackRest call: the lab's config path and CA; the stubs first on PATH. */
function env(configPath = p.etc): NodeJS.ProcessEnv {
  return {
    PATH: `${p.stub}:${process.env.PATH}`,
    HOME: LAB,
    PGBACKREST_CONFIG_PATH: configPath,
    PGBACKREST_REPO1_STORAGE_CA_FILE: lab?.caFile ?? "",
  };
}

const script = (...args: string[]) => inNs(NS, "bash", [p.script, ...args], { env: env(), timeoutMs: 170_000 });
const pgbackrest = (args: string[], configPath?: string) => inNs(NS, "runuser", ["-u", "postgres", "--", "pgbackrest", `--stanza=${STANZA}`, ...args], { env: env(configPath), timeoutMs: 170_000 });
const sql = (query: string) => must("ip", ["netns", "exec", NS, "runuser", "-u", "postgres", "--", "psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-h", p.sock, "-p", String(PORT), "-d", "postgres", "-c", query]).trim();
const metrics = () => (fs.existsSync(p.metrics) ? fs.readFileSync(p.metrics, "utf8") : "");

function ok(r: ReturnType<typeof run>): string {
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

function stopServer(dataDir: string): void {
  if (fs.existsSync(path.join(dataDir, "postmaster.pid"))) run("runuser", ["-u", "postgres", "--", `${BIN}/pg_ctl`, "-D", dataDir, "-m", "immediate", "-w", "stop"]);
}

function cleanup(): void {
  stopServer(p.data);
  stopServer(path.join(p.drill, "data"));
  lab?.stop();
  removeNamespace(NS);
  fs.rmSync(LAB, { recursive: true, force: true });
}

function writeStubs(): void {
  fs.mkdirSync(p.stub, { recursive: true });
  // `aws`: Secrets Manager answers with the passphrase secret's JSON; CloudWatch metrics are recorded.
  fs.writeFileSync(
    path.join(p.stub, "aws"),
    [
      "#!/bin/bash",
      'case "$*" in',
      `  *"secretsmanager get-secret-value --secret-id lab-personal-data-cipher "*) printf '%s\\n' '{"passphrase":"${PASSPHRASE}"}' ;;`,
      `  *"cloudwatch put-metric-data"*) echo "$*" >> ${p.metrics} ;;`,
      '  *) echo "aws stub: unexpected call: $*" >&2; exit 1 ;;',
      "esac",
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(p.stub, "systemctl"), `#!/bin/bash\necho "$*" >> ${p.systemctl}\n`, { mode: 0o755 });
}

function writeHostFiles(): void {
  fs.mkdirSync(p.etc, { recursive: true });
  fs.writeFileSync(
    path.join(p.etc, "pgbackrest.conf"),
    renderPgbackrestConf({
      stanza: STANZA,
      region: REGION,
      bucket: BUCKET,
      repoPath: `/${DOMAIN}`,
      retentionFullCount: 2,
      archivePushQueueMaxMiB: 4096,
      processMax: 2,
      paths: { pgDataPath: p.data, pgSocketPath: p.sock, pgPort: PORT, spoolPath: p.spool, logPath: p.log, lockPath: p.lock },
    }),
    { mode: 0o644 },
  );
  fs.mkdirSync(path.dirname(p.script), { recursive: true });
  fs.writeFileSync(
    p.script,
    renderHostScript({
      stanza: STANZA,
      host: DOMAIN,
      region: REGION,
      passphraseSecretId: "lab-personal-data-cipher",
      archivePushQueueMaxMiB: 4096,
      paths: { cipherFile: p.cipher, logPath: p.log, stateDirectory: p.state, pgDataPath: p.data, pgSocketPath: p.sock, pgPort: PORT },
      retryDelaySeconds: 1,
    }),
    { mode: 0o750 },
  );
  for (const dir of [p.spool, p.log, p.lock, p.sock, p.confD, p.tls, path.dirname(p.data)]) {
    fs.mkdirSync(dir, { recursive: true });
    must("chown", ["postgres:postgres", dir]);
  }
  // The server: the databases plan's postgresql.conf (lab paths), with the backups plan's archive drop-in.
  must("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path.join(p.tls, "server.key"), "-out", path.join(p.tls, "server.crt"), "-subj", "/CN=lab-db", "-days", "2"]);
  must("chown", ["-R", "postgres:postgres", p.tls]);
  fs.chmodSync(path.join(p.tls, "server.key"), 0o600);
  fs.writeFileSync(
    path.join(p.conf, "postgresql.conf"),
    renderPostgresqlConf({
      listenAddress: "127.0.0.1",
      port: PORT,
      maxConnections: 50,
      memory: memorySettings(1024, 50),
      paths: {
        dataDirectory: p.data,
        hbaFile: path.join(p.conf, "pg_hba.conf"),
        identFile: path.join(p.conf, "pg_ident.conf"),
        sslCertFile: path.join(p.tls, "server.crt"),
        sslKeyFile: path.join(p.tls, "server.key"),
        unixSocketDirectory: p.sock,
        includeDir: p.confD,
      },
    }),
  );
  fs.writeFileSync(path.join(p.conf, "pg_hba.conf"), "local all postgres peer\n");
  fs.writeFileSync(path.join(p.conf, "pg_ident.conf"), "");
  fs.writeFileSync(path.join(p.confD, "50-pgbackrest-archive.conf"), renderArchiveDropIn(STANZA));
  must("chown", ["-R", "postgres:postgres", p.conf]);
}

beforeAll(() => {
  for (const bin of [`${BIN}/initdb`, `${BIN}/pg_ctl`, "/usr/bin/pgbackrest", "/usr/bin/psql", "/usr/bin/openssl", "/usr/bin/curl", "/usr/bin/jq", S3RVER]) {
    if (!fs.existsSync(bin)) throw new Error(`host test needs ${bin} (installed by .ci/run)`);
  }
  cleanup();
  fs.mkdirSync(LAB, { recursive: true, mode: 0o755 });
  fs.chmodSync(LAB, 0o755);
  lab = startS3Lab(NS, p.s3, REGION, BUCKET, S3RVER);
  writeStubs();
  writeHostFiles();
  must("ip", ["netns", "exec", NS, "runuser", "-u", "postgres", "--", `${BIN}/initdb`, "-D", p.data, "--data-checksums", "--encoding=UTF8", "--locale=C.UTF-8", "--auth-local=peer", "--auth-host=reject"]);
  must("ip", ["netns", "exec", NS, "runuser", "-u", "postgres", "--", `${BIN}/pg_ctl`, "-D", p.data, "-o", `-c config_file=${path.join(p.conf, "postgresql.conf")}`, "-l", p.pgLog, "-w", "-t", "60", "start"], { env: env() });
});

afterAll(() => {
  cleanup();
});

describe("pgBackRest on a database host (rendered files, real PostgreSQL 15, S3 repository)", () => {
  let target = "";

  it("fetches the cipher passphrase into a root-owned file only the postgres group can read", () => {
    ok(script("passphrase"));
    const st = fs.statSync(p.cipher);
    expect((st.mode & 0o777).toString(8)).toBe("440");
    expect(st.uid).toBe(0);
    expect(must("stat", ["-c", "%G", p.cipher]).trim()).toBe("postgres");
    expect(fs.readFileSync(p.cipher, "utf8")).toBe(renderCipherInclude(PASSPHRASE));
    expect(metrics()).toContain("--metric-name JobSucceeded --value 1 --dimensions Host=personal-data,Job=passphrase");
  });

  it("creates the stanza, then `pgbackrest check` proves WAL reaches the repository", () => {
    const out = script("stanza");
    ok(out);
    expect(metrics()).toMatch(/JobSucceeded --value 1 --dimensions Host=personal-data,Job=stanza/);
    expect(metrics()).toMatch(/JobSucceeded --value 1 --dimensions Host=personal-data,Job=check/);
    // Credentials came from the instance-metadata service (IMDSv2 token), as with an instance role.
    expect(fs.readFileSync(lab?.imdsLog ?? "", "utf8")).toMatch(/GET \/latest\/meta-data\/iam\/security-credentials\/lab-db-host-role token=lab-imds-token/);
  });

  it("takes a full backup, then a differential after rows were written", () => {
    ok(script("job", "full"));
    sql("create table drill_rows (id int primary key, batch text not null)");
    sql("insert into drill_rows select g, 'A' from generate_series(1, 100) g");
    ok(script("job", "diff"));
    const info = JSON.parse(ok(pgbackrest(["info", "--output=json"]))) as Array<{ backup: Array<{ type: string; reference: string[] | null }> }>;
    const backups = info[0]?.backup ?? [];
    expect(backups.map((b) => b.type)).toEqual(["full", "diff"]);
    expect(backups[1]?.reference?.length).toBe(1);
    expect(metrics().match(/JobSucceeded --value 1 --dimensions Host=personal-data,Job=backup/g)?.length).toBe(2);
  });

  it("archives the WAL past the recovery target, rows that must not survive included", () => {
    sql("insert into drill_rows select g, 'B' from generate_series(101, 200) g");
    target = sql("select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
    sql("insert into drill_rows select g, 'C' from generate_series(201, 300) g");
    sql("select pg_switch_wal()");
    ok(pgbackrest(["check"]));
  });

  it("stores only encrypted objects, and pgBackRest never deleted anything in the repository", () => {
    const objects: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else if (e.name.endsWith("._S3rver_object")) objects.push(full);
      }
    };
    walk(path.join(lab?.storage ?? "", BUCKET));
    expect(objects.some((o) => o.includes(`${DOMAIN}/archive/${STANZA}/15-1/`))).toBe(true);
    expect(objects.some((o) => o.includes(`${DOMAIN}/backup/${STANZA}/backup.info`))).toBe(true);
    for (const o of objects) expect(fs.readFileSync(o).subarray(0, 8).toString("latin1"), o).toBe("Salted__");
    expect(fs.readFileSync(lab?.requestLog ?? "", "utf8")).not.toMatch(/\bDELETE\b/);
  });

  it("restores to the noted time on a fresh data directory with the drill script: exactly the rows before it", () => {
    const r = inNs(NS, "bash", [
      path.resolve(__dirname, "../../scripts/restore-drill.sh"), "local",
      "--stanza", STANZA, "--target", target, "--workdir", p.drill, "--port", String(DRILL_PORT),
      "--check-sql", "select count(*), sum(id), string_agg(distinct batch, ',' order by batch) from drill_rows",
      "--expect", "200|20100|A,B",
    ], { env: env(), timeoutMs: 170_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`RESTORE-DRILL-OK stanza=${STANZA}`);
    expect(r.stderr).toMatch(/recovery time: [\d.]+ s/);
    // The original server still holds all three batches: the restore went to the target, not to the end.
    expect(sql("select count(*) from drill_rows")).toBe("300");
    expect(fs.existsSync(path.join(p.drill, "data"))).toBe(false);
  });

  it("cannot restore without the cipher passphrase, nor with a wrong one", () => {
    const bare = path.join(LAB, "etc-no-passphrase");
    const wrong = path.join(LAB, "etc-wrong-passphrase");
    for (const dir of [bare, wrong]) {
      fs.mkdirSync(path.join(dir, "conf.d"), { recursive: true });
      fs.copyFileSync(path.join(p.etc, "pgbackrest.conf"), path.join(dir, "pgbackrest.conf"));
    }
    fs.writeFileSync(path.join(wrong, "conf.d", "cipher.conf"), renderCipherInclude(randomBytes(48).toString("base64url")));
    fs.chmodSync(path.join(wrong, "conf.d", "cipher.conf"), 0o644);
    for (const [dir, message] of [[bare, /cipher|passphrase|cipher-pass/i], [wrong, /unable to|decrypt|invalid|checksum|format/i]] as const) {
      const into = path.join(LAB, `restore-${path.basename(dir)}`);
      fs.mkdirSync(into, { recursive: true, mode: 0o700 });
      must("chown", ["postgres:postgres", into]);
      const r = pgbackrest(["--pg1-path", into, "--type=time", `--target=${target}`, "--archive-mode=off", "restore"], dir);
      expect(r.status, r.stdout).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toMatch(message);
      expect(fs.existsSync(path.join(into, "PG_VERSION"))).toBe(false);
    }
  });

  it("verifies the repository (the weekly job)", () => {
    ok(script("job", "verify"));
    expect(metrics()).toMatch(/JobSucceeded --value 1 --dimensions Host=personal-data,Job=verify/);
  });

  it("monitors the archive, and reports a dropped WAL once, starting a full backup", () => {
    ok(script("job", "monitor"));
    expect(metrics()).toMatch(/--metric-name ArchiveFailing --value 0 --dimensions Host=personal-data/);
    expect(metrics()).toMatch(/--metric-name WalDropped --value 0 --dimensions Host=personal-data/);
    // pgBackRest's own warning when the queue limit is exceeded (archive-push-queue-max).
    fs.appendFileSync(path.join(p.log, `${STANZA}-archive-push.log`), "P00   WARN: dropped WAL file '000000010000000000000042' because archive queue exceeded 4GB\n");
    fs.writeFileSync(p.metrics, "");
    const r = script("job", "monitor");
    ok(r);
    expect(r.stderr).toMatch(/1 WAL file\(s\) DROPPED/);
    expect(metrics()).toMatch(/--metric-name WalDropped --value 1 --dimensions Host=personal-data/);
    expect(fs.readFileSync(p.systemctl, "utf8")).toContain("start --no-block fitness-pgbackrest@full.service");
    fs.writeFileSync(p.metrics, "");
    ok(script("job", "monitor"));
    expect(metrics()).toMatch(/--metric-name WalDropped --value 0 /);
  });

  it("reports a failing job to CloudWatch and the journal (stderr), with its exit code", () => {
    fs.writeFileSync(p.metrics, "");
    // A repository path without a stanza: pgBackRest fails at once (and stays inside the lab).
    const r = inNs(NS, "bash", [p.script, "job", "full"], { env: { ...env(), PGBACKREST_REPO1_PATH: "/no-such-repository" } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/backup FAILED \(exit \d+\)/);
    expect(metrics()).toMatch(/--metric-name JobFailed --value 1 --dimensions Host=personal-data(\s|$)/);
  });
});
