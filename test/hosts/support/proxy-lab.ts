import * as fs from "node:fs";
import * as path from "node:path";
import type { HostFile } from "../../../src/offline/host-files";
import { createLabCa, type LabCa } from "./lab-ca";
import { type LabProcess, type S3Lab, startDebianMirror, startImds, startNode, startS3, waitFor } from "./lab-services";
import { sitesScript } from "./lab-sites";
import { Machine } from "./debian-machine";
import { addNamespace, inNs, ipIn, link, removeNamespaces, run } from "./netns";
import { committedConfigData } from "../../support/stack-config";
import { fileAt, selectFiles, type ShippedStack, type ShippedStackName, shippedStack } from "./shipped";
import { pruneToLogs } from "./lab-dir";

/**
 * The egress proxy's lab: a Debian 12 machine (systemd-nspawn) booted in the proxy namespace with the
 * stack's shipped cloud-config as its user-data, wired to
 *
 *   app / data clients ─┐                       ┌─ "internet" 198.51.100.10 (+ samples of every blocked
 *   stray client ───────┤─ proxy machine ───────┤   range), s3rver as S3 at 198.51.100.20
 *                       │  (Squid :3128,        └─ the Debian archive stand-in (root namespace, 100.127.250.1)
 *                       │   IMDS stub at 169.254.169.254)
 *
 * Client addresses sit in the zone subnets the shipped squid.conf admits; the machine resolves the lab's
 * names through its /etc/hosts (the lab's DNS). Nothing here is an address outside the namespaces but
 * the root end of the archive link.
 */
export const REGION_ENDPOINT = (region: string): string => `s3.${region}.amazonaws.com`;
export const INET = { proxy: "198.51.100.1", far: "198.51.100.10", s3: "198.51.100.20", proxy6: "2001:db8:100::1", far6: "2001:db8:100::10" } as const;
// A /30 no host route uses (this machine's own uplink may sit in 192.0.2.0/24): only these two addresses are routed here.
export const MIRROR = { root: "100.127.250.1", proxy: "100.127.250.2" } as const;
export const IMDS_ADDRESS = "169.254.169.254";
/** Addresses in blocked ranges that the lab makes reachable from the proxy (so only Squid's ACL stands between). */
export const INET_EXTRA = ["10.255.5.10", "100.64.5.10", "172.16.5.10", "192.168.5.10"] as const;
export const INET_EXTRA6 = ["fd00:ec2::254"] as const;
export const STRAY = { net: "192.168.99.0/24", client: "192.168.99.10", proxy: "192.168.99.1" } as const;

const DAY = 86_400_000;
export const isoDay = (offset: number, from = new Date()): string => new Date(from.getTime() + offset * DAY).toISOString().slice(0, 10);

/** The exceptions the lab grants (through the stack's own config): names under the lab's test domains. */
export function labExceptions(today = new Date()): Record<string, unknown>[] {
  const base = { services: [], reason: "host test of the egress proxy", ticket: "OPS-1", owner: "lab@fitness.example.com", granted: isoDay(-1, today) };
  return [
    { ...base, host: ".egress-lab.example.net", zones: ["app"], expires: isoDay(20, today) },
    { ...base, host: "data.egress-lab-data.example.net", zones: ["data"], expires: isoDay(20, today) },
    { ...base, host: "expiring.egress-lab-exp.example.net", zones: ["app"], expires: isoDay(1, today) },
  ];
}

/** The stack as shipped with the lab's exceptions granted in its config. */
export function shippedWithLabExceptions(stack: ShippedStackName): Promise<ShippedStack> {
  const egress = committedConfigData(stack)["fitness-platform:egress"] as Record<string, unknown>;
  return shippedStack(stack, { configOverrides: { egress: JSON.stringify({ ...egress, exceptions: labExceptions() }) } });
}

export interface ProxyShipped {
  readonly shipped: ShippedStack;
  readonly files: HostFile[];
  /** The cloud-config the launch template carries, decoded. */
  readonly userData: HostFile;
  readonly file: (p: string) => HostFile;
  /** A `name='value'` assignment of a shipped script (the log shipper's bucket, key, region, prefix). */
  readonly scriptValue: (p: string, name: string) => string;
  /** Source CIDRs per zone in the shipped squid.conf. */
  readonly zoneCidrs: Record<string, string[]>;
  /** Destinations the shipped squid.conf refuses (`acl inward_dst dst ...`). */
  readonly blocked: string[];
}

export function proxyFiles(shipped: ShippedStack): ProxyShipped {
  const files = selectFiles(shipped, { hostRole: "egress-proxy", carrier: "user-data" });
  const userData = files.find((f) => f.kind === "bootstrap");
  if (userData === undefined) throw new Error(`${shipped.stack}: no egress proxy user-data in the snapshot`);
  const file = (p: string): HostFile => fileAt(files, p);
  const conf = file("/etc/squid/squid.conf").content;
  const zoneCidrs: Record<string, string[]> = {};
  for (const m of conf.matchAll(/^acl from_(\w+) src (.+)$/gm)) zoneCidrs[m[1] as string] = (m[2] as string).split(" ");
  const blocked = /^acl inward_dst dst (.+)$/m.exec(conf)?.[1]?.split(" ") ?? [];
  const scriptValue = (p: string, name: string): string => {
    const m = new RegExp(`^${name}='([^']*)'$`, "m").exec(file(p).content);
    if (m === null) throw new Error(`${p}: no ${name}=`);
    return m[1] as string;
  };
  return { shipped, files, userData, file, scriptValue, zoneCidrs, blocked };
}

const toInt = (ip: string): number => ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
/** The n-th address of a CIDR, with the CIDR's prefix length. */
export function hostIn(cidr: string, n: number): { address: string; withPrefix: string } {
  const [base = "", prefix = "32"] = cidr.split("/");
  const address = toIp(toInt(base) + n);
  return { address, withPrefix: `${address}/${prefix}` };
}

export interface ProxyLab {
  readonly prefix: string;
  readonly dir: string;
  readonly ca: LabCa;
  readonly proxy: ProxyShipped;
  readonly machine: Machine;
  readonly mirror: LabProcess;
  readonly imds: LabProcess & { requests: string };
  readonly s3: S3Lab;
  readonly sites: LabProcess;
  readonly localSite: LabProcess;
  readonly ns: (name: string) => string;
  /** The client's address in a zone (app, data) or the stray one. */
  readonly client: (zone: string) => string;
  /** The proxy URL a client of that zone uses. */
  readonly proxyUrl: (zone: string) => string;
  readonly bucket: string;
  readonly instanceId: string;
  /** Restarts the archive stand-in after a test stopped it. */
  restartMirror(): Promise<void>;
  stopMirror(): Promise<void>;
  destroy(): Promise<void>;
}

export interface ProxyLabOptions {
  readonly prefix: string;
  readonly dir: string;
  readonly proxy: ProxyShipped;
  /** Names the machine resolves (its /etc/hosts), besides the archive's and S3's. */
  readonly hosts: readonly (readonly [string, string])[];
  /** Site certificate names. */
  readonly siteNames: readonly string[];
}

/** Builds the namespaces, starts the stand-ins, prepares the machine (not booted). Cleans up what it built on failure. */
export async function buildProxyLab(options: ProxyLabOptions): Promise<ProxyLab> {
  const { prefix, dir, proxy } = options;
  removeNamespaces(prefix);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const ns = (name: string): string => `${prefix}-${name}`;
  const started: LabProcess[] = [];
  let machine: Machine | undefined;
  const cleanup = async (): Promise<void> => {
    await machine?.destroy();
    for (const p of started) await p.stop();
    removeNamespaces(prefix);
    pruneToLogs(dir);
  };
  try {
    for (const name of ["proxy", "app", "data", "stray", "inet"]) addNamespace(ns(name));
    const zoneClient: Record<string, { client: string; proxy: string }> = {};
    let i = 0;
    for (const zone of ["app", "data"]) {
      const cidr = proxy.zoneCidrs[zone]?.[0];
      if (cidr === undefined) throw new Error(`shipped squid.conf admits no ${zone} zone: the lab needs an exception for it`);
      const c = hostIn(cidr, 10);
      const p = hostIn(cidr, 1);
      link({ ns: ns("proxy"), ifname: `${prefix}z${i}`, addresses: [p.withPrefix] }, { ns: ns(zone), ifname: `${prefix}c${i}`, addresses: [c.withPrefix] });
      ipIn(ns(zone), "route", "add", "default", "via", p.address);
      zoneClient[zone] = { client: c.address, proxy: p.address };
      i++;
    }
    link({ ns: ns("proxy"), ifname: `${prefix}z9`, addresses: [`${STRAY.proxy}/24`] }, { ns: ns("stray"), ifname: `${prefix}c9`, addresses: [`${STRAY.client}/24`] });
    ipIn(ns("stray"), "route", "add", "default", "via", STRAY.proxy);
    zoneClient.stray = { client: STRAY.client, proxy: STRAY.proxy };
    link(
      { ns: ns("proxy"), ifname: `${prefix}i0`, addresses: [`${INET.proxy}/24`, `${INET.proxy6}/64`] },
      { ns: ns("inet"), ifname: `${prefix}i1`, addresses: [`${INET.far}/24`, `${INET.s3}/32`, ...INET_EXTRA.map((a) => `${a}/32`), `${INET.far6}/64`, ...INET_EXTRA6.map((a) => `${a}/128`)] },
    );
    ipIn(ns("proxy"), "route", "add", "default", "via", INET.far);
    ipIn(ns("proxy"), "-6", "route", "add", "default", "via", INET.far6);
    if (run("ip", ["-o", "addr"]).stdout.includes(`${MIRROR.root.replace(/\.\d+$/, ".")}`)) throw new Error(`lab: ${MIRROR.root}/30 is in use on this machine`);
    link({ ifname: `${prefix}m0`, addresses: [`${MIRROR.root}/30`] }, { ns: ns("proxy"), ifname: `${prefix}m1`, addresses: [`${MIRROR.proxy}/30`] });
    ipIn(ns("proxy"), "addr", "add", `${IMDS_ADDRESS}/32`, "dev", "lo");

    const ca = createLabCa(path.join(dir, "ca"), "fitness egress lab CA");
    const region = proxy.scriptValue("/usr/local/sbin/fitness-proxy-logship", "region");
    const bucket = proxy.scriptValue("/usr/local/sbin/fitness-proxy-logship", "bucket");
    const endpoint = REGION_ENDPOINT(region);
    const instanceId = "i-0fa1afe1ab0000001";

    const mirrorTls = ca.issue("mirror", ["deb.debian.org"]);
    let mirror = startDebianMirror(MIRROR.root, mirrorTls, path.join(dir, "mirror.log"));
    started.push(mirror);
    const imds = startImds(ns("proxy"), IMDS_ADDRESS, instanceId, dir);
    started.push(imds);
    const s3 = startS3(ns("inet"), INET.s3, ca.issue("s3", [endpoint, `*.${endpoint}`]), bucket, dir);
    started.push(s3);
    const siteTls = ca.issue("sites", options.siteNames);
    const sites = startNode(ns("inet"), sitesScript(siteTls.cert, siteTls.key, [INET.far, INET.far6, ...INET_EXTRA, ...INET_EXTRA6], true), [], path.join(dir, "sites.log"));
    started.push(sites);
    // Squid's own namespace: loopback, "this network", the metadata address and the proxy's addresses.
    const localSite = startNode(ns("proxy"), sitesScript(siteTls.cert, siteTls.key, ["::"], false), [], path.join(dir, "local-site.log"));
    started.push(localSite);
    const listening = (log: string) => () => fs.existsSync(log) && fs.readFileSync(log, "utf8").includes("listening");
    await waitFor("the lab's sites, S3, metadata and archive", () => [sites.log, localSite.log, imds.log, s3.log, mirror.log].every((l) => listening(l)()), 60);

    machine = new Machine({ name: ns("proxy"), netns: ns("proxy"), dir: path.join(dir, "machine") });
    machine.seed({
      hosts: [`${MIRROR.root} deb.debian.org`, `${INET.s3} ${endpoint} ${bucket}.${endpoint}`, ...options.hosts.map(([address, name]) => `${address} ${name}`)],
      caPem: fs.readFileSync(ca.certFile, "utf8"),
      userData: proxy.userData.content,
      instanceId,
    });

    const lab: ProxyLab = {
      prefix,
      dir,
      ca,
      proxy,
      machine,
      get mirror() {
        return mirror;
      },
      imds,
      s3,
      sites,
      localSite,
      ns,
      client: (zone) => zoneClient[zone]?.client ?? "",
      proxyUrl: (zone) => `http://${zoneClient[zone]?.proxy ?? ""}:3128`,
      bucket,
      instanceId,
      async stopMirror() {
        await mirror.stop();
      },
      async restartMirror() {
        mirror = startDebianMirror(MIRROR.root, mirrorTls, path.join(dir, "mirror.log"));
        started.push(mirror);
        await waitFor("the archive stand-in", () => run("curl", ["-sf", "-o", "/dev/null", "--cacert", ca.certFile, "--resolve", `deb.debian.org:443:${MIRROR.root}`, "https://deb.debian.org/debian/dists/bookworm/InRelease"]).status === 0, 60);
      },
      destroy: cleanup,
    };
    return lab;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Whether a client namespace reaches an address directly (without the proxy). */
export function reachesDirectly(lab: ProxyLab, zone: string, url: string): boolean {
  return inNs(lab.ns(zone), "curl", ["-sS", "--max-time", "5", "--noproxy", "*", "--cacert", lab.ca.certFile, url]).status === 0;
}
