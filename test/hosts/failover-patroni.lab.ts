/**
 * Failover of a critical domain's PostgreSQL on the real failover manager: the prod stack's
 * personal-data cluster (two Patroni 3.0.2 members, PostgreSQL 15) and its three etcd 3.4 nodes, each in
 * a network namespace at its production address, each with a private mount namespace in which the
 * files the synthesised stack ships (user-data, the members' setup parameters) sit at their real paths
 * (test/hosts/support/host-root.ts). Secrets Manager and CloudWatch are a stub `aws`; certificates are
 * issued from the stack's certificate requests (test/hosts/support/lab-pki.ts).
 *
 * A client in the app zone writes continuously through the service's connection path (the domain's
 * DNS name with every member's address, verify-full, target_session_attrs=read-write) and logs each
 * acknowledged commit. Then: (a) kill -9 the leader's host, (c) it rejoins as a standby, (b) the new
 * leader is cut off from its peers and stops accepting writes; every acknowledged commit survives.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseYaml } from "../../src/config/yaml-reader";
import type { HostFile } from "../../src/offline/host-files";
import type { ResourceState } from "../../src/offline/snapshot/types";
import { coverageRecorder } from "./support/coverage";
import { HOST_PATH, HostRoot } from "./support/host-root";
import { LabPki } from "./support/lab-pki";
import { selectFiles, type ShippedStack, shippedStack } from "./support/shipped";

const PREFIX = "fpha";
const LAB = path.join(os.tmpdir(), `${PREFIX}-failover-lab`);
const ROUTER = `${PREFIX}-r`;
const APP = `${PREFIX}-app`;
const DOMAIN = "personal-data";
const PASSWORD = randomBytes(24).toString("base64url");
const PATRONI_SECRET = { replicationPassword: randomBytes(24).toString("base64url"), rewindPassword: randomBytes(24).toString("base64url"), restApiPassword: randomBytes(24).toString("base64url") };

interface LabHost {
  readonly name: string;
  readonly ip: string;
  readonly cidr: string;
  readonly resource: ResourceState;
  readonly root: HostRoot;
  readonly short: string;
}

let shipped: ShippedStack;
let members: LabHost[] = [];
let etcd: LabHost[] = [];
let pki: LabPki;
let patroniConf: { bootstrap: { dcs: { ttl: number; loop_wait: number } } };
let writer: ChildProcess | undefined;
const metricsLog = path.join(LAB, "metrics.log");
const acksLog = path.join(LAB, "acks.log");
const coverage = coverageRecorder("failover-patroni");

const sh = (cmd: string, args: readonly string[]) => spawnSync(cmd, [...args], { encoding: "utf8", timeout: 60_000 });
function must(cmd: string, args: readonly string[]): string {
  const r = sh(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tags(r: ResourceState): Record<string, string> {
  return (r.inputs?.tags ?? {}) as Record<string, string>;
}

function subnetCidr(instance: ResourceState): string {
  const subnet = shipped.snapshot.deployment.resources.find((r) => r.type === "aws:ec2/subnet:Subnet" && r.id === instance.inputs?.subnetId);
  const cidr = subnet?.inputs?.cidrBlock;
  if (typeof cidr !== "string") throw new Error(`no subnet for ${instance.urn}`);
  return cidr;
}

function gateway(cidr: string): string {
  const [a, b, c, d] = cidr.split("/")[0].split(".").map(Number);
  return `${a}.${b}.${c}.${d + 1}`;
}

function removeLeftovers(): void {
  for (const name of spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout.split("\n").map((l) => l.split(" ")[0]).filter((n) => n?.startsWith(`${PREFIX}-`))) {
    const pids = sh("ip", ["netns", "pids", name]).stdout.split(/\s+/).filter((p) => /^\d+$/.test(p));
    for (const pid of pids) sh("kill", ["-9", pid]);
    sh("ip", ["netns", "del", name]);
    fs.rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
  }
  fs.rmSync(LAB, { recursive: true, force: true });
}

function link(ns: string, short: string, cidr: string, ip: string): void {
  const prefix = cidr.split("/")[1];
  const gw = gateway(cidr);
  const hostEnd = `${PREFIX}-${short}-h`;
  const routerEnd = `${PREFIX}-${short}-r`;
  must("ip", ["link", "add", hostEnd, "netns", ns, "type", "veth", "peer", "name", routerEnd, "netns", ROUTER]);
  must("ip", ["-n", ns, "addr", "add", `${ip}/${prefix}`, "dev", hostEnd]);
  must("ip", ["-n", ns, "link", "set", hostEnd, "up"]);
  must("ip", ["-n", ROUTER, "link", "set", routerEnd, "up"]);
  // Hosts of one subnet sit on separate links: the router owns the gateway address once, routes each host by
  // a /32 and answers ARP for its neighbours (proxy ARP), as the VPC's router does.
  if (!sh("ip", ["-n", ROUTER, "-o", "addr", "show"]).stdout.includes(` ${gw}/`)) must("ip", ["-n", ROUTER, "addr", "add", `${gw}/32`, "dev", routerEnd]);
  must("ip", ["-n", ROUTER, "route", "replace", `${ip}/32`, "dev", routerEnd]);
  must("ip", ["netns", "exec", ROUTER, "sysctl", "-qw", `net.ipv4.conf.${routerEnd}.proxy_arp=1`]);
  must("ip", ["-n", ns, "route", "add", "default", "via", gw]);
}

function stubAws(secrets: Record<string, unknown>): string {
  const lines = Object.entries(secrets).map(([id, v]) => `  *"--secret-id ${id} "*) printf '%s\\n' '${JSON.stringify(v)}' ;;`);
  return ["#!/bin/bash", 'case "$*" in', ...lines, `  *"cloudwatch put-metric-data"*) echo "$*" >> ${metricsLog} ;;`, '  *) echo "aws stub: unexpected call: $*" >&2; exit 1 ;;', "esac", ""].join("\n");
}

function writeShipped(host: LabHost, files: readonly HostFile[]): void {
  for (const f of files) if (f.kind === "file") host.root.write(f.path, f.content, f.mode, f.owner);
}

function api(host: LabHost, endpoint: string): number {
  const r = host.root.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", "/etc/postgresql/15/main/tls/ca.crt", `https://${host.ip}:8008/${endpoint}`], { timeoutMs: 5000 });
  return Number(r.stdout || 0);
}

function localSql(host: LabHost, sql: string, db = "postgres") {
  return host.root.run("runuser", ["-u", "postgres", "--", "psql", "-X", "-A", "-t", "-q", "-h", "/var/run/postgresql", "-p", "5432", "-d", db, "-c", sql], { timeoutMs: 10_000 });
}

async function until(what: string, seconds: number, check: () => boolean): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < seconds * 1000) {
    if (check()) return (Date.now() - start) / 1000;
    await sleep(500);
  }
  throw new Error(`${what}: not within ${seconds} s`);
}

function startPatroni(host: LabHost): void {
  host.root.daemon("bash", ["-c", "set -a; . /etc/patroni/env.conf; set +a; exec runuser -u postgres -- /usr/bin/patroni /etc/patroni/15-main.yml"], { PATH: HOST_PATH, LANG: "C.UTF-8" }, path.join(LAB, `${host.short}-patroni.log`));
}

const leader = () => members.find((m) => api(m, "primary") === 200);

function acks(): number[] {
  return fs.existsSync(acksLog) ? fs.readFileSync(acksLog, "utf8").trim().split("\n").filter(Boolean).map((l) => Number(l.split(" ")[1])) : [];
}
function ackTimes(): number[] {
  return fs.existsSync(acksLog) ? fs.readFileSync(acksLog, "utf8").trim().split("\n").filter(Boolean).map((l) => Number(l.split(" ")[0])) : [];
}

const WRITER = `
import psycopg2, sys, time
conninfo, log = sys.argv[1], sys.argv[2]
conn = None
out = open(log, "a", buffering=1)
while True:
    try:
        if conn is None:
            conn = psycopg2.connect(conninfo)
        cur = conn.cursor()
        cur.execute("insert into users.commits (at) values (now()) returning id")
        (i,) = cur.fetchone()
        conn.commit()
        out.write("%f %d\\n" % (time.time(), i))
    except Exception as e:
        sys.stderr.write("%f %s\\n" % (time.time(), str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__))
        try:
            conn and conn.close()
        except Exception:
            pass
        conn = None
        time.sleep(0.2)
    time.sleep(0.02)
`;

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error("the failover host test needs root (network and mount namespaces)");
  for (const bin of ["/usr/bin/patroni", "/usr/bin/etcd", "/usr/lib/postgresql/15/bin/postgres", "/usr/bin/python3", "/usr/bin/nsenter", "/usr/bin/unshare"]) {
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: .ci/run installs patroni, etcd-server, postgresql-15 and util-linux`);
  }
  removeLeftovers();
  fs.mkdirSync(LAB, { recursive: true });
  shipped = await shippedStack("prod");
  const resources = shipped.snapshot.deployment.resources;
  const instances = resources.filter((r) => r.type === "aws:ec2/instance:Instance");
  const hostOf = (r: ResourceState, short: string): LabHost => {
    const ip = r.inputs?.privateIp as string;
    return { name: r.urn.split("::").pop() ?? "", ip, cidr: subnetCidr(r), resource: r, short, root: new HostRoot(`${PREFIX}-${short}`, path.join(LAB, short)) };
  };
  members = instances.filter((r) => tags(r)["db-cluster"] === DOMAIN).sort((a, b) => (tags(a)["db-member"] < tags(b)["db-member"] ? -1 : 1)).map((r, i) => hostOf(r, `m${i}`));
  etcd = instances.filter((r) => tags(r)["host-role"] === "consensus").map((r, i) => hostOf(r, `e${i}`));
  expect(members.length).toBeGreaterThanOrEqual(2);
  expect(etcd.length).toBe(3);
  const appSubnet = resources.find((r) => r.type === "aws:ec2/subnet:Subnet" && (tags(r)["zone"] ?? "") === "app");
  const appCidr = appSubnet?.inputs?.cidrBlock as string;
  const appIp = gateway(appCidr).replace(/\.(\d+)$/, (_m, d: string) => `.${Number(d) + 19}`);

  must("ip", ["netns", "add", ROUTER]);
  must("ip", ["-n", ROUTER, "link", "set", "lo", "up"]);
  must("ip", ["netns", "exec", ROUTER, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
  const dnsName = `${DOMAIN}.db.prod.fitness.internal`;
  const hostsFile = ["# fitness lab", "127.0.0.1 localhost", ...members.map((m) => `${m.ip} ${dnsName}`), ""].join("\n");
  for (const h of [...members, ...etcd]) {
    must("ip", ["netns", "add", h.root.ns]);
    must("ip", ["-n", h.root.ns, "link", "set", "lo", "up"]);
    link(h.root.ns, h.short, h.cidr, h.ip);
    h.root.start(hostsFile);
  }
  must("ip", ["netns", "add", APP]);
  must("ip", ["-n", APP, "link", "set", "lo", "up"]);
  link(APP, "app", appCidr, appIp);
  fs.mkdirSync(`/etc/netns/${APP}`, { recursive: true });
  fs.writeFileSync(`/etc/netns/${APP}/hosts`, hostsFile);

  pki = new LabPki(path.join(LAB, "pki"), shipped.snapshot);
  fs.writeFileSync(path.join(LAB, "ca.crt"), pki.caCertPem);

  // etcd: the node's shipped files, its certificate at the path its bootstrap writes, and etcd as Debian's unit runs it.
  for (const node of etcd) {
    const files = selectFiles(shipped, { host: node.name });
    writeShipped(node, files);
    const cert = pki.issueFor(node.ip);
    node.root.must("install", ["-d", "-m", "0700", "-o", "etcd", "-g", "etcd", "/etc/fitness/etcd-tls", "/srv/etcd", "/srv/etcd/data"]);
    node.root.write("/etc/fitness/etcd-tls/server.key", cert.keyPem, "0600", "etcd:etcd");
    node.root.write("/etc/fitness/etcd-tls/server.crt", cert.certPem, "0644", "etcd:etcd");
    node.root.write("/etc/fitness/etcd-tls/ca.crt", pki.caCertPem, "0644", "etcd:etcd");
    // Debian's etcd.service sets ETCD_NAME and ETCD_DATA_DIR; with --config-file etcd must ignore them.
    node.root.daemon("bash", ["-c", "exec runuser -u etcd -- /usr/bin/etcd --config-file /etc/fitness/etcd.yml"], { PATH: HOST_PATH, ETCD_NAME: "wrong-name", ETCD_DATA_DIR: "/var/lib/etcd/default" }, path.join(LAB, `${node.short}-etcd.log`));
    coverage.record(shipped, files.filter((f) => f.path === "/etc/fitness/etcd.yml"), "ran", "etcd 3.4 runs with the shipped --config-file (TLS, client-cert-auth)");
  }

  // Members: shipped files (user-data and the Patroni setup parameter), secrets through the shipped script.
  for (const m of members) {
    const files = selectFiles(shipped, { host: m.name });
    writeShipped(m, files);
    const cert = pki.issueFor(m.ip);
    const tlsSecret = `${tags(m.resource)["Name"] ?? ""}-tls`;
    const secrets = {
      [tlsSecret]: { privateKeyPem: cert.keyPem, certificatePem: cert.certPem, caCertificatePem: pki.caCertPem },
      [`fitness-platform-prod-databases-${DOMAIN}-patroni`]: PATRONI_SECRET,
      [`fitness-platform-prod-databases-${DOMAIN}-users`]: { password: PASSWORD },
    };
    m.root.write("/usr/local/bin/aws", stubAws(secrets), "0755", "root:root");
    m.root.must("install", ["-d", "-m", "0700", "-o", "postgres", "-g", "postgres", "/srv/postgresql", "/srv/postgresql/15"]);
    m.root.must("/usr/local/sbin/fitness-db-secrets", ["tls"]);
    m.root.must("/usr/local/sbin/fitness-db-secrets", ["patroni"]);
    startPatroni(m);
  }
  patroniConf = parseYaml(members[0].root.must("cat", ["/etc/patroni/15-main.yml"]), "/etc/patroni/15-main.yml") as typeof patroniConf;

  await until("a leader and a streaming synchronous standby", 240, () => {
    const l = leader();
    return l !== undefined && members.filter((m) => m !== l).every((m) => api(m, "replica") === 200) && api(l, "sync") !== 200 && members.some((m) => api(m, "sync") === 200);
  });
  const l = leader() as LabHost;
  for (const m of members) m.root.must("/usr/local/sbin/fitness-db-secrets", ["roles"]);
  const createTable = localSql(l, "create table if not exists users.commits (id bigserial primary key, at timestamptz not null); alter table users.commits owner to users;", "users");
  if (createTable.status !== 0) throw new Error(createTable.stderr);

  const conninfo = `host=${dnsName} port=5432 dbname=users user=users password=${PASSWORD} sslmode=verify-full sslrootcert=${path.join(LAB, "ca.crt")} target_session_attrs=read-write connect_timeout=3`;
  fs.writeFileSync(path.join(LAB, "writer.py"), WRITER);
  writer = spawn("ip", ["netns", "exec", APP, "python3", path.join(LAB, "writer.py"), conninfo, acksLog], { detached: true, stdio: ["ignore", "ignore", fs.openSync(path.join(LAB, "writer.err"), "a")] });
  await until("the client's first acknowledged commits", 30, () => acks().length > 20);
}, 900_000);

afterAll(() => {
  if (writer?.pid !== undefined) {
    try {
      process.kill(-writer.pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  for (const h of [...members, ...etcd]) h.root.stop();
  // The daemons' logs outlive the lab, for whoever reads a failed run.
  const keep = path.join(os.tmpdir(), `${PREFIX}-failover-logs`);
  fs.rmSync(keep, { recursive: true, force: true });
  fs.mkdirSync(keep, { recursive: true });
  if (fs.existsSync(LAB)) for (const f of fs.readdirSync(LAB).filter((n) => /\.(log|err)$/.test(n))) fs.copyFileSync(path.join(LAB, f), path.join(keep, f));
  removeLeftovers();
});

function rowsOn(host: LabHost): Set<number> {
  const r = localSql(host, "select id from users.commits", "users");
  if (r.status !== 0) throw new Error(r.stderr);
  return new Set(r.stdout.trim().split("\n").filter(Boolean).map(Number));
}

describe("Patroni failover of the prod personal-data cluster, from the shipped files", () => {
  it("runs synchronous replication with the shipped settings, and the secrets stay out of every file but the env file", () => {
    const l = leader() as LabHost;
    expect(localSql(l, "show synchronous_standby_names").stdout.trim()).not.toBe("");
    expect(localSql(l, "select count(*) from pg_stat_replication where sync_state = 'sync'").stdout.trim()).toBe("1");
    // Our security settings still come from our file (Patroni's postgresql.conf includes it).
    const src = localSql(l, "select name, setting, sourcefile from pg_settings where name in ('ssl','ssl_min_protocol_version','password_encryption') order by name").stdout.trim().split("\n");
    expect(src).toEqual([
      "password_encryption|scram-sha-256|/etc/postgresql/15/main/fitness.conf",
      "ssl|on|/etc/postgresql/15/main/fitness.conf",
      "ssl_min_protocol_version|TLSv1.2|/etc/postgresql/15/main/fitness.conf",
    ]);
    for (const secret of [PASSWORD, ...Object.values(PATRONI_SECRET)]) expect(l.root.must("cat", ["/etc/patroni/15-main.yml"])).not.toContain(secret);
    const files = selectFiles(shipped, { host: l.name });
    coverage.record(shipped, files.filter((f) => ["/etc/patroni/15-main.yml", "/etc/postgresql/15/main/fitness.conf", "/etc/postgresql/15/main/pg_hba.conf", "/usr/local/sbin/fitness-db-secrets", "/etc/fitness/databases/roles.sql"].includes(f.path)), "ran", "Patroni member on PostgreSQL 15 with etcd");
  });

  it("(a) kill -9 of the leader's host: the standby leads within ttl + loop_wait, no acknowledged commit is lost, the client follows", async () => {
    const old = leader() as LabHost;
    const before = acks().length;
    const killedAt = Date.now() / 1000;
    old.root.killAll();
    const bound = patroniConf.bootstrap.dcs.ttl + patroniConf.bootstrap.dcs.loop_wait + 10;
    await until("a new leader", bound, () => leader() !== undefined && leader() !== old);
    await until("the client's next acknowledged commit", bound, () => ackTimes().some((t) => t > killedAt + 0.5) && acks().length > before + 5);
    const firstAfter = Math.min(...ackTimes().filter((t) => t > killedAt));
    const lastBefore = Math.max(...ackTimes().filter((t) => t <= killedAt));
    const rto = firstAfter - lastBefore;
    console.log(`measured RTO (last acknowledged commit before the kill → first after): ${rto.toFixed(1)} s; configured ttl ${patroniConf.bootstrap.dcs.ttl} s, loop_wait ${patroniConf.bootstrap.dcs.loop_wait} s`);
    expect(rto).toBeLessThanOrEqual(bound);
    const now = leader() as LabHost;
    const present = rowsOn(now);
    const lost = acks().filter((id) => !present.has(id));
    expect(lost).toEqual([]);
    expect(fs.readFileSync(metricsLog, "utf8")).toMatch(/--metric-name Promoted --value 1 --dimensions Cluster=personal-data/);
  }, 180_000);

  it("(c) the old leader rejoins as a standby on its own (pg_rewind) and receives the new commits", async () => {
    const down = members.find((m) => api(m, "health") !== 200) as LabHost;
    expect(down).toBeDefined();
    startPatroni(down);
    await until("the old leader streaming as a standby", 180, () => api(down, "replica") === 200);
    expect(localSql(down, "select pg_is_in_recovery()").stdout.trim()).toBe("t");
    const target = Math.max(...acks());
    await until("the newest acknowledged commit on the rejoined standby", 60, () => rowsOn(down).has(target));
    await until("the rejoined member synchronous again", 60, () => api(down, "sync") === 200);
  }, 300_000);

  it("(b) the leader cut off from its peers stops accepting writes (no split brain); the other member takes over", async () => {
    const isolated = leader() as LabHost;
    const other = members.find((m) => m !== isolated) as LabHost;
    const cutAt = Date.now() / 1000;
    must("ip", ["-n", ROUTER, "link", "set", `${PREFIX}-${isolated.short}-r`, "down"]);
    try {
      const bound = patroniConf.bootstrap.dcs.ttl + patroniConf.bootstrap.dcs.loop_wait + 10;
      await until("the isolated member refusing writes", bound, () => {
        const r = localSql(isolated, "select pg_is_in_recovery()");
        return r.status !== 0 || r.stdout.trim() === "t";
      });
      await until("the other member leading", bound, () => api(other, "primary") === 200);
      await until("the client writing again", bound, () => ackTimes().some((t) => t > cutAt + 1));
      // A write straight to the isolated member fails: it is a standby now (or down), never a second primary.
      const write = localSql(isolated, "insert into users.commits (at) values (now())", "users");
      expect(write.status).not.toBe(0);
    } finally {
      must("ip", ["-n", ROUTER, "link", "set", `${PREFIX}-${isolated.short}-r`, "up"]);
    }
    await until("the isolated member back as a standby", 180, () => api(isolated, "replica") === 200);
    const present = rowsOn(other);
    expect(acks().filter((id) => !present.has(id))).toEqual([]);
  }, 300_000);
});
