import { describe, expect, it } from "vitest";
import { cidrContains, mustParseCidr } from "../../src/config/cidr";
import { ANYWHERE, type NaclRule, designFlows, planNetworkAcls } from "../../src/network/nacl-plan";
import { planSubnets, subnetsOf } from "../../src/network/subnet-plan";

const GATEWAY_PORT = 8080;
const plan = planSubnets({ vpcCidr: "10.30.0.0/16", availabilityZones: ["eu-central-1a", "eu-central-1b", "eu-central-1c"] });
const nacls = planNetworkAcls(plan, { ingressGatewayPort: GATEWAY_PORT });

/** A host address inside a subnet (the tenth address, clear of AWS's reserved ones). */
function hostIn(cidr: string): string {
  const block = mustParseCidr(cidr);
  const n = Number(block.first) + 10;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

const host = {
  dmz: hostIn(subnetsOf(plan, "dmz")[0]?.cidr ?? ""),
  dmzOtherAz: hostIn(subnetsOf(plan, "dmz")[2]?.cidr ?? ""),
  app: hostIn(subnetsOf(plan, "app")[1]?.cidr ?? ""),
  appOtherAz: hostIn(subnetsOf(plan, "app")[2]?.cidr ?? ""),
  data: hostIn(subnetsOf(plan, "data")[2]?.cidr ?? ""),
  internet: "198.51.100.23",
  s3: "52.219.170.9",
};

/** How AWS evaluates a NACL: rules in number order, first match decides, no match denies. */
function admits(zone: string, direction: "in" | "out", peer: string, port: number, protocol: "6" | "17" = "6"): boolean {
  const rules = (nacls.rules[zone] ?? []).filter((r) => r.egress === (direction === "out")).sort((a, b) => a.ruleNumber - b.ruleNumber);
  const address = mustParseCidr(`${peer}/32`);
  for (const rule of rules) {
    if (!cidrContains(mustParseCidr(rule.cidrBlock), address)) continue;
    if (rule.protocol !== "-1" && rule.protocol !== protocol) continue;
    if (rule.protocol !== "-1" && (port < rule.fromPort || port > rule.toPort)) continue;
    return rule.action === "allow";
  }
  return false;
}

/** A TCP connection from `a` (in zone `za`, or outside when za is undefined) to `b`:`port`, both ways. */
function connects(za: string | undefined, a: string, zb: string | undefined, b: string, port: number, sourcePort = 40_000): boolean {
  const forwardOut = za === undefined || admits(za, "out", b, port);
  const forwardIn = zb === undefined || admits(zb, "in", a, port);
  const backOut = zb === undefined || admits(zb, "out", a, sourcePort);
  const backIn = za === undefined || admits(za, "in", b, sourcePort);
  return forwardOut && forwardIn && backOut && backIn;
}

describe("NACL plan: the flows the design needs pass in both directions", () => {
  it.each([
    ["internet → ALB 443", undefined, host.internet, "dmz", host.dmz, 443, 51_000],
    ["internet → ALB 80", undefined, host.internet, "dmz", host.dmz, 80, 2_000],
    ["proxy → internet 443", "dmz", host.dmz, undefined, host.internet, 443, 45_000],
    ["ALB → gateway pods", "dmz", host.dmz, "app", host.app, GATEWAY_PORT, 1_500],
    ["app → proxy NLB 3128", "app", host.app, "dmz", host.dmz, 3128, 33_000],
    ["data → proxy NLB 3128", "data", host.data, "dmz", host.dmz, 3128, 60_999],
    ["proxy NLB → proxy in another AZ", "dmz", host.dmz, "dmz", host.dmzOtherAz, 3128, 1_024],
    ["proxy host → interface endpoint", "dmz", host.dmz, "app", host.app, 443, 40_000],
    ["pod → pod in another AZ (any port)", "app", host.app, "app", host.appOtherAz, 9_999, 40_000],
    ["data host → interface endpoint", "data", host.data, "app", host.appOtherAz, 443, 40_000],
    ["service → PostgreSQL", "app", host.app, "data", host.data, 5432, 50_000],
    ["pod → S3 (gateway endpoint)", "app", host.app, undefined, host.s3, 443, 40_000],
    ["database host → S3 (pgBackRest)", "data", host.data, undefined, host.s3, 443, 40_000],
  ])("%s", (_label, za, a, zb, b, port, sourcePort) => {
    expect(connects(za, a, zb, b, port, sourcePort)).toBe(true);
  });

  it("UDP between app subnets passes (CoreDNS across AZs)", () => {
    expect(admits("app", "out", host.appOtherAz, 53, "17") && admits("app", "in", host.appOtherAz, 53, "17")).toBe(true);
  });
});

describe("NACL plan: what the design does not need is refused", () => {
  it.each([
    ["internet → app gateway port", undefined, host.internet, "app", host.app, GATEWAY_PORT],
    ["internet → data PostgreSQL", undefined, host.internet, "data", host.data, 5432],
    ["internet → app HTTPS", undefined, host.internet, "app", host.app, 443],
    ["dmz → data PostgreSQL", "dmz", host.dmz, "data", host.data, 5432],
    ["dmz → app SSH", "dmz", host.dmz, "app", host.app, 22],
    ["dmz → app PostgreSQL", "dmz", host.dmz, "app", host.app, 5432],
    ["data → app gateway port", "data", host.data, "app", host.app, GATEWAY_PORT],
    ["data → dmz SSH", "data", host.data, "dmz", host.dmz, 22],
    ["app → dmz SSH", "app", host.app, "dmz", host.dmz, 22],
    ["app → internet HTTP", "app", host.app, undefined, host.internet, 80],
    ["data → internet HTTP", "data", host.data, undefined, host.internet, 80],
    ["proxy → internet HTTP", "dmz", host.dmz, undefined, host.internet, 80],
    ["data → data (only replication, Patroni and etcd ports)", "data", host.data, "data", hostIn(subnetsOf(plan, "data")[0]?.cidr ?? ""), 22],
  ])("%s", (_label, za, a, zb, b, port) => {
    expect(connects(za, a, zb, b, port)).toBe(false);
  });

  it("no zone admits SSH or RDP from anywhere outside the VPC", () => {
    for (const zone of ["dmz", "app", "data"]) {
      for (const port of [22, 3389]) expect(admits(zone, "in", host.internet, port), `${zone} ${port}`).toBe(false);
    }
  });

  it("no rule allows every protocol to or from 0.0.0.0/0, and 'all protocols' stays within the app zone", () => {
    for (const rules of Object.values(nacls.rules)) {
      for (const rule of rules) {
        if (rule.protocol === "-1") {
          expect(rule.zone).toBe("app");
          expect(rule.cidrBlock).toBe(plan.zoneCidrs["app"]);
        }
        if (rule.cidrBlock === ANYWHERE && !rule.egress) expect(rule.fromPort === 443 || rule.fromPort === 80 || rule.fromPort >= 32768, JSON.stringify(rule)).toBe(true);
      }
    }
  });
});

describe("NACL plan: structure", () => {
  it("rule numbers are unique per direction and fit the AWS limits (20 per direction)", () => {
    for (const [zone, rules] of Object.entries(nacls.rules)) {
      for (const egress of [true, false]) {
        const numbers = rules.filter((r) => r.egress === egress).map((r) => r.ruleNumber);
        expect(new Set(numbers).size, zone).toBe(numbers.length);
        expect(numbers.length, zone).toBeLessThanOrEqual(20);
        for (const n of numbers) expect(n >= 1 && n <= 32766).toBe(true);
      }
    }
  });

  it("a rule needed by two flows appears once, naming both", () => {
    const dmzOut = (nacls.rules["dmz"] ?? []).filter((r) => r.egress && r.cidrBlock === ANYWHERE && r.fromPort === 1024);
    expect(dmzOut).toHaveLength(1);
    expect(dmzOut[0]?.flows).toEqual(["edge-https", "edge-http"]);
  });

  it("adding an AZ changes no rule (peers are whole zone regions)", () => {
    const two = planNetworkAcls(planSubnets({ vpcCidr: "10.30.0.0/16", availabilityZones: ["eu-central-1a", "eu-central-1b"] }), { ingressGatewayPort: GATEWAY_PORT });
    expect(two.rules).toEqual(nacls.rules);
  });

  it("rule numbers come from the flow ids, so adding a flow renumbers nothing", () => {
    const extra = [...designFlows({ ingressGatewayPort: GATEWAY_PORT }), { id: 1700, name: "extra", from: { zone: "data" }, to: { zone: "data" }, protocol: "tcp" as const, ports: { from: 5433, to: 5433 }, initiator: "host" as const, why: "test" }];
    const grown = planNetworkAcls(plan, { ingressGatewayPort: GATEWAY_PORT }, extra);
    const key = (r: NaclRule) => `${r.zone} ${r.egress} ${r.ruleNumber} ${r.protocol} ${r.fromPort}-${r.toPort} ${r.cidrBlock}`;
    const before = new Set(Object.values(nacls.rules).flat().map(key));
    for (const k of before) expect(new Set(Object.values(grown.rules).flat().map(key)).has(k), k).toBe(true);
  });

  it.each([
    [{ id: 150, name: "odd" }, /id 150; allowed: a unique multiple of 100/],
    [{ id: 100, name: "dup" }, /id 100; allowed: a unique multiple of 100/],
    [{ id: 1700, name: "all-across", protocol: "all" as const, to: { zone: "data" } }, /protocol "all" is allowed only within one zone/],
    [{ id: 1700, name: "lb-out", to: "internet" as const, initiator: "load-balancer" as const }, /only hosts open connections to the internet or S3/],
    [{ id: 1700, name: "nowhere", to: { zone: "mgmt" } }, /zone "mgmt" is not in the subnet plan/],
  ])("rejects a bad flow %j", (override, message) => {
    const base = { id: 1700, name: "x", from: { zone: "app" }, to: { zone: "app" }, protocol: "tcp" as const, ports: { from: 1, to: 1 }, initiator: "host" as const, why: "test" };
    const flows = [...designFlows({ ingressGatewayPort: GATEWAY_PORT }), { ...base, ...override }];
    expect(() => planNetworkAcls(plan, { ingressGatewayPort: GATEWAY_PORT }, flows)).toThrow(message);
  });
});
