import { Address4, Address6 } from "ip-address";

/** An IPv4 or IPv6 block as a numeric range, host bits ignored (AWS accepts `10.0.0.5/16` in rules). */
export interface AddressRange {
  readonly family: 4 | 6;
  readonly first: bigint;
  readonly last: bigint;
  readonly text: string;
}

/** Blocks already parsed: rules repeat the same few blocks, and parsing through ip-address is costly. */
const parsed = new Map<string, AddressRange | undefined>();

export function parseRange(text: string): AddressRange | undefined {
  if (parsed.has(text)) return parsed.get(text);
  const range = parseUncached(text);
  parsed.set(text, range);
  return range;
}

function parseUncached(text: string): AddressRange | undefined {
  if (text.includes(":")) {
    if (!Address6.isValid(text)) return undefined;
    const a = new Address6(text.includes("/") ? text : `${text}/128`);
    return { family: 6, first: a.startAddress().bigInt(), last: a.endAddress().bigInt(), text };
  }
  if (!/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(text) || !Address4.isValid(text)) return undefined;
  const a = new Address4(text.includes("/") ? text : `${text}/32`);
  return { family: 4, first: a.startAddress().bigInt(), last: a.endAddress().bigInt(), text };
}

export function overlaps(a: AddressRange, b: AddressRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

export function contains(outer: AddressRange, inner: AddressRange): boolean {
  return outer.family === inner.family && outer.first <= inner.first && inner.last <= outer.last;
}

/** Address space that is never the internet: private, shared, loopback, link-local, unique-local. */
const NON_INTERNET = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "fc00::/7",
  "fe80::/10",
  "::1/128",
].map((t) => parseRange(t) as AddressRange);

/** Whether a block includes internet addresses (any address outside the private ranges and `local`). */
export function reachesInternet(range: AddressRange, local: readonly AddressRange[] = []): boolean {
  const excluded = [...NON_INTERNET, ...local].filter((r) => r.family === range.family).sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : 0));
  // Walk the excluded ranges in order; any gap inside `range` is internet space.
  let cursor = range.first;
  for (const r of excluded) {
    if (r.last < cursor) continue;
    if (r.first > cursor) return true;
    cursor = r.last + 1n;
    if (cursor > range.last) return false;
  }
  return cursor <= range.last;
}

/** Whether a block covers all internet addresses of its family (0.0.0.0/0, ::/0 and the like). */
export function isDefaultRoute(range: AddressRange): boolean {
  return range.first === 0n && range.last === (range.family === 4 ? 0xffffffffn : (1n << 128n) - 1n);
}
