import type { EgressException } from "../../config/sections/egress";
import type { ProxyZone } from "./paths";

/**
 * The dated exceptions file the proxy host keeps (D6): one exception per line, tab-separated, so that
 * the expiry script can read it with awk alone. Columns, in order:
 *
 *   expires  granted  zones(comma-separated)  host  ticket  owner  reason
 *
 * Dates are ISO (YYYY-MM-DD), so "still live" is a plain string comparison on the host.
 */
export const EXCEPTION_COLUMNS = ["expires", "granted", "zones", "host", "ticket", "owner", "reason"] as const;

/** What Squid needs of an exception, plus the fields a reviewer on the host wants to see. */
export type DatedEntry = Pick<EgressException, "host" | "zones" | "granted" | "expires" | "ticket" | "owner" | "reason">;

// Tabs and line breaks would split a record; free text is folded onto one line.
const oneField = (text: string): string => text.replace(/[\t\r\n]+/g, " ").trim();

export function sortEntries(entries: readonly DatedEntry[]): DatedEntry[] {
  return [...entries].sort((a, b) => a.host.localeCompare(b.host) || a.expires.localeCompare(b.expires) || a.ticket.localeCompare(b.ticket));
}

export function renderExceptionsFile(entries: readonly DatedEntry[]): string {
  const lines = [
    "# Egress exceptions (D6) of this proxy, rendered at deploy time. Do not edit on the host: the next",
    "# deploy replaces this file. The expiry timer keeps lines with granted <= today <= expires (UTC).",
    `# ${EXCEPTION_COLUMNS.join("\t")}`,
    ...sortEntries(entries).map((e) =>
      [e.expires, e.granted, [...e.zones].sort().join(","), e.host, e.ticket, e.owner, oneField(e.reason)].map(oneField).join("\t"),
    ),
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The domains a zone may reach on `today`: the same selection the expiry script makes on the host,
 * kept here so the plan and the unit tests can state what the host must end up with.
 */
export function liveDomains(entries: readonly DatedEntry[], zone: ProxyZone, today: string): string[] {
  const hosts = entries.filter((e) => e.granted <= today && today <= e.expires && e.zones.includes(zone)).map((e) => e.host);
  return [...new Set(hosts)].sort(byteOrder);
}

/** `LC_ALL=C sort` order, which the host script uses. */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Reads the file back (the policies read it from the proxy's user-data); malformed lines are skipped. */
export function parseExceptionsFile(text: string): DatedEntry[] {
  const entries: DatedEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const [expires = "", granted = "", zones = "", host = "", ticket = "", owner = "", reason = ""] = line.split("\t");
    const zoneList = zones.split(",").filter((z): z is ProxyZone => z === "app" || z === "data");
    entries.push({ expires, granted, zones: zoneList, host, ticket, owner, reason });
  }
  return entries;
}
