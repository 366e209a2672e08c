import { cidrContains, mustParseCidr } from "../../config/cidr";
import { allowlistFile, DEPLOYER_CLIENT, HOST_PATHS, PROXY_PORT, type ProxyZone, type SquidPaths } from "./paths";

/** Source addresses of one zone, and therefore which allowlist file its clients are held to. */
export interface ZoneSource {
  readonly zone: ProxyZone;
  readonly cidrs: readonly string[];
}

export interface SquidConfInput {
  /** Zones named by a live exception; clients from anywhere else are refused. */
  readonly sources: readonly ZoneSource[];
  /**
   * The in-VPC deployer's subnets (the DMZ's): admitted to the deployer's own allowlist only, whether or
   * not an exception is live. Absent: no deployer client.
   */
  readonly deployer?: { readonly cidrs: readonly string[] };
  /**
   * Destinations never reached even under an allowlisted name (the VPC), on top of ALWAYS_BLOCKED, so a
   * name that resolves inwards cannot become a way back in.
   */
  readonly blockedDestinations: readonly string[];
  readonly listen?: { readonly address?: string; readonly port: number };
  readonly paths?: Partial<SquidPaths>;
}

/**
 * Destinations blocked on every proxy, besides the VPC itself: the sanctioned exit reaches public
 * unicast addresses only. IPv4: "this network", private space (RFC 1918: peered VPCs, on-premises),
 * shared CGNAT space, loopback, link-local (the instance metadata service 169.254.169.254, the VPC
 * resolver and time service), multicast and reserved. IPv6: unspecified, loopback, link-local and unique
 * local (which holds the metadata service's fd00:ec2::254). Squid compares IPv4-mapped IPv6 answers
 * (::ffff:a.b.c.d) as the IPv4 address (the host tests prove it), so they need no range of their own.
 */
export const ALWAYS_BLOCKED = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "::/128",
  "::1/128",
  "fe80::/10",
  "fc00::/7",
] as const;

/** The ranges in order, without those another one holds (Squid warns about a subnetwork of another). */
export function blockedRanges(extra: readonly string[]): string[] {
  const all = [...new Set([...ALWAYS_BLOCKED, ...extra])];
  const v4 = all.filter((c) => !c.includes(":"));
  const held = (c: string): boolean => !c.includes(":") && v4.some((o) => o !== c && cidrContains(mustParseCidr(o), mustParseCidr(c)));
  return all.filter((c) => !held(c));
}

/**
 * Host names that are IP literals: dotted or plain decimal, hexadecimal, and IPv6 (any colon or bracket).
 * An exception names a DNS name; a raw address would bypass the point of the allowlist.
 */
const IP_LITERAL_PATTERNS = ["^[0-9]+(\\.[0-9]+)*$", "^0x", ":", "^\\["] as const;

function checkCidrs(where: string, cidrs: readonly string[]): void {
  for (const cidr of cidrs) {
    if (cidr.includes(":")) {
      if (!/^[0-9a-f:]+\/\d{1,3}$/i.test(cidr)) throw new Error(`squid.conf: ${where}: "${cidr}" is not a CIDR block`);
    } else mustParseCidr(cidr);
  }
}

/**
 * squid.conf for the egress proxy: CONNECT only, to port 443 only, to allowlisted DNS names only, from
 * the zones an exception names only; raw IPs and inward destinations refused; everything logged.
 * Pure: the same text runs on the host (user-data) and in the host tests (with lab paths and port).
 */
export function renderSquidConf(input: SquidConfInput): string {
  const paths: SquidPaths = { ...HOST_PATHS, ...input.paths };
  const listen = input.listen ?? { port: PROXY_PORT };
  checkCidrs("blockedDestinations", input.blockedDestinations);
  const seen = new Set<ProxyZone>();
  for (const source of input.sources) {
    if (seen.has(source.zone)) throw new Error(`squid.conf: zone "${source.zone}" is listed twice`);
    seen.add(source.zone);
    if (source.cidrs.length === 0) throw new Error(`squid.conf: zone "${source.zone}" has no source CIDRs`);
    checkCidrs(`zone ${source.zone}`, source.cidrs);
  }
  if (input.deployer !== undefined) {
    if (input.deployer.cidrs.length === 0) throw new Error("squid.conf: the deployer has no source CIDRs");
    checkCidrs("deployer", input.deployer.cidrs);
  }
  const deployer = input.deployer;
  const sources = [...input.sources].sort((a, b) => a.zone.localeCompare(b.zone));
  const blocked = blockedRanges(input.blockedDestinations);

  const lines = [
    "# Egress proxy (D6), rendered by the fitness-platform program. Do not edit on the host.",
    "# CONNECT to port 443 of allowlisted names only; the allowlists are written by the expiry timer.",
    `http_port ${listen.address === undefined ? "" : `${listen.address}:`}${listen.port}`,
    "",
    "acl CONNECT method CONNECT",
    "acl tls_port port 443",
    `acl ip_literal dstdom_regex -i ${IP_LITERAL_PATTERNS.join(" ")}`,
    `acl inward_dst dst ${blocked.join(" ")}`,
    ...sources.flatMap((s) => [
      `acl from_${s.zone} src ${s.cidrs.join(" ")}`,
      // -n: never reverse-resolve an address to find a name that happens to be listed.
      `acl allow_${s.zone} dstdomain -n "${allowlistFile(paths, s.zone)}"`,
    ]),
    ...(deployer === undefined
      ? []
      : [`acl from_${DEPLOYER_CLIENT} src ${deployer.cidrs.join(" ")}`, `acl allow_${DEPLOYER_CLIENT} dstdomain -n "${allowlistFile(paths, DEPLOYER_CLIENT)}"`]),
    "",
    "http_access deny !CONNECT",
    "http_access deny !tls_port",
    "http_access deny ip_literal",
    // inward_dst last: it needs a DNS answer, which only allowlisted names are worth a lookup for.
    ...sources.map((s) => `http_access allow from_${s.zone} allow_${s.zone} !inward_dst`),
    ...(deployer === undefined ? [] : [`http_access allow from_${DEPLOYER_CLIENT} allow_${DEPLOYER_CLIENT} !inward_dst`]),
    "http_access deny all",
    "",
    "# A tunnel, not a cache.",
    "cache deny all",
    "forwarded_for delete",
    "httpd_suppress_version_string on",
    "visible_hostname egress-proxy",
    "pinger_enable off",
    "netdb_filename none",
    "shutdown_lifetime 5 seconds",
    `hosts_file ${paths.hostsFile}`,
    "",
    "# Every request, allowed or denied: time (UTC), client, method, target, status, result, peer, bytes, ms.",
    "logformat egress %{%Y-%m-%dT%H:%M:%SZ}tg %>a %rm %ru %>Hs %Ss %<a %<st %tr",
    `access_log stdio:${paths.accessLog} egress`,
    // The log shipper renames the file and asks Squid to reopen it; Squid itself keeps no generations.
    "logfile_rotate 0",
    `cache_log ${paths.cacheLog}`,
    `pid_filename ${paths.pidFile}`,
    `coredump_dir ${paths.coredumpDir}`,
  ];
  return `${lines.join("\n")}\n`;
}
