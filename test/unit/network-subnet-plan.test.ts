import { describe, expect, it } from "vitest";
import { cidrContains, cidrsOverlap, mustParseCidr } from "../../src/config/cidr";
import { AZ_SLOTS, ZONE_LAYOUT, type ZoneLayout, azSlot, checkLayout, planSubnets, subnetsOf } from "../../src/network/subnet-plan";

const LETTERS = "abcdefgh".split("");
const azs = (letters: string) => letters.split("").map((l) => `eu-central-1${l}`);
const byKey = (plan: ReturnType<typeof planSubnets>) => new Map(plan.subnets.map((s) => [s.key, s.cidr]));
const size = (cidr: string) => 2 ** (32 - mustParseCidr(cidr).prefix);

/** Every subset of the AZ letters with 2..6 members (the range the config allows). */
function letterSubsets(): string[] {
  const out: string[] = [];
  for (let mask = 0; mask < 1 << AZ_SLOTS; mask++) {
    const letters = LETTERS.filter((_, i) => mask & (1 << i)).join("");
    if (letters.length >= 2 && letters.length <= 6) out.push(letters);
  }
  return out;
}

/** Deterministic VPC blocks of each allowed size (/16../18) across the private ranges. */
function vpcBlocks(): string[] {
  let seed = 0x2f6b_1d3a;
  const next = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0);
  const blocks = ["10.20.0.0/16", "10.30.0.0/16", "172.16.0.0/16", "192.168.0.0/16", "10.0.64.0/18"];
  for (let i = 0; i < 12; i++) {
    const prefix = 16 + (i % 3);
    const second = next() % 256;
    const third = (next() % 256) & ~((1 << (24 - prefix)) - 1) & 0xff;
    blocks.push(`10.${second}.${third}.0/${prefix}`);
  }
  return blocks;
}

describe("planSubnets: the committed stacks", () => {
  it("dev (10.20.0.0/16, AZs a and b) gets large app subnets and small dmz and data subnets", () => {
    const plan = planSubnets({ vpcCidr: "10.20.0.0/16", availabilityZones: azs("ab") });
    expect(plan.subnets.map((s) => `${s.key} ${s.cidr}`)).toEqual([
      "app-a 10.20.0.0/20",
      "app-b 10.20.16.0/20",
      "dmz-a 10.20.128.0/24",
      "dmz-b 10.20.129.0/24",
      "data-a 10.20.136.0/24",
      "data-b 10.20.137.0/24",
    ]);
    expect(plan.zoneCidrs).toEqual({ app: "10.20.0.0/17", dmz: "10.20.128.0/21", data: "10.20.136.0/21" });
  });

  it("prod (10.30.0.0/16, AZs a, b and c)", () => {
    const plan = planSubnets({ vpcCidr: "10.30.0.0/16", availabilityZones: azs("abc") });
    expect(subnetsOf(plan, "app").map((s) => s.cidr)).toEqual(["10.30.0.0/20", "10.30.16.0/20", "10.30.32.0/20"]);
    expect(subnetsOf(plan, "dmz").map((s) => s.cidr)).toEqual(["10.30.128.0/24", "10.30.129.0/24", "10.30.130.0/24"]);
    expect(subnetsOf(plan, "data").map((s) => s.cidr)).toEqual(["10.30.136.0/24", "10.30.137.0/24", "10.30.138.0/24"]);
  });
});

describe("planSubnets: stability", () => {
  it("growing from 2 to 3 AZs keeps every existing subnet where it was", () => {
    const two = byKey(planSubnets({ vpcCidr: "10.20.0.0/16", availabilityZones: azs("ab") }));
    const three = byKey(planSubnets({ vpcCidr: "10.20.0.0/16", availabilityZones: azs("abc") }));
    expect(two.size).toBe(6);
    for (const [key, cidr] of two) expect(three.get(key), key).toBe(cidr);
    expect([...three.keys()].filter((k) => !two.has(k)).sort()).toEqual(["app-c", "data-c", "dmz-c"]);
  });

  it("any set of AZs gets exactly the subnets the full set of letters gives those AZs (every VPC size, every subset)", () => {
    let checked = 0;
    for (const vpcCidr of vpcBlocks()) {
      const reference = byKey(planSubnets({ vpcCidr, availabilityZones: azs("abcdefgh") }));
      for (const letters of letterSubsets()) {
        const plan = planSubnets({ vpcCidr, availabilityZones: azs(letters) });
        expect(plan.subnets).toHaveLength(3 * letters.length);
        for (const s of plan.subnets) {
          expect(s.cidr, `${vpcCidr} ${letters} ${s.key}`).toBe(reference.get(s.key));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it("adding AZs one at a time in any order never moves a subnet (a walk through all letters)", () => {
    for (const vpcCidr of vpcBlocks()) {
      const orders = ["abcdef", "fedcba", "hgfedc", "adgbeh", "cafheb"];
      for (const order of orders) {
        let previous = new Map<string, string>();
        for (let n = 2; n <= 6; n++) {
          const current = byKey(planSubnets({ vpcCidr, availabilityZones: azs(order.slice(0, n)) }));
          for (const [key, cidr] of previous) expect(current.get(key), `${vpcCidr} ${order} n=${n} ${key}`).toBe(cidr);
          previous = current;
        }
      }
    }
  });

  it("removing or reordering AZs moves nothing either", () => {
    const base = byKey(planSubnets({ vpcCidr: "10.30.0.0/16", availabilityZones: azs("abc") }));
    const reordered = byKey(planSubnets({ vpcCidr: "10.30.0.0/16", availabilityZones: azs("cab") }));
    const withoutB = byKey(planSubnets({ vpcCidr: "10.30.0.0/16", availabilityZones: azs("ac") }));
    expect(reordered).toEqual(base);
    for (const [key, cidr] of withoutB) expect(base.get(key)).toBe(cidr);
  });

  it("adding a zone to the layout moves no existing subnet", () => {
    const extended: ZoneLayout[] = [...ZONE_LAYOUT, { zone: "mgmt", newBits: 8, firstBlock: 18 * AZ_SLOTS }, { zone: "batch", newBits: 5, firstBlock: 3 * AZ_SLOTS }];
    for (const vpcCidr of vpcBlocks()) {
      for (const letters of ["ab", "abc", "bdf", "abcdef"]) {
        const before = byKey(planSubnets({ vpcCidr, availabilityZones: azs(letters) }));
        const after = planSubnets({ vpcCidr, availabilityZones: azs(letters), layout: extended });
        const afterByKey = byKey(after);
        for (const [key, cidr] of before) expect(afterByKey.get(key), `${vpcCidr} ${key}`).toBe(cidr);
        expect(subnetsOf(after, "mgmt")).toHaveLength(letters.length);
        expect(subnetsOf(after, "batch")).toHaveLength(letters.length);
      }
    }
  });
});

describe("planSubnets: shape of every plan", () => {
  it("subnets never overlap, stay inside the VPC and their zone's region, and app subnets are the large ones", () => {
    for (const vpcCidr of vpcBlocks()) {
      const vpc = mustParseCidr(vpcCidr);
      for (const letters of ["ab", "abc", "abcdef", "cdefgh", "aceg"]) {
        const plan = planSubnets({ vpcCidr, availabilityZones: azs(letters) });
        const blocks = plan.subnets.map((s) => mustParseCidr(s.cidr));
        blocks.forEach((b, i) => {
          expect(cidrContains(vpc, b)).toBe(true);
          const subnet = plan.subnets[i];
          expect(cidrContains(mustParseCidr(plan.zoneCidrs[subnet?.zone ?? ""] ?? ""), b)).toBe(true);
          blocks.slice(i + 1).forEach((other) => expect(cidrsOverlap(b, other), `${vpcCidr} ${b.text} ${other.text}`).toBe(false));
        });
        const regions = Object.values(plan.zoneCidrs).map(mustParseCidr);
        regions.forEach((r, i) => regions.slice(i + 1).forEach((o) => expect(cidrsOverlap(r, o)).toBe(false)));
        for (const app of subnetsOf(plan, "app")) {
          // Pods take VPC addresses: an app subnet holds at least 1024, 16 times a dmz or data subnet.
          expect(size(app.cidr)).toBeGreaterThanOrEqual(1024);
          for (const small of [...subnetsOf(plan, "dmz"), ...subnetsOf(plan, "data")]) expect(size(app.cidr)).toBe(16 * size(small.cidr));
        }
        // dmz holds the ALB, which needs a /27 or larger.
        for (const s of subnetsOf(plan, "dmz")) expect(mustParseCidr(s.cidr).prefix).toBeLessThanOrEqual(27);
      }
    }
  });

  it("is deterministic", () => {
    const input = { vpcCidr: "10.30.0.0/16", availabilityZones: azs("abc") };
    expect(JSON.stringify(planSubnets(input))).toBe(JSON.stringify(planSubnets(input)));
  });
});

describe("planSubnets: bad input, one line each", () => {
  it.each([
    [{ vpcCidr: "10.20.0.0/16", availabilityZones: ["eu-central-1i", "eu-central-1a"] }, /availability zone "eu-central-1i": allowed: a name ending in a letter a to h/],
    [{ vpcCidr: "10.20.0.0/16", availabilityZones: ["eu-central-1a", "eu-central-1a"] }, /share the letter "a"; allowed: each AZ letter once/],
    [{ vpcCidr: "10.20.0.1/16", availabilityZones: azs("ab") }, /VPC block "10.20.0.1\/16": allowed: an IPv4 CIDR block/],
    [{ vpcCidr: "10.20.0.0/26", availabilityZones: azs("ab") }, /would get \/30 subnets in 10.20.0.0\/26; allowed: \/28 or larger/],
    [{ vpcCidr: "10.20.0.0/16", availabilityZones: azs("ab"), layout: [...ZONE_LAYOUT, { zone: "x", newBits: 8, firstBlock: 17 * AZ_SLOTS }] }, /zone "x" region 10.20.136.0\/21 overlaps zone "data"/],
    [{ vpcCidr: "10.20.0.0/16", availabilityZones: azs("ab"), layout: [...ZONE_LAYOUT, { zone: "x", newBits: 8, firstBlock: 3 }] }, /firstBlock 3; allowed: a multiple of 8/],
    [{ vpcCidr: "10.20.0.0/16", availabilityZones: azs("ab"), layout: [...ZONE_LAYOUT, { zone: "x", newBits: 4, firstBlock: 16 }] }, /lies outside 10.20.0.0\/16/],
    [{ vpcCidr: "10.20.0.0/16", availabilityZones: azs("ab"), layout: [...ZONE_LAYOUT, { zone: "app", newBits: 8, firstBlock: 200 }] }, /zone "app" appears twice/],
  ])("%j", (input, message) => {
    let error: unknown;
    try {
      planSubnets(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain("\n");
  });

  it("azSlot maps the AZ letter, not the position", () => {
    expect(azSlot("eu-central-1a")).toBe(0);
    expect(azSlot("us-east-1f")).toBe(5);
    expect(azSlot("us-gov-west-1h")).toBe(7);
    expect(() => azSlot("eu-central-1")).toThrow(/allowed: a name ending in a letter a to h/);
  });

  it("the design's layout is valid for every VPC size the config allows", () => {
    for (const prefix of [16, 17, 18]) expect(() => checkLayout(`10.0.0.0/${prefix}`, ZONE_LAYOUT)).not.toThrow();
  });
});
