import { Address4 } from "ip-address";

/** A parsed IPv4 block; `first` and `last` are numeric so that overlap and containment are comparisons. */
export interface Cidr {
  readonly text: string;
  readonly prefix: number;
  readonly first: bigint;
  readonly last: bigint;
}

/** Returns undefined for anything that is not a canonical IPv4 CIDR (host bits set included). */
export function parseCidr(text: string): Cidr | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(text) || !Address4.isValid(text)) return undefined;
  const address = new Address4(text);
  const first = address.startAddress().bigInt();
  if (address.bigInt() !== first) return undefined;
  return { text, prefix: address.subnetMask, first, last: address.endAddress().bigInt() };
}

export function mustParseCidr(text: string): Cidr {
  const cidr = parseCidr(text);
  if (!cidr) throw new Error(`"${text}" is not an IPv4 CIDR block`);
  return cidr;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}

/** The n-th block of `prefix` length inside `parent` (0-based), as text. */
export function subnetAt(parent: Cidr, prefix: number, index: number): string {
  if (prefix < parent.prefix || prefix > 32) throw new Error(`/${prefix} does not fit in ${parent.text}`);
  const size = 1n << BigInt(32 - prefix);
  const first = parent.first + size * BigInt(index);
  if (first + size - 1n > parent.last) throw new Error(`block ${index} of /${prefix} is outside ${parent.text}`);
  return `${Address4.fromBigInt(first).correctForm()}/${prefix}`;
}
