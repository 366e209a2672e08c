import { describe, expect, it } from "vitest";
import { net11AdminPorts } from "../../policy/network/net-11-admin-ports";
import { audit, findings } from "./support/audit";
import { compliantStack } from "./support/fixture-stack";

/**
 * NET-11: administration and data-store ports open to the internet on any security group, in the
 * shapes CIS 5.2/5.3, Security Hub EC2.19 and Checkov CKV_AWS_24/25/277 test (IPv4 and IPv6, all
 * traffic, port ranges, every rule resource type).
 */
async function keysFor(mutate: (s: ReturnType<typeof compliantStack>) => void): Promise<string[]> {
  const s = compliantStack();
  mutate(s);
  return findings(await audit(s.fx, [net11AdminPorts]), "NET-11").map((v) => v.finding);
}

function inline(rule: Record<string, unknown>) {
  return (s: ReturnType<typeof compliantStack>) =>
    s.fx.update(s.groups.alb, (i) => {
      i["ingress"] = [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }, rule];
    });
}

describe("NET-11 administration ports from the internet", () => {
  it.each([
    ["RDP on the edge group", { protocol: "tcp", fromPort: 3389, toPort: 3389, cidrBlocks: ["0.0.0.0/0"] }, "ingress tcp/3389 from 0.0.0.0/0"],
    ["PostgreSQL over IPv6", { protocol: "tcp", fromPort: 5432, toPort: 5432, ipv6CidrBlocks: ["::/0"] }, "ingress tcp/5432 from ::/0"],
    ["all traffic", { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }, "ingress all from 0.0.0.0/0"],
    ["a range containing MySQL", { protocol: "tcp", fromPort: 3000, toPort: 4000, cidrBlocks: ["0.0.0.0/0"] }, "ingress tcp/3000-4000 from 0.0.0.0/0"],
    ["Redis from a public block", { protocol: "tcp", fromPort: 6379, toPort: 6379, cidrBlocks: ["203.0.113.0/24"] }, "ingress tcp/6379 from 203.0.113.0/24"],
    ["Elasticsearch", { protocol: "6", fromPort: 9200, toPort: 9200, cidrBlocks: ["0.0.0.0/0"] }, "ingress tcp/9200 from 0.0.0.0/0"],
    ["SSH from half the internet", { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/1"] }, "ingress tcp/22 from 0.0.0.0/1"],
  ])("fails %s", async (_name, rule, key) => {
    expect(await keysFor(inline(rule))).toEqual([key]);
  });

  it("fails standalone rule resources of both kinds", async () => {
    const keys = await keysFor((s) => {
      s.fx.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "app-rdp", { securityGroupId: s.groups.app.id, ipProtocol: "tcp", fromPort: 3389, toPort: 3389, cidrIpv4: "0.0.0.0/0" }, { deps: { securityGroupId: [s.groups.app] } });
      s.fx.add("aws:ec2/securityGroupRule:SecurityGroupRule", "data-mongo", { type: "ingress", securityGroupId: s.groups.data.id, protocol: "tcp", fromPort: 27017, toPort: 27017, ipv6CidrBlocks: ["::/0"] }, { deps: { securityGroupId: [s.groups.data] } });
    });
    expect(keys.sort()).toEqual(["ingress tcp/27017 from ::/0", "ingress tcp/3389 from 0.0.0.0/0"]);
  });

  it.each([
    ["HTTPS and HTTP on the edge", { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] }],
    ["PostgreSQL from the VPC", { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.0.0/16"] }],
    ["all traffic from a unique-local IPv6 block", { protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["fd00::/8"] }],
    ["ephemeral ports above the listed ones", { protocol: "tcp", fromPort: 32768, toPort: 60999, cidrBlocks: ["0.0.0.0/0"] }],
  ])("passes %s", async (_name, rule) => {
    expect(await keysFor(inline(rule))).toEqual([]);
  });

  it("judges ingress only", async () => {
    expect(
      await keysFor((s) =>
        s.fx.update(s.groups.app, (i) => {
          i["egress"] = [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }];
        }),
      ),
    ).toEqual([]);
  });
});
