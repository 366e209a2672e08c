import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { HostFile } from "../../../src/offline/host-files";
import { parameterValue, SSM_PARAMETER } from "../../../src/offline/host-files/carriers";
import { type AwsApi, startAwsApi } from "./aws-api";
import { Machine } from "./debian-machine";
import { createLabCa, type LabCa } from "./lab-ca";
import { LabPki } from "./lab-pki";
import { type LabProcess, type S3Lab, startDebianMirror, startImds, startS3, waitFor } from "./lab-services";
import { addNamespace, ipIn, link, must, removeNamespaces, run } from "./netns";
import { filesOfHost } from "./overlay-root";
import { fileAt, selectFiles, type ShippedStack } from "./shipped";
import { pruneToLogs } from "./lab-dir";

/**
 * A database host as shipped, on the OS it ships to: a Debian 12 machine (systemd-nspawn) booted with
 * the host's user-data from the synthesised stack as its cloud-init user-data, which installs PostgreSQL
 * and pgBackRest from the package mirror, formats and mounts the data volume, fetches the secrets and
 * the SSM parameters, and starts the server and the backup timers. Everything the host reaches stands
 * in on lab addresses:
 *
 *   app client   10.x (app zone) ─┐
 *   outside      (no zone)       ─┤─ router ── db machine (the host's private IP; IMDS stub on its loopback)
 *   AWS stand-ins 198.51.100.2x  ─┘               └─ /30 ── the mirror stand-in (root namespace)
 *
 * - the Debian mirror bucket: the archive stand-in answering for the bucket's virtual host (it serves the
 *   archive's signed files, which is what scripts/mirror.sh copies into the bucket);
 * - S3 (s3rver) for the backup bucket; Secrets Manager, SSM parameters, CloudWatch and the SSM agent's
 *   bucket (aws-api.ts); IMDSv2 for the instance role;
 * - the EBS data volume: a loop device, bound at the NVMe by-id name the user-data waits for.
 * The TLS secret holds a certificate issued for what the stack's CertRequest asks (lab-pki.ts); the
 * other secrets hold fresh random values. SSM parameters are served with the snapshot's values.
 */
export const DB_LAB = { router: "10.250.0.1", aws: "198.51.100.1", s3: "198.51.100.20", api: "198.51.100.21", mirrorRoot: "100.127.251.1", mirrorHost: "100.127.251.2" } as const;
export const IMDS_ADDRESS = "169.254.169.254";
export const SSM_AGENT_KEY = "latest/debian_amd64/amazon-ssm-agent.deb";

export interface DbShipped {
  readonly shipped: ShippedStack;
  readonly host: string;
  /** Every record of the host: bootstraps (user-data, SSM document, SSM parameters) and files. */
  readonly records: HostFile[];
  /** One record per file path (the user-data and its SSM copy write the same files). */
  readonly files: HostFile[];
  readonly userData: HostFile;
  readonly ssmDocument: HostFile;
  readonly file: (p: string) => HostFile;
  readonly privateIp: string;
  readonly region: string;
  readonly mirrorName: string;
  readonly backupBucket: string;
  readonly stanza: string;
  readonly secretIds: { readonly tls: string; readonly cipher: string; readonly credentials: readonly { readonly id: string; readonly env: string }[] };
}

const one = (text: string, re: RegExp, what: string): string => {
  const m = re.exec(text);
  if (m?.[1] === undefined) throw new Error(`shipped files: no ${what}`);
  return m[1];
};

export function dbHostFiles(shipped: ShippedStack, host: string): DbShipped {
  const records = selectFiles(shipped, { hostRole: "database-host", host });
  if (records.length === 0) throw new Error(`${shipped.stack}: no database host ${host} in the snapshot`);
  const bootstrap = (prefix: string): HostFile => {
    const found = records.find((r) => r.kind === "bootstrap" && r.path.startsWith(prefix));
    if (found === undefined) throw new Error(`${host}: no ${prefix} record`);
    return found;
  };
  const files = filesOfHost(records);
  const file = (p: string): HostFile => fileAt(files, p);
  const conf = file("/etc/postgresql/15/main/postgresql.conf").content;
  const secrets = file("/usr/local/sbin/fitness-db-secrets").content;
  const pgbr = file("/usr/local/sbin/fitness-pgbackrest").content;
  const backrest = file("/etc/pgbackrest/pgbackrest.conf").content;
  const sources = file("/etc/apt/sources.list.d/fitness.sources").content;
  return {
    shipped,
    host,
    records,
    files,
    userData: bootstrap("user-data:"),
    ssmDocument: bootstrap("ssm-document:"),
    file,
    privateIp: one(conf, /^listen_addresses = '([^']+)'$/m, "listen_addresses"),
    region: one(secrets, /^REGION='([^']+)'$/m, "region"),
    mirrorName: one(sources, /^URIs: https:\/\/([^/]+)\/debian$/m, "mirror URI"),
    backupBucket: one(backrest, /^repo1-s3-bucket=(.+)$/m, "repo1-s3-bucket"),
    stanza: one(pgbr, /^STANZA='([^']+)'$/m, "stanza"),
    secretIds: {
      tls: one(secrets, /^ {2}json="\$\(fetch '([^']+)'\)"$/m, "TLS secret"),
      cipher: one(pgbr, /^SECRET_ID='([^']+)'$/m, "cipher secret"),
      credentials: [...secrets.matchAll(/^ {2}(\w+)="\$\(fetch '([^']+)' \| jq -er \.password\)"$/gm)].map((m) => ({ env: m[1] as string, id: m[2] as string })),
    },
  };
}

export interface DbHostSecrets {
  /** What Secrets Manager holds for the host, by id (JSON strings). */
  readonly secrets: Record<string, string>;
  /** The service passwords, by role environment variable. */
  readonly passwords: Record<string, string>;
  readonly passphrase: string;
}

/** A host's secrets: a TLS certificate issued for what the stack requests, fresh random values for the rest. */
export function dbHostSecrets(db: DbShipped, pki: LabPki): DbHostSecrets {
  const issued = pki.issueFor(db.privateIp);
  const passphrase = randomBytes(48).toString("base64url");
  const passwords: Record<string, string> = {};
  const secrets: Record<string, string> = {
    [db.secretIds.tls]: JSON.stringify({ privateKeyPem: issued.keyPem, certificatePem: issued.certPem, caCertificatePem: pki.caCertPem }),
    [db.secretIds.cipher]: JSON.stringify({ passphrase }),
  };
  for (const c of db.secretIds.credentials) {
    passwords[c.env] = randomBytes(24).toString("base64url");
    secrets[c.id] = JSON.stringify({ password: passwords[c.env] });
  }
  return { secrets, passwords, passphrase };
}

/** Every SSM parameter of the stack with a readable value, as the parameter store would serve it. */
export function stackParameters(shipped: ShippedStack): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of shipped.snapshot.deployment.resources) {
    if (r.type !== SSM_PARAMETER) continue;
    const v = parameterValue(r);
    if (v !== undefined && "carrier" in v && v.carrier.name !== undefined) out[v.carrier.name] = v.carrier.text;
  }
  return out;
}

/** A stand-in for the SSM agent's package: a unit that keeps running (the agent itself needs AWS). */
export function agentPackage(dir: string): string {
  const root = path.join(dir, "ssm-agent-pkg");
  fs.mkdirSync(path.join(root, "DEBIAN"), { recursive: true });
  fs.mkdirSync(path.join(root, "lib", "systemd", "system"), { recursive: true });
  fs.writeFileSync(
    path.join(root, "DEBIAN", "control"),
    "Package: amazon-ssm-agent\nVersion: 0.0.0-lab\nArchitecture: amd64\nMaintainer: fitness lab <lab@fitness.example.com>\nDescription: lab stand-in for the SSM agent\n",
  );
  fs.writeFileSync(
    path.join(root, "lib", "systemd", "system", "amazon-ssm-agent.service"),
    "[Unit]\nDescription=SSM agent (lab stand-in)\n\n[Service]\nExecStart=/bin/sleep infinity\n\n[Install]\nWantedBy=multi-user.target\n",
  );
  const deb = path.join(dir, "amazon-ssm-agent.deb");
  must("dpkg-deb", ["--root-owner-group", "--build", root, deb]);
  return deb;
}

export interface DbHostLab {
  readonly dir: string;
  readonly db: DbShipped;
  readonly machine: Machine;
  readonly ca: LabCa;
  /** The internal CA's certificate (what services verify the server against). */
  readonly internalCaFile: string;
  readonly otherCaFile: string;
  readonly api: AwsApi;
  readonly s3: S3Lab;
  readonly imds: LabProcess & { requests: string };
  readonly ns: (name: string) => string;
  readonly clients: { readonly app: string; readonly outside: string };
  /** The secrets the stand-in serves, by id (JSON strings). */
  readonly secrets: Record<string, string>;
  /** The service passwords, by role environment variable. */
  readonly passwords: Record<string, string>;
  readonly passphrase: string;
  stopMirror(): Promise<void>;
  restartMirror(): Promise<void>;
  destroy(): Promise<void>;
}

export interface DbHostLabOptions {
  readonly prefix: string;
  readonly dir: string;
  readonly db: DbShipped;
  /** An address of the app zone (admitted by pg_hba.conf) and one of no zone, with their prefix lengths. */
  readonly appClient: string;
  readonly outsideClient: string;
}

export async function buildDbHostLab(options: DbHostLabOptions): Promise<DbHostLab> {
  const { prefix, dir, db } = options;
  removeNamespaces(prefix);
  const loopFile = path.join(dir, "data-volume.img");
  for (const line of run("losetup", ["-j", loopFile]).stdout.split("\n")) {
    const dev = /^(\/dev\/loop\d+):/.exec(line)?.[1];
    if (dev !== undefined) run("losetup", ["-d", dev]);
  }
  const leftover = path.join(dir, "machine", "root");
  if (run("mountpoint", ["-q", leftover]).status === 0) run("umount", ["-l", leftover]);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const ns = (name: string): string => `${prefix}-${name}`;
  const started: LabProcess[] = [];
  let machine: Machine | undefined;
  let loop: string | undefined;
  const cleanup = async (): Promise<void> => {
    await machine?.destroy();
    for (const p of started) await p.stop();
    if (loop !== undefined) run("losetup", ["-d", loop]);
    removeNamespaces(prefix);
    pruneToLogs(dir);
  };
  try {
    for (const name of ["db", "router", "app", "out", "aws"]) addNamespace(ns(name));
    must("ip", ["netns", "exec", ns("router"), "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    const [app, appLen] = options.appClient.split("/") as [string, string];
    const [outside, outLen] = options.outsideClient.split("/") as [string, string];
    const routerIn = (client: string, len: string): string => `${client.replace(/\.\d+$/, ".1")}/${len}`;
    link({ ns: ns("router"), ifname: `${prefix}r0`, addresses: [`${DB_LAB.router}/32`] }, { ns: ns("db"), ifname: `${prefix}d0`, addresses: [`${db.privateIp}/32`] });
    ipIn(ns("db"), "route", "add", `${DB_LAB.router}/32`, "dev", `${prefix}d0`);
    ipIn(ns("db"), "route", "add", "default", "via", DB_LAB.router);
    ipIn(ns("router"), "route", "add", `${db.privateIp}/32`, "dev", `${prefix}r0`);
    link({ ns: ns("router"), ifname: `${prefix}r1`, addresses: [routerIn(app, appLen)] }, { ns: ns("app"), ifname: `${prefix}a0`, addresses: [options.appClient] });
    ipIn(ns("app"), "route", "add", "default", "via", routerIn(app, appLen).split("/")[0] as string);
    link({ ns: ns("router"), ifname: `${prefix}r2`, addresses: [routerIn(outside, outLen)] }, { ns: ns("out"), ifname: `${prefix}o0`, addresses: [options.outsideClient] });
    ipIn(ns("out"), "route", "add", "default", "via", routerIn(outside, outLen).split("/")[0] as string);
    link({ ns: ns("router"), ifname: `${prefix}r3`, addresses: [`${DB_LAB.aws}/24`] }, { ns: ns("aws"), ifname: `${prefix}w0`, addresses: [`${DB_LAB.s3}/24`, `${DB_LAB.api}/24`] });
    ipIn(ns("aws"), "route", "add", "default", "via", DB_LAB.aws);
    if (run("ip", ["-o", "addr"]).stdout.includes(`${DB_LAB.mirrorRoot.replace(/\.\d+$/, ".")}`)) throw new Error(`lab: ${DB_LAB.mirrorRoot}/30 is in use on this machine`);
    link({ ifname: `${prefix}m0`, addresses: [`${DB_LAB.mirrorRoot}/30`] }, { ns: ns("db"), ifname: `${prefix}m1`, addresses: [`${DB_LAB.mirrorHost}/30`] });
    ipIn(ns("db"), "addr", "add", `${IMDS_ADDRESS}/32`, "dev", "lo");

    const ca = createLabCa(path.join(dir, "ca"), "fitness database lab CA");
    const endpoint = `s3.${db.region}.amazonaws.com`;
    const apiNames = ["secretsmanager", "ssm", "monitoring"].map((s) => `${s}.${db.region}.amazonaws.com`);
    const agentBucket = `amazon-ssm-${db.region}.${endpoint}`;
    const mirrorTls = ca.issue("mirror", [db.mirrorName]);
    let mirror = startDebianMirror(DB_LAB.mirrorRoot, mirrorTls, path.join(dir, "mirror.log"));
    started.push(mirror);
    const imds = startImds(ns("db"), IMDS_ADDRESS, "i-0fa1afe1ab00000db", dir);
    started.push(imds);
    const s3 = startS3(ns("aws"), DB_LAB.s3, ca.issue("s3", [endpoint, `*.${endpoint}`]), db.backupBucket, dir);
    started.push(s3);
    const api = startAwsApi(ns("aws"), DB_LAB.api, ca.issue("api", [...apiNames, agentBucket]), dir);
    started.push(api);
    const listening = (log: string): boolean => fs.existsSync(log) && fs.readFileSync(log, "utf8").includes("listening");
    await waitFor("the lab's S3, AWS APIs, metadata and mirror", () => [s3.log, api.log, imds.log, mirror.log].every(listening), 60);

    // What AWS holds for this host: its secrets (fresh values), the stack's parameters, the agent package.
    const pki = new LabPki(path.join(dir, "pki"), db.shipped.snapshot);
    const other = new LabPki(path.join(dir, "pki-other"), db.shipped.snapshot);
    const otherCaFile = path.join(dir, "other-ca.crt");
    fs.writeFileSync(otherCaFile, other.caCertPem);
    const internalCaFile = path.join(dir, "internal-ca.crt");
    fs.writeFileSync(internalCaFile, pki.caCertPem);
    const { secrets, passwords, passphrase } = dbHostSecrets(db, pki);
    api.setSecrets(secrets);
    api.setParameters(stackParameters(db.shipped));
    api.putAgentObject(SSM_AGENT_KEY, agentPackage(dir));

    // The EBS volume: a blank loop device, bound where the NVMe by-id name points on a Nitro instance.
    const device = one(db.userData.content, /^DEVICE='([^']+)'$/m, "data volume device");
    must("truncate", ["-s", "2G", loopFile]);
    loop = must("losetup", ["--find", "--show", loopFile]).trim();
    machine = new Machine({ name: ns("db"), netns: ns("db"), dir: path.join(dir, "machine"), nspawnArgs: [`--bind=${loop}:${device}`, `--bind=${loop}`] });
    machine.seed({
      hosts: [`${DB_LAB.mirrorRoot} ${db.mirrorName}`, `${DB_LAB.s3} ${endpoint} ${db.backupBucket}.${endpoint}`, `${DB_LAB.api} ${[...apiNames, agentBucket].join(" ")}`],
      caPem: fs.readFileSync(ca.certFile, "utf8"),
      userData: db.userData.content,
      instanceId: "i-0fa1afe1ab00000db",
    });

    return {
      dir,
      db,
      machine,
      ca,
      internalCaFile,
      otherCaFile,
      api,
      s3,
      imds,
      ns,
      clients: { app, outside },
      secrets,
      passwords,
      passphrase,
      async stopMirror() {
        await mirror.stop();
      },
      async restartMirror() {
        mirror = startDebianMirror(DB_LAB.mirrorRoot, mirrorTls, path.join(dir, "mirror.log"));
        started.push(mirror);
        await waitFor("the mirror stand-in", () => run("curl", ["-sf", "-o", "/dev/null", "--cacert", ca.certFile, "--resolve", `${db.mirrorName}:443:${DB_LAB.mirrorRoot}`, `https://${db.mirrorName}/debian/dists/bookworm/InRelease`]).status === 0, 60);
      },
      destroy: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
