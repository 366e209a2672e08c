/**
 * The dev stack's other data domains' database hosts, booted from what the stack ships. postgres-host.test.ts
 * takes personal-data's host through every assertion; each of the others carries its own copy of the
 * bootstrap (its user-data, SSM document and setup parameters, with its volume, address, role and
 * secret names), and a copy only counts as run when it ran. So each boots here too, on a Debian 12
 * machine of its own at its production address (support/boot-lab.ts), the three together: cloud-init
 * runs the shipped user-data, and the test asserts what that domain's values decide: the server on its
 * address with the settings of our file, its service role reachable from the app zone over TLS with its
 * password, its stanza and first full backup encrypted under its repository path, and a second,
 * idempotent run of its SSM document.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResourceState } from "../../src/offline/snapshot/types";
import { type BootLab, buildBootLab, instanceAddress } from "./support/boot-lab";
import { coverageRecorder } from "./support/coverage";
import { type DbShipped, dbHostFiles, dbHostSecrets } from "./support/db-host-lab";
import { LabPki } from "./support/lab-pki";
import { waitFor } from "./support/lab-services";
import { inNs, type Run } from "./support/netns";
import { type ShippedStack, shippedStack } from "./support/shipped";

const PREFIX = "fpdd";
const DIR = path.join(os.tmpdir(), `${PREFIX}-dev-domains-lab`);
/** The domain postgres-host.test.ts boots. */
const BOOTED_ELSEWHERE = "databases-personal-data-host";
const recorder = coverageRecorder("dev-domain-hosts");

interface Domain {
  readonly short: string;
  readonly db: DbShipped;
  readonly role: { readonly user: string; readonly password: string };
}

let shipped: ShippedStack;
let lab: BootLab;
let domains: Domain[] = [];
let caFile = "";

const tags = (r: ResourceState): Record<string, string> => (r.inputs?.tags ?? {}) as Record<string, string>;

function sqlOk(d: Domain, query: string): string {
  const r = lab.machine(d.short).exec(["runuser", "-u", "postgres", "--", "psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-h", "/var/run/postgresql", "-p", "5432", "-d", "postgres", "-c", query]);
  expect(r.stderr, query).toBe("");
  expect(r.status, query).toBe(0);
  return r.stdout.trim();
}

async function unitDone(d: Domain, unit: string, seconds = 600): Promise<{ result: string; status: string }> {
  let show = "";
  await waitFor(`${unit} to finish`, () => {
    show = lab.machine(d.short).exec(["systemctl", "show", "-p", "ActiveState", "-p", "Result", "-p", "ExecMainStatus", unit]).stdout;
    return !/ActiveState=(activating|deactivating|reloading)/.test(show);
  }, seconds);
  return { result: /Result=(\S+)/.exec(show)?.[1] ?? "", status: /ExecMainStatus=(\S+)/.exec(show)?.[1] ?? "" };
}

/** psql from the app zone as a service connects: by the certificate's name, verify-full against the internal CA, SCRAM. */
function connect(d: Domain, sslmode: "verify-full" | "disable"): Run {
  const cert = lab.machine(d.short).must(["openssl", "x509", "-noout", "-subject", "-nameopt", "compat", "-in", "/etc/postgresql/15/main/tls/server.crt"]);
  const name = /CN=([^/,\n]+)/.exec(cert)?.[1] ?? "";
  const conninfo = [`host=${name}`, `hostaddr=${d.db.privateIp}`, "port=5432", `dbname=${d.role.user}`, `user=${d.role.user}`, `sslmode=${sslmode}`, `sslrootcert=${caFile}`, "connect_timeout=10"].join(" ");
  return inNs(lab.ns("app"), "env", [`PATH=${process.env.PATH ?? ""}`, `HOME=${DIR}`, `PGPASSWORD=${d.role.password}`, "PGPASSFILE=/dev/null", "psql", "-X", "-A", "-t", "-d", conninfo, "-c", "SELECT current_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"]);
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error("the data domain hosts test needs root (network namespaces, systemd-nspawn)");
  const started = Date.now();
  shipped = await shippedStack("dev");
  const resources = shipped.snapshot.deployment.resources;
  const hosts = [...new Set(shipped.inventory.files.filter((f) => f.hostRole === "database-host").map((f) => f.host))].filter((h) => h !== BOOTED_ELSEWHERE).sort();
  expect(hosts.length).toBe(3);
  const appSubnet = resources.find((r) => r.type === "aws:ec2/subnet:Subnet" && tags(r)["zone"] === "app");
  const appCidr = String(appSubnet?.inputs?.cidrBlock ?? "");
  const appIp = appCidr.split("/")[0]?.replace(/\.(\d+)$/, (_m, d: string) => `.${Number(d) + 20}`) ?? "";
  const dbs = hosts.map((host) => dbHostFiles(shipped, host));
  const first = dbs[0] as DbShipped;
  lab = await buildBootLab({
    prefix: PREFIX,
    dir: DIR,
    shipped,
    region: first.region,
    mirrorName: first.mirrorName,
    bucket: first.backupBucket,
    hosts: dbs.map((db, i) => ({ short: `d${i}`, ip: db.privateIp, cidr: instanceAddress(shipped, db.host).cidr, userData: db.userData.content, volumeSize: "2G" })),
    clients: [{ short: "app", ip: appIp, cidr: appCidr }],
  });
  const pki = new LabPki(path.join(DIR, "pki"), shipped.snapshot);
  const secrets: Record<string, string> = {};
  domains = dbs.map((db, i) => {
    const issued = dbHostSecrets(db, pki);
    Object.assign(secrets, issued.secrets);
    const sql = db.file("/etc/fitness/databases/roles.sql").content;
    const m = /^\\getenv fitness_password (\w+)$[\s\S]*?CREATE ROLE %I', '([^']+)'/m.exec(sql);
    if (m?.[1] === undefined || m[2] === undefined) throw new Error(`${db.host}: shipped roles.sql creates no role`);
    return { short: `d${i}`, db, role: { user: m[2], password: issued.passwords[m[1]] ?? "" } };
  });
  caFile = path.join(DIR, "internal-ca.crt");
  fs.writeFileSync(caFile, pki.caCertPem);
  lab.api.setSecrets(secrets);
  await lab.bootAll();
  for (const d of domains) lab.machine(d.short).awaitCloudInit();
  console.log(`dev data domains: three machines booted and bootstrapped from their user-data in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}, 1_800_000);

afterAll(async () => {
  await lab?.destroy();
}, 300_000);

describe("the other dev data domains' hosts, booted from their shipped user-data", () => {
  it("each bootstrap ran to the end: every shipped file in place, the server on its address with the settings of our file", () => {
    for (const d of domains) {
      const m = lab.machine(d.short);
      expect(m.read("/var/log/fitness-bootstrap.log"), d.db.host).toContain("fitness bootstrap: done");
      for (const f of d.db.files.filter((x) => x.path !== "/root/fitness-bootstrap.sh")) expect(m.read(f.path), `${d.db.host} ${f.path}`).toBe(f.content);
      expect(m.exec(["systemctl", "is-active", "postgresql@15-main.service"]).stdout.trim()).toBe("active");
      expect(m.must(["findmnt", "-n", "-o", "FSTYPE,TARGET", "/srv/postgresql"]).trim().split(/\s+/)).toEqual(["ext4", "/srv/postgresql"]);
      const conf = "/etc/postgresql/15/main/postgresql.conf";
      const rows = sqlOk(d, "select name || '=' || setting || '|' || source || '|' || coalesce(sourcefile, '') from pg_settings where name in ('listen_addresses', 'ssl', 'ssl_min_protocol_version', 'password_encryption', 'archive_command') order by name");
      expect(rows.split("\n")).toEqual([
        `archive_command=pgbackrest --stanza=${d.db.stanza} archive-push %p|configuration file|/etc/postgresql/15/main/conf.d/50-pgbackrest-archive.conf`,
        `listen_addresses=${d.db.privateIp}|configuration file|${conf}`,
        `password_encryption=scram-sha-256|configuration file|${conf}`,
        `ssl=on|configuration file|${conf}`,
        `ssl_min_protocol_version=TLSv1.2|configuration file|${conf}`,
      ]);
      // The domain's memory size (shared_buffers is counted in 8 kB blocks).
      expect(`${sqlOk(d, "select setting::bigint * 8 / 1024 from pg_settings where name = 'shared_buffers' and sourcefile = '/etc/postgresql/15/main/postgresql.conf'")}MB`).toBe(/^shared_buffers = '(\d+MB)'$/m.exec(d.db.file(conf).content)?.[1]);
    }
  });

  it("each service role reaches its own database from the app zone over TLS with its password; plain text is refused", () => {
    for (const d of domains) {
      const ok = connect(d, "verify-full");
      expect(ok.stderr, d.db.host).toBe("");
      expect(ok.stdout.trim()).toBe(`${d.role.user}|t`);
      const plain = connect(d, "disable");
      expect(plain.status).not.toBe(0);
      expect(plain.stderr).toMatch(/no encryption/);
    }
  });

  it("each stanza and first full backup land encrypted under the domain's repository path", async () => {
    for (const d of domains) {
      expect(await unitDone(d, "fitness-pgbackrest@full.service"), d.db.host).toEqual({ result: "success", status: "0" });
      const objects = lab.s3.objects().filter((o) => o.startsWith(`${d.db.stanza}/`));
      expect(objects.some((o) => new RegExp(`^${d.db.stanza}/backup/${d.db.stanza}/\\d{8}-\\d{6}F/backup\\.manifest$`).test(o)), d.db.host).toBe(true);
      expect(objects.some((o) => o.startsWith(`${d.db.stanza}/archive/${d.db.stanza}/15-1/`)), d.db.host).toBe(true);
      for (const o of objects) expect(fs.readFileSync(path.join(lab.s3.storage, d.db.backupBucket, `${o}._S3rver_object`)).subarray(0, 8).toString("latin1"), o).toBe("Salted__");
    }
  });

  it("each SSM document runs the bootstrap again (sh, as root, the three at once): idempotent, the data kept", async () => {
    for (const d of domains) sqlOk(d, "create table if not exists domain_probe (id int primary key); insert into domain_probe values (1) on conflict do nothing");
    const runs = await Promise.all(
      domains.map((d) => {
        const m = lab.machine(d.short);
        m.write("/var/lib/amazon/ssm/lab/_script.sh", `${d.db.ssmDocument.content}\n`, 0o700);
        return m.execAsync(["sh", "/var/lib/amazon/ssm/lab/_script.sh"], { timeoutMs: 1_200_000 });
      }),
    );
    runs.forEach((r, i) => {
      const d = domains[i] as Domain;
      expect(r.status, `${d.db.host}: ${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).toBe(0);
      expect(r.stdout).toContain("data volume already holds ext4: keeping it");
      expect(r.stdout).toContain("fitness bootstrap: done");
      expect(sqlOk(d, "select count(*) from domain_probe")).toBe("1");
      expect(lab.machine(d.short).read("/root/fitness-bootstrap.sh")).toBe(d.db.file("/root/fitness-bootstrap.sh").content);
      recorder.record(
        shipped,
        d.db.records.filter((f) => f.kind === "bootstrap"),
        "ran",
        "cloud-init ran the domain's shipped user-data on Debian 12 (setup parameters fetched and run); server, role, TLS access, stanza and full backup asserted; its SSM document run again",
      );
    });
  }, 1_300_000);
});
