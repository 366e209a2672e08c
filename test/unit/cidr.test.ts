import { describe, expect, it } from "vitest";
import { cidrContains, cidrsOverlap, mustParseCidr, parseCidr, subnetAt } from "../../src/config/cidr";

describe("CIDR math", () => {
  it("rejects malformed blocks and blocks with host bits", () => {
    for (const bad of ["10.0.0.0", "10.0.0.0/33", "256.0.0.0/8", "10.0.0.1/24", "10.0.0.0/-1", " 10.0.0.0/16", "::/0"]) {
      expect(parseCidr(bad), bad).toBeUndefined();
    }
    expect(parseCidr("0.0.0.0/0")?.prefix).toBe(0);
  });

  it("detects overlap and containment at the edges", () => {
    const vpc = mustParseCidr("10.20.0.0/16");
    expect(cidrsOverlap(vpc, mustParseCidr("10.20.255.0/24"))).toBe(true);
    expect(cidrsOverlap(vpc, mustParseCidr("10.21.0.0/24"))).toBe(false);
    expect(cidrsOverlap(vpc, mustParseCidr("10.19.255.255/32"))).toBe(false);
    expect(cidrContains(vpc, mustParseCidr("10.20.64.0/18"))).toBe(true);
    expect(cidrContains(mustParseCidr("10.20.64.0/18"), vpc)).toBe(false);
  });

  it("numbers subnet slots inside a parent and refuses slots outside it", () => {
    const vpc = mustParseCidr("10.20.0.0/16");
    expect(subnetAt(vpc, 19, 0)).toBe("10.20.0.0/19");
    expect(subnetAt(vpc, 19, 7)).toBe("10.20.224.0/19");
    expect(subnetAt(vpc, 24, 255)).toBe("10.20.255.0/24");
    expect(() => subnetAt(vpc, 19, 8)).toThrow(/outside 10.20.0.0\/16/);
    expect(() => subnetAt(vpc, 15, 0)).toThrow(/does not fit/);
  });
});
