/**
 * The public DNS answers preflight needs (delegation and CAA), behind an interface so tests inject
 * recorded answers. The default asks the system's resolvers through node:dns.
 */
import { Resolver } from "node:dns/promises";

export interface CaaAnswer {
  readonly critical: number;
  readonly issue?: string;
  readonly issuewild?: string;
}

export interface DnsLookup {
  /** The NS names for `name`; [] when the name has no NS records (NODATA) or does not exist (NXDOMAIN). */
  nameServers(name: string): Promise<string[]>;
  /** The CAA records at exactly `name`; [] when none. */
  caa(name: string): Promise<CaaAnswer[]>;
}

const ABSENT = new Set(["ENODATA", "ENOTFOUND"]);

function absentOr<T>(err: unknown, empty: T): T {
  if (ABSENT.has((err as { code?: string }).code ?? "")) return empty;
  throw err;
}

export function systemDns(): DnsLookup {
  const resolver = new Resolver({ timeout: 5000, tries: 2 });
  return {
    nameServers: (name) => resolver.resolveNs(name).catch((err: unknown) => absentOr(err, [])),
    caa: (name) =>
      resolver.resolveCaa(name).then(
        (records) => records.map((r) => ({ critical: r.critical, issue: r.issue, issuewild: r.issuewild })),
        (err: unknown) => absentOr(err, []),
      ),
  };
}
