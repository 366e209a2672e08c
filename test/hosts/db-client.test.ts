import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseYaml } from "../../src/config/yaml-reader";
import { dbClientSettings, keepaliveDetectSeconds } from "../../src/services/db-client-settings";
import { createLabCa } from "./support/lab-ca";
import { addNamespace, ipIn, link, must, removeNamespaces, run } from "./support/netns";
import { shippedStack } from "./support/shipped";

/**
 * A service's database client, as the prod stack configures it, against a real PostgreSQL 15 over a
 * routed lab network, with real libpq (psql): the environment of the service's ConfigMap and the
 * pg_service.conf of its db-client ConfigMap, both read out of the synthesised snapshot.
 *
 *   fdbc-app (client) ── fdbc-rt (router) ── fdbc-db (PostgreSQL)
 *
 * A network cut is a pair of blackhole routes on the router: packets vanish, no RST, no ICMP, which is
 * what a crashed host or a partition looks like to the client. The properties: a client holding a
 * connection to a cut-off server gives up before the failover manager has a new leader (so it can
 * reconnect to it), while the same client without the service file still hangs; a connection attempt to
 * an address that never answers moves on after connect_timeout. Root only; never skipped under CI=true.
 */
const PREFIX = "fdbc";
const APP = `${PREFIX}-app`;
const RT = `${PREFIX}-rt`;
const DB = `${PREFIX}-db`;
const APP_IP = "10.231.1.2";
const DB_IP = "10.231.2.2";
/** Routed through the router into a blackhole: a member that never answers. */
const DEAD_IP = "10.231.3.9";
const PG_BIN = "/usr/lib/postgresql/15/bin";
const PASSWORD = randomBytes(18).toString("base64url");

const isRoot = process.getuid?.() === 0;
const canRun = isRoot && fs.existsSync(`${PG_BIN}/postgres`) && fs.existsSync("/usr/bin/psql");
if (process.env.CI === "true" && !canRun) throw new Error("host tests must run under CI=true: run as root with postgresql-15 installed (.ci/run)");

const lab = fs.mkdtempSync(path.join(os.tmpdir(), `${PREFIX}-`));
const pgData = path.join(lab, "pgdata");
const socketDir = path.join(lab, "socket");
const children: ChildProcess[] = [];
let shippedEnv: Record<string, string> = {};
let serviceFile = "";
let ttlSeconds = 0;
let loopWaitSeconds = 0;

interface Client {
  readonly child: ChildProcess;
  readonly started: number;
  exited?: { code: number | null; at: number; stdout: string; stderr: string };
}

/** psql in the app namespace with the given environment (nothing inherited but PATH). */
function client(env: Record<string, string>, sql: string): Client {
  let stderr = "";
  let stdout = "";
  const child = spawn("ip", ["netns", "exec", APP, "psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const c: Client = { child, started: Date.now() };
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.on("close", (code) => {
    c.exited = { code, at: Date.now(), stdout, stderr };
  });
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, seconds: number, check: () => boolean): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    if (check()) return;
    await sleep(200);
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what}`);
}

const asPostgres = (sql: string) => must("runuser", ["-u", "postgres", "--", "psql", "-X", "-A", "-t", "-h", socketDir, "-p", "5432", "-d", "postgres", "-c", sql]);

/** The prod service whose database is a replicated cluster: its env and service file, from the snapshot. */
async function shippedClient(): Promise<void> {
  const shipped = await shippedStack("prod");
  type ConfigMap = { metadata?: { name?: string; namespace?: string }; data?: Record<string, string> };
  const configMaps = shipped.snapshot.deployment.resources.filter((r) => r.type === "kubernetes:core/v1:ConfigMap").map((r) => r.inputs as ConfigMap);
  const env = configMaps.find((c) => c.data?.["PGTARGETSESSIONATTRS"] === "read-write" && c.data["PGSERVICEFILE"] !== undefined);
  if (env?.data === undefined) throw new Error("prod snapshot: no service ConfigMap with a replicated database's client settings");
  const files = configMaps.find((c) => c.metadata?.namespace === env.metadata?.namespace && c.data?.["pg_service.conf"] !== undefined);
  if (files?.data === undefined) throw new Error(`prod snapshot: no pg_service.conf ConfigMap in namespace ${env.metadata?.namespace}`);
  serviceFile = files.data["pg_service.conf"] as string;
  shippedEnv = Object.fromEntries(Object.entries(env.data).filter(([k]) => k.startsWith("PG")));
  // The failover manager's timing, from the Patroni configuration the same stack ships to its members.
  const patroni = shipped.inventory.files.find((f) => f.path === "/etc/patroni/15-main.yml");
  if (patroni === undefined) throw new Error("prod snapshot: no Patroni configuration shipped");
  const dcs = (parseYaml(patroni.content, patroni.path) as { bootstrap: { dcs: { ttl: number; loop_wait: number } } }).bootstrap.dcs;
  ttlSeconds = dcs.ttl;
  loopWaitSeconds = dcs.loop_wait;
}

beforeAll(async () => {
  if (!canRun) return;
  removeNamespaces(PREFIX);
  await shippedClient();

  for (const ns of [APP, RT, DB]) addNamespace(ns);
  link({ ns: APP, ifname: `${PREFIX}-a0`, addresses: [`${APP_IP}/24`] }, { ns: RT, ifname: `${PREFIX}-a1`, addresses: ["10.231.1.1/24"] });
  link({ ns: DB, ifname: `${PREFIX}-d0`, addresses: [`${DB_IP}/24`] }, { ns: RT, ifname: `${PREFIX}-d1`, addresses: ["10.231.2.1/24"] });
  ipIn(APP, "route", "add", "default", "via", "10.231.1.1");
  ipIn(DB, "route", "add", "default", "via", "10.231.2.1");
  must("ip", ["netns", "exec", RT, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
  ipIn(RT, "route", "add", "blackhole", "10.231.3.0/24");

  // The service's database name resolves in the app namespace to the lab server (ip netns exec binds this file).
  const host = shippedEnv["PGHOST"] as string;
  fs.mkdirSync(`/etc/netns/${APP}`, { recursive: true });
  fs.writeFileSync(`/etc/netns/${APP}/hosts`, `127.0.0.1 localhost\n${DB_IP} ${host}\n`);

  // PostgreSQL 15 with TLS for that name and SCRAM, as the hosts serve it.
  fs.chmodSync(lab, 0o755);
  const ca = createLabCa(path.join(lab, "ca"), "fitness lab db CA");
  const server = ca.issue("db", [host]);
  fs.chmodSync(path.join(lab, "ca"), 0o755);
  for (const f of [server.cert, server.key]) must("chown", ["postgres:postgres", f]);
  fs.chmodSync(server.key, 0o600);
  for (const dir of [pgData, socketDir]) {
    fs.mkdirSync(dir);
    must("chown", ["postgres:postgres", dir]);
  }
  must("runuser", ["-u", "postgres", "--", `${PG_BIN}/initdb`, "-D", pgData, "-U", "postgres", "--auth-local=trust", "--auth-host=reject"]);
  fs.writeFileSync(path.join(pgData, "pg_hba.conf"), "local all postgres trust\nhostssl all all 0.0.0.0/0 scram-sha-256\n");
  const postgres = spawn(
    "ip",
    ["netns", "exec", DB, "runuser", "-u", "postgres", "--", `${PG_BIN}/postgres`, "-D", pgData, "-c", `listen_addresses=${DB_IP}`, "-c", `unix_socket_directories=${socketDir}`, "-c", "ssl=on", "-c", `ssl_cert_file=${server.cert}`, "-c", `ssl_key_file=${server.key}`, "-c", "password_encryption=scram-sha-256"],
    { stdio: ["ignore", "ignore", fs.openSync(path.join(lab, "postgres.log"), "a")] },
  );
  children.push(postgres);
  await until("PostgreSQL", 30, () => run("runuser", ["-u", "postgres", "--", "psql", "-X", "-h", socketDir, "-d", "postgres", "-c", "select 1"]).status === 0).catch((err: unknown) => {
    throw new Error(`${String(err)}: ${fs.readFileSync(path.join(lab, "postgres.log"), "utf8")}`);
  });
  const user = shippedEnv["PGUSER"] as string;
  asPostgres(`create role "${user}" login password '${PASSWORD}'`);
  asPostgres(`create database "${shippedEnv["PGDATABASE"]}" owner "${user}"`);

  // The shipped files at the paths the environment names, moved under the lab directory.
  fs.copyFileSync(ca.certFile, path.join(lab, "ca.crt"));
  fs.writeFileSync(path.join(lab, "pg_service.conf"), serviceFile);
}, 240_000);

afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
  removeNamespaces(PREFIX);
  fs.rmSync(lab, { recursive: true, force: true });
});

/** The shipped environment with its file paths under the lab directory; `withServiceFile: false` is the control. */
function labEnv(options: { withServiceFile: boolean; host?: string }): Record<string, string> {
  const env: Record<string, string> = { ...shippedEnv, PGSSLROOTCERT: path.join(lab, "ca.crt"), PGSERVICEFILE: path.join(lab, "pg_service.conf"), PGPASSWORD: PASSWORD };
  if (!options.withServiceFile) {
    delete env["PGSERVICEFILE"];
    delete env["PGSERVICE"];
  }
  if (options.host !== undefined) env["PGHOST"] = options.host;
  return env;
}

function cut(): void {
  for (const ip of [APP_IP, DB_IP]) ipIn(RT, "route", "add", "blackhole", `${ip}/32`);
}

describe.runIf(canRun)("a service's libpq client, from the prod stack's ConfigMaps, on a real PostgreSQL 15", () => {
  it("connects with the shipped environment: TLS verify-full to the cluster's name, SCRAM, a read-write session", async () => {
    const c = client(labEnv({ withServiceFile: true }), "select current_setting('transaction_read_only') || ' ' || ssl::text || ' ' || version from pg_stat_ssl where pid = pg_backend_pid()");
    await until("psql", 30, () => c.exited !== undefined);
    expect(c.exited?.stderr).toBe("");
    expect(c.exited?.code).toBe(0);
    expect(c.exited?.stdout.trim()).toMatch(/^off true TLSv1\.[23]$/);
  });

  it("gives up on a cut-off server before the failover manager has a new leader; without the service file it hangs", async () => {
    const shippedSettings = dbClientSettings({ ttlSeconds });
    expect(serviceFile).toContain(`keepalives_idle=${shippedSettings.keepalives_idle}`);
    const withFile = client(labEnv({ withServiceFile: true }), "select pg_sleep(3600)");
    const control = client(labEnv({ withServiceFile: false }), "select pg_sleep(3600)");
    await until("both sessions running their query", 30, () => Number(asPostgres("select count(*) from pg_stat_activity where query like 'select pg_sleep(3600)%'").trim()) === 2);
    expect(withFile.exited).toBeUndefined();
    const cutAt = Date.now();
    cut();
    // Patroni has a new leader about ttl + loop_wait after the old one vanished: by then the client must be free to reconnect.
    const failover = ttlSeconds + loopWaitSeconds;
    await until("the client with the service file to give up", failover + 30, () => withFile.exited !== undefined);
    const gaveUpAfter = ((withFile.exited?.at ?? 0) - cutAt) / 1000;
    console.log(`client with the shipped service file gave up ${gaveUpAfter.toFixed(1)} s after the cut (keepalive detection ${keepaliveDetectSeconds(shippedSettings)} s, failover ttl + loop_wait ${failover} s)`);
    expect(withFile.exited?.code).not.toBe(0);
    expect(withFile.exited?.stderr).toMatch(/timed out|closed the connection|SSL SYSCALL|could not receive|connection to server/i);
    expect(gaveUpAfter).toBeGreaterThanOrEqual(keepaliveDetectSeconds(shippedSettings) - 2);
    expect(gaveUpAfter).toBeLessThanOrEqual(failover);
    // The control, identical but for the service file, is still waiting on its dead socket.
    expect(control.exited).toBeUndefined();
  }, 180_000);

  it("moves on from an address that never answers after connect_timeout (the kernel alone would retry SYNs for about two minutes)", async () => {
    const timeout = dbClientSettings({ ttlSeconds }).connect_timeout;
    const withFile = client(labEnv({ withServiceFile: true, host: DEAD_IP }), "select 1");
    const control = client(labEnv({ withServiceFile: false, host: DEAD_IP }), "select 1");
    await until("the connection attempt with the service file to end", timeout + 20, () => withFile.exited !== undefined);
    expect(withFile.exited?.code).not.toBe(0);
    expect(withFile.exited?.stderr).toMatch(/timeout expired/i);
    expect(((withFile.exited?.at ?? 0) - withFile.started) / 1000).toBeLessThan(timeout + 5);
    await sleep(5_000);
    expect(control.exited).toBeUndefined();
  }, 120_000);
});
