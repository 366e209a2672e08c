/**
 * Sets of (protocol, port) that a rule, a NACL or a path admits. ICMP has no ports here: it is either
 * admitted or not. Unknown protocol numbers are folded into "other".
 */
export const PROTOCOLS = ["tcp", "udp", "icmp", "icmpv6", "other"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

type Interval = readonly [number, number];

const FULL: Record<Protocol, Interval> = { tcp: [0, 65535], udp: [0, 65535], icmp: [0, 0], icmpv6: [0, 0], other: [0, 0] };

/**
 * Immutable, and always canonical: per protocol, sorted maximal runs of ports, and no protocol with an
 * empty list (every constructor and `combine` keep it so). Equal sets therefore print alike, results may
 * be shared, and an empty set is one with no protocol.
 */
export class FlowSet {
  private constructor(private readonly byProtocol: ReadonlyMap<Protocol, readonly Interval[]>) {}

  static empty(): FlowSet {
    return new FlowSet(new Map());
  }

  static all(): FlowSet {
    return new FlowSet(new Map(PROTOCOLS.map((p) => [p, [FULL[p]]])));
  }

  /**
   * From AWS rule fields: protocol "-1"/"all" means everything; a number or name picks one protocol;
   * ports default to the whole range (and are ignored for ICMP).
   */
  static of(protocol: string, fromPort: number | undefined, toPort: number | undefined): FlowSet {
    const p = normaliseProtocol(protocol);
    if (p === "all") return FlowSet.all();
    if (p !== "tcp" && p !== "udp") return new FlowSet(new Map([[p, [FULL[p]]]]));
    const all = fromPort === undefined || toPort === undefined || (fromPort <= 0 && toPort <= 0) || fromPort < 0 || toPort < 0;
    const from = all ? 0 : Math.max(0, Math.min(fromPort, toPort));
    const to = all ? 65535 : Math.min(65535, Math.max(fromPort, toPort));
    return new FlowSet(new Map([[p, [[from, to] as const]]]));
  }

  isEmpty(): boolean {
    return this.byProtocol.size === 0;
  }

  has(protocol: Protocol, port: number): boolean {
    return (this.byProtocol.get(protocol) ?? []).some(([a, b]) => a <= port && port <= b);
  }

  union(other: FlowSet): FlowSet {
    if (other.isEmpty() || other === this) return this;
    if (this.isEmpty()) return other;
    return this.combine(other, (a, b) => (a.length === 0 ? b : b.length === 0 ? a : normalise([...a, ...b])));
  }

  intersect(other: FlowSet): FlowSet {
    if (this.isEmpty() || other === this) return this;
    if (other.isEmpty()) return other;
    return this.combine(other, (a, b) => {
      if (a.length === 0 || b.length === 0) return [];
      const out: Interval[] = [];
      for (const [a1, a2] of a) for (const [b1, b2] of b) if (Math.max(a1, b1) <= Math.min(a2, b2)) out.push([Math.max(a1, b1), Math.min(a2, b2)]);
      return normalise(out);
    });
  }

  subtract(other: FlowSet): FlowSet {
    if (this.isEmpty() || other.isEmpty()) return this;
    return this.combine(other, (a, b) => {
      if (a.length === 0 || b.length === 0) return a;
      let current: Interval[] = [...a];
      for (const [b1, b2] of b) {
        const next: Interval[] = [];
        for (const [a1, a2] of current) {
          if (b2 < a1 || b1 > a2) next.push([a1, a2]);
          else {
            if (a1 < b1) next.push([a1, b1 - 1]);
            if (b2 < a2) next.push([b2 + 1, a2]);
          }
        }
        current = next;
      }
      return current;
    });
  }

  /** "tcp/443, tcp/8000-8080, icmp"; "all" for everything. */
  toString(): string {
    if (this.equals(FlowSet.all())) return "all";
    const parts: string[] = [];
    for (const p of PROTOCOLS) {
      for (const [a, b] of this.byProtocol.get(p) ?? []) {
        if (p !== "tcp" && p !== "udp") parts.push(p);
        else if (a === 0 && b === 65535) parts.push(`${p}/all`);
        else parts.push(a === b ? `${p}/${a}` : `${p}/${a}-${b}`);
      }
    }
    return parts.join(", ");
  }

  equals(other: FlowSet): boolean {
    return PROTOCOLS.every((p) => JSON.stringify(this.byProtocol.get(p) ?? []) === JSON.stringify(other.byProtocol.get(p) ?? []));
  }

  /** Interval lists are never changed once made, so an operation may hand one of its operands back. */
  private combine(other: FlowSet, op: (a: readonly Interval[], b: readonly Interval[]) => readonly Interval[]): FlowSet {
    const map = new Map<Protocol, readonly Interval[]>();
    for (const p of PROTOCOLS) {
      const a = this.byProtocol.get(p) ?? NONE;
      const b = other.byProtocol.get(p) ?? NONE;
      // Every operation of two empty lists is empty.
      if (a.length === 0 && b.length === 0) continue;
      const result = op(a, b);
      if (result.length > 0) map.set(p, result);
    }
    return new FlowSet(map);
  }
}

const NONE: readonly Interval[] = [];

/** Sorts and merges, in place: callers pass a list they have just made. */
function normalise(intervals: Interval[]): Interval[] {
  const sorted = intervals.sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function normaliseProtocol(protocol: string): Protocol | "all" {
  switch (protocol.toLowerCase()) {
    case "-1":
    case "all":
      return "all";
    case "6":
    case "tcp":
      return "tcp";
    case "17":
    case "udp":
      return "udp";
    case "1":
    case "icmp":
      return "icmp";
    case "58":
    case "icmpv6":
      return "icmpv6";
    default:
      return "other";
  }
}

/** Return traffic of a connection arrives on ephemeral ports; stateless NACLs must admit it. */
export const EPHEMERAL = FlowSet.of("tcp", 1024, 65535).union(FlowSet.of("udp", 1024, 65535));
