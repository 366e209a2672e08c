import type { EgressException } from "../../config/sections/egress";

/** The zones that may be granted proxied egress (D6): never the DMZ itself. */
export type ProxyZone = EgressException["zones"][number];
export const PROXY_ZONES: readonly ProxyZone[] = ["app", "data"];

/** The only port the proxy listens on, and the port its NLB forwards. */
export const PROXY_PORT = 3128;

/**
 * Where the proxy's files live on the host. The renderers take these as parameters so that the host
 * tests can run the very same texts in a temporary directory; production uses `HOST_PATHS`.
 */
export interface SquidPaths {
  readonly squidBinary: string;
  readonly configFile: string;
  /** The dated exceptions, as deployed; the expiry script reads it at every run. */
  readonly exceptionsFile: string;
  /** One `allow-<zone>.domains` file per zone, written by the expiry script, read by Squid. */
  readonly allowlistDir: string;
  readonly accessLog: string;
  readonly cacheLog: string;
  readonly pidFile: string;
  readonly coredumpDir: string;
  /** Name resolution before DNS; the lab points it at its own table of test sites. */
  readonly hostsFile: string;
}

export const HOST_PATHS: SquidPaths = {
  squidBinary: "/usr/sbin/squid",
  configFile: "/etc/squid/squid.conf",
  exceptionsFile: "/etc/squid/egress/exceptions.tsv",
  allowlistDir: "/etc/squid/egress",
  accessLog: "/var/log/squid/access.log",
  cacheLog: "/var/log/squid/cache.log",
  pidFile: "/run/squid.pid",
  coredumpDir: "/var/spool/squid",
  hostsFile: "/etc/hosts",
};

export function allowlistFile(paths: SquidPaths, zone: ProxyZone | typeof DEPLOYER_CLIENT): string {
  return `${paths.allowlistDir}/allow-${zone}.domains`;
}

/**
 * The in-VPC deployer (src/deployer): a standing client of the proxy from the DMZ subnets, held to its
 * own fixed allowlist (`allow-deployer.domains`, written at deploy time, not by the expiry timer).
 */
export const DEPLOYER_CLIENT = "deployer";
