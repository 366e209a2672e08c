import { describe, expect, it } from "vitest";
import { FlowSet } from "../../policy/network/flows";

/**
 * NET-02 computes the NACL filter once per pair of subnets and intersects each pair's flows with it, and
 * the flow algebra hands operands back for empty and identical sets: both are right only if equal sets
 * always have one representation (canonical), so that regrouping an intersection or skipping a no-op
 * prints the same flows. These check that on random sets, against the plain port-by-port meaning.
 */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const PROTOCOL_NAMES = ["tcp", "udp", "icmp", "-1", "6"] as const;

function randomSet(next: () => number): FlowSet {
  let set = FlowSet.empty();
  const parts = Math.floor(next() * 4);
  for (let i = 0; i < parts; i++) {
    const protocol = PROTOCOL_NAMES[Math.floor(next() * PROTOCOL_NAMES.length)] as string;
    const from = Math.floor(next() * 40) * 100;
    const part = FlowSet.of(protocol, from, from + Math.floor(next() * 3) * 100);
    set = next() < 0.7 ? set.union(part) : set.subtract(part);
  }
  return set;
}

/** The set's meaning, port by port, at the ports the random sets can tell apart. */
function meaning(set: FlowSet): string {
  const ports: string[] = [];
  for (const p of ["tcp", "udp"] as const) for (let port = 0; port <= 4300; port += 50) if (set.has(p, port)) ports.push(`${p}/${port}`);
  for (const p of ["icmp", "icmpv6", "other"] as const) if (set.has(p, 0)) ports.push(p);
  return ports.join(",");
}

describe("flow sets are canonical", () => {
  it("print alike when they mean the same: regrouped intersections, empty and identical operands", () => {
    const next = random(21);
    for (let i = 0; i < 400; i++) {
      const [a, b, c] = [randomSet(next), randomSet(next), randomSet(next)];
      const left = a.intersect(b).intersect(c);
      const right = a.intersect(b.intersect(c));
      expect(meaning(left)).toBe(meaning(right));
      expect(left.toString()).toBe(right.toString());
      expect(a.union(a).toString()).toBe(a.toString());
      expect(a.intersect(a).toString()).toBe(a.toString());
      expect(a.union(FlowSet.empty()).toString()).toBe(a.union(b).subtract(b).union(a.intersect(b)).toString());
      expect(a.subtract(FlowSet.empty()).toString()).toBe(a.intersect(FlowSet.all()).toString());
      expect(a.isEmpty()).toBe(meaning(a) === "");
    }
  });
});
