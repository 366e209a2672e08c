/**
 * No example value reaches a real deploy: addresses in the documentation ranges (RFC 5737:
 * 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24; RFC 3849: 2001:db8::/32), and names under the
 * reserved example and special-use domains (RFC 2606: example.com/.net/.org, .example, .test,
 * .invalid, .localhost; RFC 6761; RFC 6762 .local; RFC 7686 .onion; RFC 8375 home.arpa) in any
 * config value: admin CIDRs, e-mail addresses, hosted zones and DNS names. Pure: asks AWS nothing.
 */
import { Address4, Address6 } from "ip-address";
import type { Check, ConfigValue, Finding } from "../types";

const DOCUMENTATION_V4 = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"].map((c) => new Address4(c));
const DOCUMENTATION_V6 = new Address6("2001:db8::/32");
const RESERVED_SUFFIXES = ["example.com", "example.net", "example.org", "example", "test", "invalid", "localhost", "local", "onion", "home.arpa"];

function v4(text: string): Address4 | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(text)) return undefined;
  try {
    return new Address4(text);
  } catch {
    return undefined;
  }
}

function v6(text: string): Address6 | undefined {
  if (!text.includes(":") || !/^[0-9a-f:.]+(\/\d{1,3})?$/i.test(text)) return undefined;
  try {
    return new Address6(text);
  } catch {
    return undefined;
  }
}

/** The documentation range an address or block overlaps, if any. */
export function documentationRange(text: string): string | undefined {
  const a4 = v4(text);
  if (a4 !== undefined) {
    const first = a4.startAddress().bigInt();
    const last = a4.endAddress().bigInt();
    return DOCUMENTATION_V4.find((d) => first <= d.endAddress().bigInt() && d.startAddress().bigInt() <= last)?.address;
  }
  const a6 = v6(text);
  if (a6 !== undefined) {
    const first = a6.startAddress().bigInt();
    const last = a6.endAddress().bigInt();
    return first <= DOCUMENTATION_V6.endAddress().bigInt() && DOCUMENTATION_V6.startAddress().bigInt() <= last ? DOCUMENTATION_V6.address : undefined;
  }
  return undefined;
}

/** The host names a config string carries: an e-mail's domain, a URL's host, a registry host, or the value itself. */
export function namesIn(value: string): string[] {
  const text = value.trim().toLowerCase();
  if (text === "" || /\s/.test(text)) return [];
  const email = /^[^@/]+@([^@/]+)$/.exec(text);
  if (email !== null) return [email[1]];
  const url = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/:?#]+)/.exec(text);
  if (url !== null) return [url[1]];
  const host = text.split("/")[0].split(":")[0].replace(/^\.|\.$/g, "");
  return host.includes(".") || RESERVED_SUFFIXES.includes(host) ? [host] : [];
}

/** The reserved domain a name falls under, if any. */
export function reservedDomain(name: string): string | undefined {
  const n = name.toLowerCase().replace(/\.$/, "");
  return RESERVED_SUFFIXES.find((s) => n === s || n.endsWith(`.${s}`));
}

function placeholderFindings(values: readonly ConfigValue[]): Finding[] {
  const findings: Finding[] = [];
  for (const { key, value } of values) {
    const range = documentationRange(value.trim());
    if (range !== undefined) {
      findings.push({ check: NAME, severity: "error", problem: `${key} = ${value} is in the documentation range ${range}, not a real network`, action: `set ${key} to the real address range (e.g. the office VPN's egress)` });
      continue;
    }
    for (const name of namesIn(value)) {
      const reserved = reservedDomain(name);
      if (reserved !== undefined) {
        findings.push({ check: NAME, severity: "error", problem: `${key} = ${value} uses the reserved domain ${reserved}, an example value`, action: `set ${key} to the platform's real ${value.includes("@") ? "address" : "name"}` });
        break;
      }
    }
  }
  return findings;
}

const NAME = "placeholders";

export const placeholderCheck: Check<Record<string, never>> = {
  name: NAME,
  collect: () => Promise.resolve({}),
  evaluate: (facts) => placeholderFindings(facts.configValues),
};
