import * as fs from "node:fs";
import * as path from "node:path";
import { type AwsApi, startAwsApi } from "./aws-api";
import { agentPackage, SSM_AGENT_KEY, stackParameters } from "./db-host-lab";
import { Machine } from "./debian-machine";
import { createLabCa, type LabCa } from "./lab-ca";
import { type LabProcess, type S3Lab, startDebianMirror, startImds, startS3, waitFor } from "./lab-services";
import { addNamespace, ipIn, link, must, removeNamespaces, run } from "./netns";
import type { ShippedStack } from "./shipped";
import { pruneToLogs } from "./lab-dir";

/**
 * Several hosts of one stack, each a Debian 12 machine (systemd-nspawn) booted from its shipped
 * user-data, laid out as the VPC lays them out: every machine in its own network namespace at its
 * production address, on its own link to a router that holds the subnets' gateways and a /32 route per
 * host (what the VPC router does for hosts of one subnet). Behind the router, in their own namespace:
 *
 *   S3 (s3rver, the backup bucket)     198.51.100.20 ─┐
 *   Secrets Manager, SSM, CloudWatch,                 ├─ router ── machine (its private IP) ... one link per machine
 *   the SSM agent's bucket (aws-api)   198.51.100.21 ─┤              └─ /30 ── the Debian mirror stand-in (root namespace)
 *   IMDSv2                             169.254.169.254┘
 *
 * The mirror stand-in answers for the mirror bucket's name on 100.127.253.1; each machine reaches it over
 * a /30 of its own (the root namespace takes packets for any of its addresses on any link). Each
 * machine's EBS data volume is a loop device bound at the NVMe by-id name its user-data waits for.
 */
export const BOOT_LAB = { aws: "198.51.100.1", s3: "198.51.100.20", api: "198.51.100.21", imds: "169.254.169.254", mirrorNet: "100.127.253" } as const;
const INSTANCE_ID = "i-0fa1afe1ab000b007";

export interface BootHost {
  /** Short label (≤ 4 characters): namespace and link names derive from it. */
  readonly short: string;
  readonly ip: string;
  /** The host's subnet (its gateway is the first address). */
  readonly cidr: string;
  /** The user-data text cloud-init runs. */
  readonly userData: string;
  /** Size of the data volume (truncate syntax), when the user-data waits for one. */
  readonly volumeSize?: string;
}

export interface BootLabOptions {
  readonly prefix: string;
  readonly dir: string;
  readonly shipped: ShippedStack;
  readonly region: string;
  /** The Debian mirror bucket's host name (the shipped apt sources' URI host). */
  readonly mirrorName: string;
  /** The backup bucket S3 serves. */
  readonly bucket: string;
  readonly hosts: readonly BootHost[];
  /** Namespaces without a machine, e.g. a client in the app zone, linked to the router like the hosts. */
  readonly clients?: readonly { readonly short: string; readonly ip: string; readonly cidr: string }[];
}

export interface BootLab {
  readonly dir: string;
  readonly ca: LabCa;
  readonly api: AwsApi;
  readonly s3: S3Lab;
  readonly imdsRequests: string;
  readonly mirrorLog: string;
  machine(short: string): Machine;
  ns(short: string): string;
  /** Boots every machine (their cloud-init runs concurrently, as instances launched together do). */
  bootAll(): Promise<void>;
  destroy(): Promise<void>;
}

/** The private address of an instance of the snapshot and its subnet's CIDR. */
export function instanceAddress(shipped: ShippedStack, hostName: string): { ip: string; cidr: string } {
  const resources = shipped.snapshot.deployment.resources;
  const instance = resources.find((r) => r.type === "aws:ec2/instance:Instance" && r.urn.endsWith(`::${hostName}`));
  const ip = instance?.inputs?.privateIp;
  const subnet = resources.find((r) => r.type === "aws:ec2/subnet:Subnet" && r.id === instance?.inputs?.subnetId);
  const cidr = subnet?.inputs?.cidrBlock;
  if (typeof ip !== "string" || typeof cidr !== "string") throw new Error(`${shipped.stack}: no instance ${hostName} with a private IP in a subnet`);
  return { ip, cidr };
}

function gatewayOf(cidr: string): string {
  const [a, b, c, d] = (cidr.split("/")[0] ?? "").split(".").map(Number);
  return `${a}.${b}.${c}.${(d ?? 0) + 1}`;
}

/** Loop devices a previous run of this lab left attached (its volume files live under `dir`). */
function detachLoops(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const line of run("losetup", ["-a"]).stdout.split("\n")) {
    const m = /^(\/dev\/loop\d+):.*\((.+)\)$/.exec(line);
    if (m?.[1] !== undefined && m[2]?.startsWith(`${dir}/`) === true) run("losetup", ["-d", m[1]]);
  }
}

export async function buildBootLab(options: BootLabOptions): Promise<BootLab> {
  const { prefix, dir, shipped, region } = options;
  const ns = (short: string): string => `${prefix}-${short}`;
  const machines = new Map<string, Machine>();
  const started: LabProcess[] = [];
  const loops: string[] = [];
  removeNamespaces(prefix);
  detachLoops(dir);
  if (fs.existsSync(dir)) {
    for (const entry of fs.readdirSync(dir)) {
      const root = path.join(dir, entry, "root");
      if (run("mountpoint", ["-q", root]).status === 0) run("umount", ["-l", root]);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const cleanup = async (): Promise<void> => {
    await Promise.all([...machines.values()].map((m) => m.destroy()));
    for (const p of started) await p.stop();
    for (const loop of loops) run("losetup", ["-d", loop]);
    removeNamespaces(prefix);
    pruneToLogs(dir);
  };
  try {
    const mirrorAddress = `${BOOT_LAB.mirrorNet}.1`;
    if (run("ip", ["-o", "addr"]).stdout.includes(` ${BOOT_LAB.mirrorNet}.`)) throw new Error(`lab: ${BOOT_LAB.mirrorNet}.0/24 is in use on this machine`);
    addNamespace(ns("r"));
    must("ip", ["netns", "exec", ns("r"), "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    addNamespace(ns("aws"));
    link({ ns: ns("r"), ifname: `${prefix}wr`, addresses: [`${BOOT_LAB.aws}/24`] }, { ns: ns("aws"), ifname: `${prefix}wa`, addresses: [`${BOOT_LAB.s3}/24`, `${BOOT_LAB.api}/24`] });
    ipIn(ns("aws"), "addr", "add", `${BOOT_LAB.imds}/32`, "dev", "lo");
    ipIn(ns("aws"), "route", "add", "default", "via", BOOT_LAB.aws);
    ipIn(ns("r"), "route", "add", `${BOOT_LAB.imds}/32`, "via", BOOT_LAB.s3);
    const gateways = new Set<string>();
    const toRouter = (short: string, ip: string, cidr: string): void => {
      addNamespace(ns(short));
      const gateway = gatewayOf(cidr);
      // The router answers ARP for its addresses on every link: one gateway address serves all its hosts.
      link({ ns: ns("r"), ifname: `${prefix}${short}r`, addresses: gateways.has(gateway) ? [] : [`${gateway}/32`] }, { ns: ns(short), ifname: `${prefix}${short}h`, addresses: [`${ip}/32`] });
      gateways.add(gateway);
      ipIn(ns("r"), "route", "add", `${ip}/32`, "dev", `${prefix}${short}r`);
      ipIn(ns(short), "route", "add", `${gateway}/32`, "dev", `${prefix}${short}h`);
      ipIn(ns(short), "route", "add", "default", "via", gateway);
    };
    for (const c of options.clients ?? []) toRouter(c.short, c.ip, c.cidr);
    options.hosts.forEach((h, i) => {
      const hostNs = ns(h.short);
      toRouter(h.short, h.ip, h.cidr);
      const rootEnd = `${BOOT_LAB.mirrorNet}.${4 * i + 1}`;
      link({ ifname: `${prefix}${h.short}m`, addresses: [`${rootEnd}/30`] }, { ns: hostNs, ifname: `${prefix}${h.short}n`, addresses: [`${BOOT_LAB.mirrorNet}.${4 * i + 2}/30`] });
      if (rootEnd !== mirrorAddress) ipIn(hostNs, "route", "add", `${mirrorAddress}/32`, "via", rootEnd);
    });

    const ca = createLabCa(path.join(dir, "ca"), `fitness ${shipped.stack} boot lab CA`);
    const endpoint = `s3.${region}.amazonaws.com`;
    const apiNames = ["secretsmanager", "ssm", "monitoring"].map((s) => `${s}.${region}.amazonaws.com`);
    const agentBucket = `amazon-ssm-${region}.${endpoint}`;
    const mirrorLog = path.join(dir, "mirror.log");
    const mirror = startDebianMirror(mirrorAddress, ca.issue("mirror", [options.mirrorName]), mirrorLog);
    started.push(mirror);
    const imds = startImds(ns("aws"), BOOT_LAB.imds, INSTANCE_ID, dir);
    started.push(imds);
    const s3 = startS3(ns("aws"), BOOT_LAB.s3, ca.issue("s3", [endpoint, `*.${endpoint}`]), options.bucket, dir);
    started.push(s3);
    const api = startAwsApi(ns("aws"), BOOT_LAB.api, ca.issue("api", [...apiNames, agentBucket]), dir);
    started.push(api);
    const listening = (log: string): boolean => fs.existsSync(log) && fs.readFileSync(log, "utf8").includes("listening");
    await waitFor("the lab's S3, AWS APIs, metadata and mirror", () => [s3.log, api.log, imds.log, mirror.log].every(listening), 60);
    api.setParameters(stackParameters(shipped));
    api.putAgentObject(SSM_AGENT_KEY, agentPackage(dir));

    const caPem = fs.readFileSync(ca.certFile, "utf8");
    for (const h of options.hosts) {
      const device = /^DEVICE='([^']+)'$/m.exec(h.userData)?.[1];
      const binds: string[] = [];
      if (device !== undefined) {
        const file = path.join(dir, `${h.short}-volume.img`);
        must("truncate", ["-s", h.volumeSize ?? "1G", file]);
        const loop = must("losetup", ["--find", "--show", file]).trim();
        loops.push(loop);
        binds.push(`--bind=${loop}:${device}`, `--bind=${loop}`);
      }
      const machine = new Machine({ name: ns(h.short), netns: ns(h.short), dir: path.join(dir, h.short), nspawnArgs: binds });
      machines.set(h.short, machine);
      machine.seed({
        hosts: [`${mirrorAddress} ${options.mirrorName}`, `${BOOT_LAB.s3} ${endpoint} ${options.bucket}.${endpoint}`, `${BOOT_LAB.api} ${[...apiNames, agentBucket].join(" ")}`],
        caPem,
        userData: h.userData,
        instanceId: INSTANCE_ID,
      });
    }
    return {
      dir,
      ca,
      api,
      s3,
      imdsRequests: imds.requests,
      mirrorLog,
      machine(short) {
        const m = machines.get(short);
        if (m === undefined) throw new Error(`lab: no machine ${short}`);
        return m;
      },
      ns,
      async bootAll() {
        await Promise.all([...machines.values()].map((m) => m.boot()));
      },
      destroy: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
