/**
 * The prod stack's consensus nodes and every data domain's Patroni member pair, booted from what the
 * stack ships: each a Debian 12 machine (systemd-nspawn) at its production address, whose cloud-init runs
 * the instance's user-data from the synthesised snapshot, which fetches the SSM setup parameters and
 * secrets from the AWS stand-ins, installs etcd or PostgreSQL/Patroni/pgBackRest from the mirror
 * stand-in, formats its data volume and starts the daemons under the machine's systemd
 * (support/boot-lab.ts). All of them boot together, as instances launched by one deployment do: the etcd
 * bootstraps must form their cluster, and each cluster's members, on that one etcd, must end with a
 * leader and a streaming synchronous standby, a stanza created from the leader and its first full backup.
 * Nothing is rendered or started by the test. Every check that proves a cluster's own files (names,
 * addresses, sizes, secrets, stanza) runs for each cluster; the whole-scenario ones (monitors and failure
 * handler, a switchover) run on one. failover-patroni.test.ts takes over from here (failover, rejoin,
 * split brain, PITR).
 */
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostFile } from "../../src/offline/host-files";
import type { ResourceState } from "../../src/offline/snapshot/types";
import { type BootLab, buildBootLab, instanceAddress } from "./support/boot-lab";
import { coverageRecorder } from "./support/coverage";
import type { Machine } from "./support/debian-machine";
import { LabPki } from "./support/lab-pki";
import { waitFor } from "./support/lab-services";
import { watchMemory } from "./support/memory-watch";
import type { Run } from "./support/netns";
import { filesOfHost } from "./support/overlay-root";
import { fileAt, selectFiles, type ShippedStack, shippedStack } from "./support/shipped";
import { SECURITY_BASELINE } from "./support/security-baseline";

const PREFIX = "fpcb";
const DIR = path.join(os.tmpdir(), `${PREFIX}-prod-boot-lab`);
/** The cluster the whole-scenario checks run on (monitors and failure handler, the switchover). */
const SCENARIO = "personal-data";
const recorder = coverageRecorder("prod-cluster-boot");
const FAKETIME = ["env", "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "FAKETIME=+0 x200"];
const EVENT_SCRIPT = "/usr/local/sbin/fitness-patroni-event";

interface Host {
  readonly short: string;
  readonly name: string;
  readonly ip: string;
  readonly records: HostFile[];
  readonly files: HostFile[];
  readonly userData: HostFile;
  readonly file: (p: string) => HostFile;
}

/** One data domain's Patroni cluster, with what its shipped files name. */
interface Cluster {
  readonly domain: string;
  readonly members: readonly Host[];
  readonly stanza: string;
  /** The repository path in the backup bucket, without its leading slash. */
  readonly repoPath: string;
  /** The CloudWatch Host dimension of its backup jobs. */
  readonly metricHost: string;
  /** A row the leader committed after the boot, looked for after the bootstraps ran again. */
  probe: string;
}

let shipped: ShippedStack;
let lab: BootLab;
let etcd: Host[] = [];
let clusters: Cluster[] = [];
let secrets: Record<string, string> = {};
const m = (h: Host): Machine => lab.machine(h.short);
const record = (files: readonly HostFile[], detail: string): void => recorder.record(shipped, files, "ran", detail);
const allMembers = (): Host[] => clusters.flatMap((c) => c.members);
const scenario = (): Cluster => clusters.find((c) => c.domain === SCENARIO) as Cluster;

const tags = (r: ResourceState): Record<string, string> => (r.inputs?.tags ?? {}) as Record<string, string>;
const one = (text: string, re: RegExp, what: string): string => {
  const found = re.exec(text)?.[1];
  if (found === undefined) throw new Error(`shipped files: no ${what}`);
  return found;
};

function hostOf(r: ResourceState, short: string): Host {
  const name = r.urn.split("::").pop() ?? "";
  const records = selectFiles(shipped, { host: name });
  const userData = records.find((f) => f.kind === "bootstrap" && f.path === `user-data:${name}`);
  if (userData === undefined) throw new Error(`${name}: no user-data in the snapshot`);
  const files = filesOfHost(records);
  return { short, name, ip: instanceAddress(shipped, name).ip, records, files, userData, file: (p) => fileAt(files, p) };
}

function clusterOf(domain: string, instances: readonly ResourceState[], index: number): Cluster {
  const members = [...instances].sort((a, b) => ((tags(a)["db-member"] ?? "") < (tags(b)["db-member"] ?? "") ? -1 : 1)).map((r, j) => hostOf(r, `m${index}${j}`));
  const first = members[0] as Host;
  const backrest = first.file("/etc/pgbackrest/pgbackrest.conf").content;
  return {
    domain,
    members,
    stanza: one(backrest, /^\[(?!global\])([^\]]+)\]$/m, "stanza section"),
    repoPath: one(backrest, /^repo1-path=\/(.+)$/m, "repo1-path"),
    metricHost: one(first.file("/usr/local/sbin/fitness-pgbackrest").content, /^HOST_NAME='([^']+)'$/m, "metric host"),
    probe: "",
  };
}

const etcdctl = (h: Host, ...args: string[]): Run =>
  m(h).exec(["env", "ETCDCTL_API=3", "etcdctl", `--endpoints=https://${h.ip}:2379`, "--cacert=/etc/fitness/etcd-tls/ca.crt", "--cert=/etc/fitness/etcd-tls/server.crt", "--key=/etc/fitness/etcd-tls/server.key", ...args]);

function sql(h: Host, query: string, database = "postgres"): Run {
  return m(h).exec(["runuser", "-u", "postgres", "--", "psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-h", "/var/run/postgresql", "-p", "5432", "-d", database, "-c", query]);
}
function sqlOk(h: Host, query: string, database = "postgres"): string {
  const r = sql(h, query, database);
  expect(r.stderr, `${h.name}: ${query}`).toBe("");
  expect(r.status, `${h.name}: ${query}`).toBe(0);
  return r.stdout.trim();
}
/** Patroni's REST API of a member, as its own bootstrap asks it (TLS against the internal CA). */
const api = (h: Host, endpoint: string): number =>
  Number(m(h).exec(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "--cacert", "/etc/postgresql/15/main/tls/ca.crt", `https://${h.ip}:8008/${endpoint}`]).stdout || 0);
/** A member's name in its cluster (the shipped Patroni configuration's `name`). */
const memberName = (h: Host): string => one(h.file("/etc/patroni/15-main.yml").content, /^name: (.+)$/m, "Patroni name");
const leaderOf = (c: Cluster): Host | undefined => c.members.find((h) => api(h, "primary") === 200);
/** The cluster's leader and its other member; throws when there is no leader. */
function roles(c: Cluster): { leader: Host; standby: Host } {
  const leader = leaderOf(c);
  const standby = c.members.find((h) => h !== leader);
  if (leader === undefined || standby === undefined) throw new Error(`${c.domain}: no leader among the members`);
  return { leader, standby };
}
const synchronous = (c: Cluster): boolean => {
  const l = leaderOf(c);
  return l !== undefined && c.members.some((h) => h !== l && api(h, "sync") === 200);
};

async function unitDone(h: Host, unit: string, seconds = 600): Promise<{ result: string; status: string }> {
  let show = "";
  await waitFor(`${unit} on ${h.name} to finish`, () => {
    show = m(h).exec(["systemctl", "show", "-p", "ActiveState", "-p", "Result", "-p", "ExecMainStatus", unit]).stdout;
    return !/ActiveState=(activating|deactivating|reloading)/.test(show);
  }, seconds);
  return { result: /Result=(\S+)/.exec(show)?.[1] ?? "", status: /ExecMainStatus=(\S+)/.exec(show)?.[1] ?? "" };
}
const journal = (h: Host, unit: string): string => m(h).exec(["journalctl", "--no-pager", "-o", "cat", "-u", unit]).stdout;

/** What Secrets Manager holds for these hosts: TLS issued for what the stack requests, fresh random values for the rest. */
function labSecrets(pki: LabPki): Record<string, string> {
  const out: Record<string, string> = {};
  const tls = (ip: string): string => {
    const issued = pki.issueFor(ip);
    return JSON.stringify({ privateKeyPem: issued.keyPem, certificatePem: issued.certPem, caCertificatePem: pki.caCertPem });
  };
  const random = (): string => randomBytes(24).toString("base64url");
  for (const h of etcd) out[one(h.userData.content, /--secret-id '([^']+)'/, `${h.name} TLS secret`)] = tls(h.ip);
  for (const h of allMembers()) {
    const script = h.file("/usr/local/sbin/fitness-db-secrets").content;
    out[one(script, /^apply_tls\(\) \{[\s\S]*?fetch '([^']+)'/m, "TLS secret")] = tls(h.ip);
    out[one(script, /^apply_patroni\(\) \{[\s\S]*?fetch '([^']+)'/m, "Patroni secret")] ??= JSON.stringify({ replicationPassword: random(), rewindPassword: random(), restApiPassword: random() });
    for (const c of script.matchAll(/="\$\(fetch '([^']+)' \| jq -er \.password\)"$/gm)) out[c[1] as string] ??= JSON.stringify({ password: random() });
    out[one(h.file("/usr/local/sbin/fitness-pgbackrest").content, /^SECRET_ID='([^']+)'$/m, "cipher secret")] ??= JSON.stringify({ passphrase: randomBytes(48).toString("base64url") });
  }
  return out;
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error("the prod boot test needs root (network namespaces, systemd-nspawn)");
  const started = Date.now();
  shipped = await shippedStack("prod");
  const instances = shipped.snapshot.deployment.resources.filter((r) => r.type === "aws:ec2/instance:Instance");
  etcd = instances.filter((r) => tags(r)["host-role"] === "consensus").map((r, i) => hostOf(r, `e${i}`));
  const domains = [...new Set(instances.map((r) => tags(r)["db-cluster"]).filter((d): d is string => d !== undefined))].sort();
  clusters = domains.map((d, i) => clusterOf(d, instances.filter((r) => tags(r)["db-cluster"] === d), i));
  expect(etcd.length).toBe(3);
  expect(domains).toContain(SCENARIO);
  for (const c of clusters) expect(c.members.length, c.domain).toBe(2);
  // Every database host the stack ships boots here: no member's bootstrap is left to trust.
  expect(allMembers().map((h) => h.name).sort()).toEqual([...new Set(selectFiles(shipped, { hostRole: "database-host" }).map((f) => f.host))].sort());
  const first = scenario().members[0] as Host;
  const backrest = first.file("/etc/pgbackrest/pgbackrest.conf").content;
  const bucket = one(backrest, /^repo1-s3-bucket=(.+)$/m, "repo1-s3-bucket");
  for (const h of allMembers()) expect(h.file("/etc/pgbackrest/pgbackrest.conf").content, `${h.name}: one backup bucket for every cluster`).toContain(`\nrepo1-s3-bucket=${bucket}\n`);
  const memory = watchMemory(path.join(os.tmpdir(), `${PREFIX}-memory.log`));
  try {
    lab = await buildBootLab({
      prefix: PREFIX,
      dir: DIR,
      shipped,
      region: one(backrest, /^repo1-s3-region=(.+)$/m, "repo1-s3-region"),
      mirrorName: one(first.file("/etc/apt/sources.list.d/fitness.sources").content, /^URIs: https:\/\/([^/]+)\/debian$/m, "mirror URI"),
      bucket,
      hosts: [...etcd, ...allMembers()].map((h) => ({ short: h.short, ip: h.ip, cidr: instanceAddress(shipped, h.name).cidr, userData: h.userData.content, volumeSize: h.short.startsWith("e") ? "512M" : "2G" })),
    });
    secrets = labSecrets(new LabPki(path.join(DIR, "pki"), shipped.snapshot));
    lab.api.setSecrets(secrets);
    await lab.bootAll();
    for (const h of [...etcd, ...allMembers()]) m(h).awaitCloudInit();
  } finally {
    const mem = memory.stop();
    console.log(
      `prod boot lab: ${etcd.length + allMembers().length} machines (${etcd.length} etcd, ${clusters.length} clusters of 2) booted and bootstrapped from their user-data in ${((Date.now() - started) / 1000).toFixed(0)} s; lowest memory available ${mem.lowestAvailableMiB} of ${mem.totalMiB} MiB`,
    );
  }
}, 2_400_000);

afterAll(async () => {
  await lab?.destroy();
}, 300_000);

describe("etcd nodes of prod, booted from their shipped user-data", () => {
  it("each bootstrap ran to the end and the three formed one cluster under systemd, from the shipped configuration", async () => {
    const initial = one(etcd[0]?.file("/etc/fitness/etcd.yml").content ?? "", /^initial-cluster: (.+)$/m, "initial-cluster");
    const peers = Object.fromEntries(initial.split(",").map((p) => p.split("=") as [string, string]));
    // Clients need a certificate of the internal CA (client-cert-auth); the three refusals are awaited together.
    const anonymous = etcd.map((h) => m(h).execAsync(["env", "ETCDCTL_API=3", "etcdctl", `--endpoints=https://${h.ip}:2379`, "--cacert=/etc/fitness/etcd-tls/ca.crt", "--dial-timeout=3s", "--command-timeout=5s", "endpoint", "health"]));
    for (const h of etcd) {
      expect(m(h).read("/var/log/fitness-bootstrap.log")).toContain("fitness bootstrap: done");
      expect(m(h).exists("/var/lib/fitness/bootstrap-complete")).toBe(true);
      for (const f of h.files.filter((x) => x.path !== "/usr/sbin/policy-rc.d")) expect(m(h).read(f.path), `${h.name} ${f.path}`).toBe(f.content);
      // Debian's unit ran etcd with the arguments of our /etc/default/etcd: the shipped --config-file.
      expect(m(h).exec(["systemctl", "is-active", "etcd"]).stdout.trim()).toBe("active");
      expect(m(h).exec(["systemctl", "is-enabled", "etcd"]).stdout.trim()).toBe("enabled");
      const pid = m(h).must(["systemctl", "show", "-p", "MainPID", "--value", "etcd"]).trim();
      expect(m(h).must(["cat", `/proc/${pid}/cmdline`]).split("\0").join(" ").trim()).toBe("/usr/bin/etcd --config-file /etc/fitness/etcd.yml");
      // Its data on the volume; policy-rc.d kept Debian from starting etcd with its defaults on install (no default member dir).
      expect(m(h).must(["findmnt", "-n", "-o", "FSTYPE,TARGET", "/srv/etcd"]).trim().split(/\s+/)).toEqual(["ext4", "/srv/etcd"]);
      // (The volume is mounted inside the machine: look from there.)
      expect(m(h).exec(["test", "-d", "/srv/etcd/data/member/wal"]).status).toBe(0);
      expect(m(h).exec(["test", "-e", "/var/lib/etcd/default/member"]).status).not.toBe(0);
      expect(m(h).exists("/usr/sbin/policy-rc.d")).toBe(false);
    }
    for (const r of await Promise.all(anonymous)) expect(r.status).not.toBe(0);
    const list = JSON.parse(etcdctl(etcd[0] as Host, "member", "list", "-w", "json").stdout) as { members: { name: string; peerURLs: string[] }[] };
    expect(Object.fromEntries(list.members.map((x) => [x.name, x.peerURLs[0]]))).toEqual(peers);
    const health = etcdctl(etcd[0] as Host, "endpoint", "health", "--cluster", "-w", "json");
    expect(health.status, health.stderr).toBe(0);
    expect((JSON.parse(health.stdout) as { health: boolean }[]).map((x) => x.health)).toEqual([true, true, true]);
    const leaders = new Set(etcd.map((h) => (JSON.parse(etcdctl(h, "endpoint", "status", "-w", "json").stdout) as { Status: { leader: string } }[])[0]?.Status.leader));
    expect(leaders.size).toBe(1);
    record(
      etcd.flatMap((h) => [h.userData, ...h.files]),
      "cloud-init ran each node's shipped user-data on Debian 12: packages from the mirror (policy-rc.d held etcd back), TLS from Secrets Manager, etcd under systemd with the shipped config; the three formed one cluster",
    );
  });
});

describe("Patroni members of every prod cluster, booted from their shipped user-data on the one etcd", () => {
  it("each pair's bootstraps ran to the end: a leader and a streaming synchronous standby, under systemd, data on the volume", async () => {
    for (const h of allMembers()) {
      expect(m(h).read("/var/log/fitness-bootstrap.log"), h.name).toContain("fitness bootstrap: done");
      expect(m(h).exec(["systemctl", "is-active", "patroni@15-main.service"]).stdout.trim(), h.name).toBe("active");
      expect(m(h).exec(["systemctl", "is-enabled", "patroni@15-main.service"]).stdout.trim(), h.name).toBe("enabled");
      // Patroni, not Debian's cluster unit, runs PostgreSQL; Debian made no cluster of its own.
      expect(m(h).exec(["systemctl", "is-active", "postgresql@15-main.service"]).stdout.trim()).not.toBe("active");
      expect(m(h).exists("/var/lib/postgresql/15/main")).toBe(false);
      const show = m(h).must(["systemctl", "show", "-p", "Restart", "-p", "RequiresMountsFor", "-p", "DropInPaths", "patroni@15-main.service"]);
      expect(show).toContain("Restart=on-failure");
      expect(show).toContain("/srv/postgresql");
      expect(show).toContain("/etc/systemd/system/patroni@15-main.service.d/10-fitness.conf");
      expect(m(h).must(["findmnt", "-n", "-o", "FSTYPE,TARGET", "/srv/postgresql"]).trim().split(/\s+/)).toEqual(["ext4", "/srv/postgresql"]);
      expect(sqlOk(h, "show data_directory")).toBe("/srv/postgresql/15/main");
    }
    // The clusters share the one etcd; each keeps its state under its own scope of the shipped namespace.
    const scopes = new Set<string>();
    for (const c of clusters) {
      const { leader: l, standby: s } = roles(c);
      expect(api(s, "replica"), c.domain).toBe(200);
      await waitFor(`the ${c.domain} standby synchronous`, () => api(s, "sync") === 200, 60);
      expect(sqlOk(l, "select application_name || ' ' || state || ' ' || sync_state from pg_stat_replication")).toBe(`${memberName(s)} streaming sync`);
      // Patroni names the standby in synchronous_standby_names (synchronous_mode of the shipped Patroni config).
      const sync = sqlOk(l, "select setting || '|' || source from pg_settings where name = 'synchronous_standby_names'");
      expect(sync).toMatch(new RegExp(`^"?${memberName(s)}"?\\|configuration file$`));
      expect(l.file("/etc/postgresql/15/main/fitness.conf").content).not.toContain("synchronous_standby_names");
      expect(sqlOk(s, "select status from pg_stat_wal_receiver")).toBe("streaming");
      // A commit on the leader is on the standby.
      c.probe = randomBytes(8).toString("hex");
      sqlOk(l, `create table if not exists boot_probe (token text primary key); insert into boot_probe values ('${c.probe}')`);
      await waitFor(`the ${c.domain} leader's commit on the standby`, () => sql(s, `select count(*) from boot_probe where token = '${c.probe}'`).stdout.trim() === "1", 30);
      const conf = l.file("/etc/patroni/15-main.yml").content;
      const scope = one(conf, /^scope: (.+)$/m, "scope");
      scopes.add(scope);
      const key = `${one(conf, /^namespace: (.+)$/m, "namespace")}${scope}/leader`;
      expect(etcdctl(etcd[0] as Host, "get", "--print-value-only", key).stdout.trim(), c.domain).toBe(memberName(l));
    }
    expect(scopes.size).toBe(clusters.length);
  });

  it("every security setting comes from the shipped fitness.conf, the rules in force are the shipped pg_hba.conf, on every member", () => {
    const rules = (text: string): string[] => text.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#")).map((line) => line.trim().split(/\s+/).join(" "));
    for (const h of allMembers()) {
      for (const [name, value] of Object.entries(SECURITY_BASELINE)) {
        expect(sqlOk(h, `select setting || '|' || source || '|' || coalesce(sourcefile, '') from pg_settings where name = '${name}'`), `${h.name} ${name}`).toBe(`${value}|configuration file|/etc/postgresql/15/main/fitness.conf`);
      }
      // The instance's memory size from our file (shared_buffers is counted in 8 kB blocks).
      expect(`${sqlOk(h, "select setting::bigint * 8 / 1024 from pg_settings where name = 'shared_buffers' and sourcefile = '/etc/postgresql/15/main/fitness.conf'")}MB`, h.name).toBe(
        one(h.file("/etc/postgresql/15/main/fitness.conf").content, /^shared_buffers = '(\d+MB)'$/m, "shared_buffers"),
      );
      expect(sqlOk(h, "select current_setting('hba_file') || ' ' || current_setting('ident_file')")).toBe("/etc/postgresql/15/main/pg_hba.conf /etc/postgresql/15/main/pg_ident.conf");
      expect(rules(m(h).read("/etc/postgresql/15/main/pg_hba.conf")), h.name).toEqual(rules(h.file("/etc/postgresql/15/main/pg_hba.conf").content));
      expect(sqlOk(h, "select count(*) from pg_hba_file_rules where error is not null")).toBe("0");
      expect(sqlOk(h, "select count(*) from pg_ident_file_mappings")).toBe("0");
      for (const f of h.files.filter((x) => !["/root/fitness-bootstrap.sh", "/etc/postgresql/15/main/pg_hba.conf"].includes(x.path))) expect(m(h).read(f.path), `${h.name} ${f.path}`).toBe(f.content);
    }
  });

  it("each cluster's service role comes from its leader's bootstrap and reaches the standby by replication", () => {
    for (const c of clusters) {
      const { leader: l, standby: s } = roles(c);
      const role = one(l.file("/etc/fitness/databases/roles.sql").content, /CREATE ROLE %I', '([^']+)'/, "service role");
      for (const h of [l, s]) expect(sqlOk(h, `select rolcanlogin::text || ' ' || left(rolpassword, 14) from pg_authid where rolname = '${role}'`), h.name).toBe("true SCRAM-SHA-256$");
      expect(sqlOk(s, `select pg_get_userbyid(datdba) from pg_database where datname = '${role}'`)).toBe(role);
      expect(m(s).read("/var/log/fitness-bootstrap.log") + m(l).read("/var/log/fitness-bootstrap.log"), c.domain).toContain("fitness-db-secrets: this member is a standby: roles come from the leader");
    }
    const values = Object.values(secrets).flatMap((v) => Object.values(JSON.parse(v) as Record<string, string>)).filter((v) => !v.includes("BEGIN"));
    for (const h of allMembers()) {
      const log = m(h).read("/var/log/fitness-bootstrap.log");
      const conf = m(h).read("/etc/patroni/15-main.yml");
      for (const secret of values) {
        expect(log.includes(secret), `${h.name}: a secret in the bootstrap log`).toBe(false);
        expect(conf.includes(secret), `${h.name}: a secret in the Patroni config`).toBe(false);
      }
    }
  });

  it("pgBackRest: each stanza created from its leader, its first full backup and WAL under its repository path; the standbys' jobs defer to the leader", async () => {
    const objects = (): string[] => lab.s3.objects();
    for (const c of clusters) {
      const { leader: l, standby: s } = roles(c);
      expect(await unitDone(l, "fitness-pgbackrest@full.service"), l.name).toEqual({ result: "success", status: "0" });
      expect(await unitDone(s, "fitness-pgbackrest@full.service"), s.name).toEqual({ result: "success", status: "0" });
      expect(journal(s, "fitness-pgbackrest@full.service")).toMatch(/standby: .* runs on the leader/);
      const [archive, backup] = [`${c.repoPath}/archive/${c.stanza}`, `${c.repoPath}/backup/${c.stanza}`];
      expect(objects()).toEqual(expect.arrayContaining([`${archive}/archive.info`, `${backup}/backup.info`]));
      expect(objects().some((o) => o.startsWith(`${backup}/`) && /\/\d{8}-\d{6}F\/backup\.manifest$/.test(o)), c.domain).toBe(true);
      expect(objects().some((o) => o.startsWith(`${archive}/15-1/`)), c.domain).toBe(true);
      const info = JSON.parse(m(l).must(["runuser", "-u", "postgres", "--", "pgbackrest", `--stanza=${c.stanza}`, "--output=json", "info"], { timeoutMs: 120_000 })) as { backup: { type: string }[]; repo: { cipher: string }[] }[];
      expect(info[0]?.backup.map((b) => b.type), c.domain).toContain("full");
      expect(info[0]?.repo[0]?.cipher).toBe("aes-256-cbc");
      expect(sqlOk(l, "select setting || '|' || sourcefile from pg_settings where name = 'archive_command'")).toBe(`pgbackrest --stanza=${c.stanza} archive-push %p|/etc/postgresql/15/main/conf.d/50-pgbackrest-archive.conf`);
      for (const h of c.members) {
        for (const t of ["fitness-pgbackrest-full", "fitness-pgbackrest-diff", "fitness-pgbackrest-verify", "fitness-pgbackrest-monitor", "fitness-patroni-monitor"]) {
          expect(m(h).exec(["systemctl", "is-active", `${t}.timer`]).stdout.trim(), `${h.name} ${t}`).toBe("active");
        }
        expect(m(h).must(["stat", "-c", "%a %U:%G", "/etc/pgbackrest/conf.d/cipher.conf"]).trim()).toBe("440 root:postgres");
      }
      const metrics = lab.api.metrics().filter((x) => x.dimensions.Host === c.metricHost);
      for (const job of ["passphrase", "stanza", "check", "backup"]) expect(metrics.some((x) => x.name === "JobSucceeded" && x.dimensions.Job === job), `${c.domain} ${job}`).toBe(true);
    }
  });

  it("each leader's Patroni monitor, run by systemd, reports its streaming standby", async () => {
    const leaders = clusters.map((c) => roles(c).leader);
    // Oneshot units: `systemctl start` returns when the run ended; the four runs go together.
    const runs = await Promise.all(leaders.map((l) => m(l).execAsync(["systemctl", "start", "fitness-patroni-monitor.service"], { timeoutMs: 120_000 })));
    for (const [i, c] of clusters.entries()) {
      const l = leaders[i] as Host;
      expect(runs[i]?.status, `${l.name}: ${runs[i]?.stderr ?? ""}`).toBe(0);
      expect(await unitDone(l, "fitness-patroni-monitor.service")).toEqual({ result: "success", status: "0" });
      const scope = one(l.file("/etc/patroni/15-main.yml").content, /^scope: (.+)$/m, "scope");
      expect(lab.api.metrics().some((x) => x.name === "StandbysStreaming" && x.value === 1 && x.dimensions.Cluster === scope), c.domain).toBe(true);
    }
  });

  it(`the ${SCENARIO} leader's backup jobs and failure handler run under systemd and report`, async () => {
    const c = scenario();
    const l = roles(c).leader;
    for (const job of ["diff", "verify", "monitor"]) {
      m(l).must(["systemctl", "start", `fitness-pgbackrest@${job}.service`], { timeoutMs: 600_000 });
      expect(await unitDone(l, `fitness-pgbackrest@${job}.service`), job).toEqual({ result: "success", status: "0" });
    }
    expect(lab.api.metrics().some((x) => x.name === "JobSucceeded" && x.dimensions.Job === "verify" && x.dimensions.Host === c.metricHost)).toBe(true);
    // The unit that writes the cipher passphrase before PostgreSQL starts at every boot (the bootstrap ran its script directly).
    m(l).must(["rm", "-f", "/etc/pgbackrest/conf.d/cipher.conf"]);
    m(l).must(["systemctl", "restart", "fitness-pgbackrest-passphrase.service"], { timeoutMs: 300_000 });
    expect(await unitDone(l, "fitness-pgbackrest-passphrase.service")).toEqual({ result: "success", status: "0" });
    expect(m(l).must(["stat", "-c", "%a %U:%G", "/etc/pgbackrest/conf.d/cipher.conf"]).trim()).toBe("440 root:postgres");
    m(l).exec(["systemctl", "start", "fitness-pgbackrest@nosuchjob.service"]);
    expect(await unitDone(l, "fitness-pgbackrest-failed@fitness-pgbackrest@nosuchjob.service.service")).toEqual({ result: "success", status: "0" });
    await waitFor("the JobFailed metric", () => lab.api.metrics().some((x) => x.name === "JobFailed" && x.dimensions.Host === c.metricHost), 60);
  });
});

describe("the bootstraps run again (SSM Run Command, the failure retry)", () => {
  /**
   * Started together (the runs are CPU-bound, and independent): every member's SSM document, and the
   * bootstrap of an etcd node whose TLS secret has gone missing (libfaketime at 200x lets its thirty
   * 10-second retries pass quickly, unchanged). The members need no secret of that node.
   */
  let memberRuns: Promise<Run[]>;
  let etcdRun: Promise<Run>;
  let missing = "";
  const sysids = new Map<string, string>();
  beforeAll(() => {
    for (const c of clusters) sysids.set(c.domain, sqlOk(c.members[0] as Host, "select system_identifier from pg_control_system()"));
    const node = etcd[0] as Host;
    missing = one(node.userData.content, /--secret-id '([^']+)'/, "TLS secret");
    lab.api.setSecrets(Object.fromEntries(Object.entries(secrets).filter(([k]) => k !== missing)));
    // cloud-init keeps the user-data script it ran; the failure trap re-runs that same path later.
    etcdRun = m(node).execAsync([...FAKETIME, "bash", "/var/lib/cloud/instance/scripts/part-001"], { timeoutMs: 900_000 });
    memberRuns = Promise.all(
      allMembers().map((h) => {
        const doc = h.records.find((f) => f.kind === "bootstrap" && f.path.startsWith("ssm-document:"));
        if (doc === undefined) throw new Error(`${h.name}: no SSM document`);
        // The agent writes the step's commands to a script under its own directory and runs it with sh.
        m(h).write("/var/lib/amazon/ssm/lab/_script.sh", `${doc.content}\n`, 0o700);
        return m(h).execAsync(["sh", "/var/lib/amazon/ssm/lab/_script.sh"], { timeoutMs: 1_800_000 });
      }),
    );
  });
  afterAll(() => lab?.api.setSecrets(secrets));

  it("every member's SSM document step, all at once: idempotent, each cluster comes back with its data and a synchronous standby", async () => {
    for (const r of await memberRuns) {
      expect(r.status, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).toBe(0);
      expect(r.stdout).toContain("data volume already holds ext4: keeping it");
      expect(r.stdout).toContain("fitness bootstrap: done");
    }
    for (const c of clusters) {
      await waitFor(`${c.domain}: a leader and a synchronous standby again`, () => synchronous(c), 120);
      for (const h of c.members) {
        expect(sqlOk(h, "select system_identifier from pg_control_system()")).toBe(sysids.get(c.domain));
        await waitFor(`the probe row on ${h.name}`, () => sql(h, `select count(*) from boot_probe where token = '${c.probe}'`).stdout.trim() === "1", 30);
        expect(m(h).read("/root/fitness-bootstrap.sh")).toBe(h.file("/root/fitness-bootstrap.sh").content);
      }
      record(
        c.members.flatMap((h) => h.records.filter((f) => f.path !== EVENT_SCRIPT)),
        `cloud-init ran both ${c.domain} members' shipped user-data on Debian 12 with the SSM setup parameters, next to the other clusters on one etcd; Patroni formed the cluster (leader, synchronous standby); stanza and full backup from the leader; units and timers under systemd; the SSM document run again on both`,
      );
    }
  }, 1_900_000);

  it("an etcd node's bootstrap without its TLS secret fails loudly, reports BootstrapFailed and schedules a retry; the node keeps serving", async () => {
    const h = etcd[0] as Host;
    const r = await etcdRun;
    lab.api.setSecrets(secrets);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("fitness bootstrap: TLS secret not readable");
    expect(r.stdout + r.stderr).toMatch(/fitness bootstrap: FAILED \(exit 1\); retrying in 300 s/);
    expect(lab.api.calls().some((c) => c.service === "secretsmanager" && c.id === missing && c.found === false)).toBe(true);
    const hostName = one(h.userData.content, /Dimensions\.member\.1\.Value=([^']+)'/, "metric host");
    expect(lab.api.metrics().some((x) => x.namespace === "Fitness/Databases" && x.name === "BootstrapFailed" && x.dimensions.Host === hostName)).toBe(true);
    const timers = m(h).must(["systemctl", "list-timers", "--all", "--no-legend", "fitness-bootstrap-retry-*"]);
    expect(timers).toMatch(/fitness-bootstrap-retry-\d+\.timer/);
    for (const t of timers.matchAll(/(fitness-bootstrap-retry-\d+)\.timer/g)) m(h).exec(["systemctl", "stop", `${t[1]}.timer`]);
    expect(etcdctl(h, "endpoint", "health").status).toBe(0);
  }, 900_000);

  it(`a planned switchover of ${SCENARIO}: the synchronous standby takes over with every commit, and the role-change callback reports it`, async () => {
    const c = scenario();
    const { leader: old, standby: next } = roles(c);
    const restApi = (JSON.parse(secrets[one(old.file("/usr/local/sbin/fitness-db-secrets").content, /^apply_patroni\(\) \{[\s\S]*?fetch '([^']+)'/m, "Patroni secret")] ?? "{}") as { restApiPassword: string }).restApiPassword;
    const probe = randomBytes(8).toString("hex");
    sqlOk(old, `insert into boot_probe values ('${probe}')`);
    // Patroni's REST API, authenticated as the shipped configuration names its user (the password from Secrets Manager).
    const body = JSON.stringify({ leader: memberName(old), candidate: memberName(next) });
    const r = m(old).exec(["curl", "-sS", "--max-time", "60", "--cacert", "/etc/postgresql/15/main/tls/ca.crt", "-u", `patroni:${restApi}`, "-X", "POST", "-H", "Content-Type: application/json", "-d", body, `https://${old.ip}:8008/switchover`]);
    expect(r.stdout, r.stderr).toMatch(/Successfully switched over/);
    await waitFor("the former standby leading and the former leader synchronous", () => api(next, "primary") === 200 && api(old, "sync") === 200, 120);
    expect(sqlOk(next, `select count(*) from boot_probe where token = '${probe}'`)).toBe("1");
    const scope = one(old.file("/etc/patroni/15-main.yml").content, /^scope: (.+)$/m, "scope");
    await waitFor("the Promoted metric from the new leader's callback", () => lab.api.metrics().some((x) => x.name === "Promoted" && x.dimensions.Cluster === scope), 60);
    expect(journal(old, "patroni@15-main.service")).toMatch(new RegExp(`fitness-patroni: member .* of ${c.domain}: on_role_change, role now (replica|standby)`));
    record(
      c.members.flatMap((h) => h.records.filter((f) => f.path === EVENT_SCRIPT)),
      `a planned switchover of ${c.domain} through Patroni's REST API: the role-change callback ran on both members and reported Promoted`,
    );
  }, 300_000);
});
