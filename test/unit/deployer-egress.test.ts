import { describe, expect, it } from "vitest";
import type { EgressConfig, EgressException } from "../../src/config/sections/egress";
import { DEPLOYER_EGRESS, deployerAllowlist } from "../../src/deployer/egress-allowlist";
import { hostProblem } from "../../src/dmz/egress-register";
import { planEgressProxy } from "../../src/dmz/proxy-plan";
import { allowlistFile, DEPLOYER_CLIENT, HOST_PATHS } from "../../src/dmz/squid/paths";
import { fileFromUserData } from "../../src/dmz/squid/user-data";

/**
 * The in-VPC deployer's egress (D6): a standing client of the proxy from the DMZ subnets, held to its
 * own fixed allowlist; the app and data zones stay closed without a live exception.
 */
const EGRESS: EgressConfig = { maxLifetimeDays: 30, proxy: { amiId: "ami-0c4e1d2b3a5f60718", instanceType: "t3.small", maxSize: 2, rootVolumeGiB: 20 }, exceptions: [] };
const ZONE_CIDRS = { app: ["10.20.0.0/20"], data: ["10.20.136.0/24"] };
const DMZ = ["10.20.128.0/24", "10.20.129.0/24"];
const plan = (live: EgressException[], hosts: readonly string[] | null = deployerAllowlist()) =>
  planEgressProxy({
    stack: "dev",
    region: "eu-central-1",
    egress: EGRESS,
    liveExceptions: live,
    vpcCidr: "10.20.0.0/16",
    zoneCidrs: ZONE_CIDRS,
    ...(hosts === null ? {} : { deployer: { cidrs: DMZ, hosts } }),
  });
const pypi: EgressException = {
  host: ".pypi.org",
  zones: ["app"],
  services: [],
  reason: "One-off dependency download while tuning",
  ticket: "OPS-1",
  owner: "ops@fitness.example.com",
  granted: "2030-01-01",
  expires: "2030-01-20",
};

describe("the deployer's allowlist", () => {
  it("holds GitHub's essential runner hosts and is DNS names only, none a public suffix or wildcard", () => {
    const hosts = deployerAllowlist();
    for (const h of ["github.com", "api.github.com", ".actions.githubusercontent.com", "codeload.github.com"]) expect(hosts).toContain(h);
    for (const h of hosts) expect(hostProblem(h), h).toBeUndefined();
    expect(hosts).toEqual([...new Set(hosts)].sort());
    expect(DEPLOYER_EGRESS.every((h) => h.why.length > 10)).toBe(true);
    // Every Azure storage account: refused, as the module says.
    expect(hostProblem(".blob.core.windows.net")).toBeDefined();
  });

  it("a plan refuses a deployer entry that is a wildcard, a public suffix or an address", () => {
    for (const bad of ["*.github.com", ".blob.core.windows.net", "140.82.121.4", ".com"]) {
      expect(() => plan([], [...deployerAllowlist(), bad]), bad).toThrow(/deployer allowlist entry/);
    }
  });
});

describe("squid.conf and capacity with the deployer", () => {
  it("admits the DMZ subnets to the deployer's list only, before `deny all`, and keeps one host up without any exception", () => {
    const p = plan([]);
    expect(p.capacity).toEqual({ minSize: 1, maxSize: 2, desiredCapacity: 1 });
    expect(p.zones).toEqual([]);
    const lines = p.squidConf.split("\n");
    expect(lines).toContain(`acl from_deployer src ${DMZ.join(" ")}`);
    expect(lines).toContain(`acl allow_deployer dstdomain -n "${allowlistFile(HOST_PATHS, DEPLOYER_CLIENT)}"`);
    const allow = lines.indexOf("http_access allow from_deployer allow_deployer !inward_dst");
    expect(allow).toBeGreaterThan(lines.indexOf("http_access deny ip_literal"));
    expect(allow).toBeLessThan(lines.indexOf("http_access deny all"));
    // No zone is admitted without a live exception.
    expect(lines.filter((l) => /^http_access allow /.test(l))).toEqual(["http_access allow from_deployer allow_deployer !inward_dst"]);
    // The host is given the list verbatim, next to squid.conf.
    const userData = p.userData({ bucket: "logs", kmsKeyArn: "arn:aws:kms:eu-central-1:111111111111:key/x" });
    expect(fileFromUserData(userData, allowlistFile(HOST_PATHS, DEPLOYER_CLIENT))).toBe(`${deployerAllowlist().join("\n")}\n`);
  });

  it("with a live exception the zone is admitted to its own list and the proxy scales to maxSize; without a deployer nothing of it is rendered", () => {
    const p = plan([pypi]);
    expect(p.capacity).toEqual({ minSize: 1, maxSize: 2, desiredCapacity: 2 });
    expect(p.squidConf).toContain("http_access allow from_app allow_app !inward_dst");
    const none = plan([], null);
    expect(none.capacity.desiredCapacity).toBe(0);
    expect(none.squidConf).not.toContain("deployer");
    expect(none.deployerAllowlist).toBeUndefined();
  });
});
