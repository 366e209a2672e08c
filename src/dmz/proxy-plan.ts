import { mustParseCidr, subnetAt } from "../config/cidr";
import type { EgressConfig, EgressException } from "../config/sections/egress";
import { hostProblem, renderExceptionsDocument } from "./egress-register";
import { byteOrder, type DatedEntry, renderExceptionsFile, sortEntries } from "./squid/exceptions-file";
import { renderExpiryScript } from "./squid/expiry";
import { renderLogShipper } from "./squid/log-shipping";
import { PROXY_PORT, PROXY_ZONES, type ProxyZone } from "./squid/paths";
import { renderSquidConf } from "./squid/squid-conf";
import { renderProxyUserData } from "./squid/user-data";

export interface EgressProxyPlanInput {
  readonly stack: string;
  readonly region: string;
  readonly egress: EgressConfig;
  /** Exceptions in force at deploy time (`PlatformConfig.liveEgressExceptions`); expired ones never get here. */
  readonly liveExceptions: readonly EgressException[];
  readonly vpcCidr: string;
  /** Subnet CIDRs per zone, from the network plan: the proxy's source ACLs. */
  readonly zoneCidrs: Readonly<Record<ProxyZone, readonly string[]>>;
  /**
   * The in-VPC deployer, a standing client from the DMZ subnets: its names (src/deployer/egress-allowlist.ts)
   * and its subnets. Its presence keeps one proxy host up (it needs GitHub at every deploy).
   */
  readonly deployer?: { readonly cidrs: readonly string[]; readonly hosts: readonly string[] };
}

/** Security groups the proxy's rules join: its NLB's, its instances', and the zones' own. */
export type ProxyGroup = "front" | "instance" | ProxyZone;

export interface ProxyRule {
  /** Stable logical-name suffix of the rule resource. */
  readonly key: string;
  readonly direction: "ingress" | "egress";
  readonly group: ProxyGroup;
  readonly peer: { readonly group: ProxyGroup } | { readonly cidr: string };
  readonly protocol: "tcp" | "udp";
  readonly port: number;
  readonly description: string;
}

export interface ProxyCapacity {
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredCapacity: number;
}

/** Where the host ships its access logs (the app log bucket of the log archive). */
export interface ProxyLogTarget {
  readonly bucket: string;
  readonly kmsKeyArn: string;
}

export interface EgressProxyPlan {
  /** Zones named by at least one live exception: the only ones admitted, in this order. */
  readonly zones: readonly ProxyZone[];
  readonly capacity: ProxyCapacity;
  readonly entries: readonly DatedEntry[];
  readonly squidConf: string;
  readonly exceptionsFile: string;
  /** The deployer's allowlist file, when the stack has a deployer. */
  readonly deployerAllowlist?: string;
  readonly expiryScript: string;
  readonly rules: readonly ProxyRule[];
  /** Hosts and ranges clients must reach directly (VPC endpoints, cluster, metadata), for NO_PROXY. */
  readonly noProxy: readonly string[];
  /** What EGR-01 reads from the snapshot (an SSM parameter): the exceptions this deploy carries. */
  readonly exceptionsDocument: string;
  /** The host's user-data, once the log archive's bucket and key are known. */
  userData(logs: ProxyLogTarget): string;
}

/** The Amazon-provided DNS resolver sits at the VPC's base address + 2. */
export function vpcResolverCidr(vpcCidr: string): string {
  return subnetAt(mustParseCidr(vpcCidr), 32, 2);
}

export function proxyCapacity(maxSize: number, liveCount: number, standingClient = false): ProxyCapacity {
  if (liveCount > 0) return { minSize: 1, maxSize, desiredCapacity: maxSize };
  // The deployer needs GitHub at every deploy, and a deploy can start at any time: one host stays up.
  if (standingClient) return { minSize: 1, maxSize, desiredCapacity: 1 };
  // No live exception and no deployer, no proxy (D6): the group stays, scaled to zero, so a grant is a one-line change.
  return { minSize: 0, maxSize, desiredCapacity: 0 };
}

function proxyRules(zones: readonly ProxyZone[], resolver: string): ProxyRule[] {
  const rules: ProxyRule[] = [];
  for (const zone of zones) {
    rules.push(
      { key: `${zone}-to-proxy`, direction: "egress", group: zone, peer: { group: "front" }, protocol: "tcp", port: PROXY_PORT, description: `${zone} zone to the egress proxy (live exception)` },
      { key: `proxy-from-${zone}`, direction: "ingress", group: "front", peer: { group: zone }, protocol: "tcp", port: PROXY_PORT, description: `egress proxy from the ${zone} zone (live exception)` },
    );
  }
  rules.push(
    { key: "front-to-instances", direction: "egress", group: "front", peer: { group: "instance" }, protocol: "tcp", port: PROXY_PORT, description: "proxy load balancer to the Squid hosts" },
    { key: "instances-from-front", direction: "ingress", group: "instance", peer: { group: "front" }, protocol: "tcp", port: PROXY_PORT, description: "Squid hosts from their load balancer (traffic and health checks)" },
    // The proxy is the sanctioned exit (D6): HTTPS to anywhere, the allowlist decides where.
    { key: "instances-https-out", direction: "egress", group: "instance", peer: { cidr: "0.0.0.0/0" }, protocol: "tcp", port: 443, description: "sanctioned exit: HTTPS to allowlisted names (Squid decides)" },
    // Squid resolves the allowlisted names itself, through the VPC resolver.
    { key: "instances-dns-udp", direction: "egress", group: "instance", peer: { cidr: resolver }, protocol: "udp", port: 53, description: "DNS to the VPC resolver" },
    { key: "instances-dns-tcp", direction: "egress", group: "instance", peer: { cidr: resolver }, protocol: "tcp", port: 53, description: "DNS to the VPC resolver (large answers)" },
  );
  return rules;
}

/**
 * Everything about the egress proxy that follows from config: who may use it, what it may reach, how
 * many hosts run, and the files each host runs. Pure; the component only registers it.
 */
export function planEgressProxy(input: EgressProxyPlanInput): EgressProxyPlan {
  const live = input.liveExceptions;
  const zones = PROXY_ZONES.filter((zone) => live.some((e) => e.zones.includes(zone)));
  for (const zone of zones) {
    if (input.zoneCidrs[zone].length === 0) throw new Error(`egress proxy: zone ${zone} has no subnet CIDRs in the network plan`);
  }
  const entries: DatedEntry[] = sortEntries(
    live.map(({ host, zones: z, granted, expires, ticket, owner, reason }) => ({ host, zones: z, granted, expires, ticket, owner, reason })),
  );
  const squidConf = renderSquidConf({
    sources: zones.map((zone) => ({ zone, cidrs: input.zoneCidrs[zone] })),
    blockedDestinations: [input.vpcCidr],
    ...(input.deployer === undefined ? {} : { deployer: { cidrs: input.deployer.cidrs } }),
  });
  for (const host of input.deployer?.hosts ?? []) {
    const problem = hostProblem(host);
    if (problem !== undefined) throw new Error(`egress proxy: deployer allowlist entry ${problem}`);
  }
  const deployerAllowlist = input.deployer === undefined ? undefined : `${[...new Set(input.deployer.hosts)].sort(byteOrder).join("\n")}\n`;
  const exceptionsFile = renderExceptionsFile(entries);
  const expiryScript = renderExpiryScript({ zones });
  const resolver = vpcResolverCidr(input.vpcCidr);
  const userData = (logs: ProxyLogTarget): string =>
    renderProxyUserData({
      squidConf,
      exceptionsFile,
      ...(deployerAllowlist === undefined ? {} : { deployerAllowlist }),
      expiryScript,
      logShipper: renderLogShipper({ bucket: logs.bucket, kmsKeyArn: logs.kmsKeyArn, region: input.region, stack: input.stack }),
    });
  // Fail before anything is registered if the user-data cannot fit, whatever the bucket and key are called.
  userData({ bucket: "b".repeat(63), kmsKeyArn: `arn:aws:kms:${input.region}:000000000000:key/${"0".repeat(36)}` });
  return {
    zones,
    capacity: proxyCapacity(input.egress.proxy.maxSize, live.length, input.deployer !== undefined),
    entries,
    squidConf,
    exceptionsFile,
    ...(deployerAllowlist === undefined ? {} : { deployerAllowlist }),
    expiryScript,
    rules: proxyRules(zones, resolver),
    noProxy: ["localhost", "127.0.0.1", "169.254.169.254", "169.254.170.23", input.vpcCidr, ".internal", ".svc", ".cluster.local", ".amazonaws.com"],
    exceptionsDocument: renderExceptionsDocument(input.egress.maxLifetimeDays, live),
    userData,
  };
}
