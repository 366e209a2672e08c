/**
 * NET-03, NET-05 ... NET-10 against the real dev and prod stacks (synthesized under mocks), and
 * against crafted violations made by editing those snapshots.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { PlatformStackPolicy } from "../../policy/framework/metadata";
import { net03PublicOnlyInDmz } from "../../policy/network/net-03-public-only-in-dmz";
import { net05ZoneEgress } from "../../policy/network/net-05-zone-egress";
import { net06DefaultSecurityGroup } from "../../policy/network/net-06-default-security-group";
import { net07NaclHygiene } from "../../policy/network/net-07-nacl-hygiene";
import { net08FlowLogs } from "../../policy/network/net-08-flow-logs";
import { net09Endpoints } from "../../policy/network/net-09-endpoints";
import { net10NoAdHocRouting } from "../../policy/network/net-10-no-ad-hoc-routing";
import { networkPolicies } from "../../policy/network/policies";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { ROOT } from "../support/stack-config";
import { edit, find } from "../support/snapshot-edit";
import { evaluate } from "../support/stack-policy";
import { craft, designTags, without } from "./network-harness";

const T = {
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  routeTable: "aws:ec2/routeTable:RouteTable",
  route: "aws:ec2/route:Route",
  igw: "aws:ec2/internetGateway:InternetGateway",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  acl: "aws:ec2/networkAcl:NetworkAcl",
  defaultAcl: "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
  aclRule: "aws:ec2/networkAclRule:NetworkAclRule",
  flowLog: "aws:ec2/flowLog:FlowLog",
  endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  bucket: "aws:s3/bucket:Bucket",
  instance: "aws:ec2/instance:Instance",
  eni: "aws:ec2/networkInterface:NetworkInterface",
};

const POLICIES: PlatformStackPolicy[] = [net03PublicOnlyInDmz, net05ZoneEgress, net06DefaultSecurityGroup, net07NaclHygiene, net08FlowLogs, net09Endpoints, net10NoAdHocRouting];

const snapshots = {} as Record<"dev" | "prod", StackExport>;

beforeAll(async () => {
  for (const stack of ["dev", "prod"] as const) snapshots[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
});

const copy = (stack: "dev" | "prod" = "dev"): ResourceState[] => structuredClone(snapshots[stack].deployment.resources);
const subnet = (rs: ResourceState[], key: string) => find(rs, T.subnet, `network-subnet-${key}`);

describe("registration and metadata", () => {
  it("every rule is registered in the network area with its id, severity, decision and controls", () => {
    const ids = networkPolicies.map((p) => p.meta.id);
    for (const p of POLICIES) {
      expect(ids).toContain(p.meta.id);
      expect(p.meta.decisions).toContain("D6");
      expect(Object.values(p.meta.controls).flat().length).toBeGreaterThan(0);
      expect(p.policy.name).toBe(p.meta.id);
    }
  });
});

describe.each(["dev", "prod"] as const)("the real %s stack", (stack) => {
  it.each(POLICIES.map((p) => [p.meta.id, p] as const))("passes %s", (_id, policy) => {
    expect(evaluate(policy, copy(stack))).toEqual([]);
  });
});

describe("NET-03 only the DMZ is public", () => {
  it("catches an app subnet that assigns public IPs on launch", () => {
    const rs = copy();
    edit(subnet(rs, "app-a"), (p) => (p["mapPublicIpOnLaunch"] = true));
    expect(evaluate(net03PublicOnlyInDmz, rs)).toEqual(['subnet "network-subnet-app-a" (app) assigns public IPv4 addresses on launch (mapPublicIpOnLaunch); only dmz subnets may.']);
  });

  it("catches an internet gateway route on the data route table, once per data subnet", () => {
    const rs = copy();
    const table = find(rs, T.routeTable, "network-rt-data");
    const igw = find(rs, T.igw, "network-igw");
    rs.push(craft(T.route, "sneaky", { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, { routeTableId: table, gatewayId: igw }));
    expect(evaluate(net03PublicOnlyInDmz, rs)).toEqual([
      'subnet "network-subnet-data-a" (data) routes 0.0.0.0/0 to an internet gateway through route table "network-rt-data"; only dmz subnets may.',
      'subnet "network-subnet-data-b" (data) routes 0.0.0.0/0 to an internet gateway through route table "network-rt-data"; only dmz subnets may.',
    ]);
  });

  it("catches an internet-facing load balancer in app subnets, but not an internal one", () => {
    const rs = copy();
    const apps = [subnet(rs, "app-a"), subnet(rs, "app-b")];
    rs.push(craft("aws:lb/loadBalancer:LoadBalancer", "public-in-app", { internal: false, loadBalancerType: "application", subnets: apps.map((s) => s.id) }, { subnets: apps }));
    rs.push(craft("aws:lb/loadBalancer:LoadBalancer", "internal-in-app", { internal: true, loadBalancerType: "network", subnets: apps.map((s) => s.id) }, { subnets: apps }));
    expect(evaluate(net03PublicOnlyInDmz, rs)).toEqual([
      'internet-facing load balancer "public-in-app" is placed in subnet "network-subnet-app-a" (app), "network-subnet-app-b" (app); only dmz subnets may hold one.',
    ]);
  });

  it("catches an elastic IP on a database-zone host", () => {
    const rs = copy();
    const data = subnet(rs, "data-b");
    const host = craft(T.instance, "db-host", { subnetId: data.id, tags: designTags("data") }, { subnetId: data });
    rs.push(host, craft("aws:ec2/eip:Eip", "db-eip", { instance: host.id, domain: "vpc" }, { instance: host }));
    expect(evaluate(net03PublicOnlyInDmz, rs)).toEqual(['elastic IP "db-eip" is associated with a host in subnet "network-subnet-data-b" (data); only dmz subnets may.']);
  });
});

describe("NET-05 app and data egress", () => {
  it("catches an app security group sending to 0.0.0.0/0", () => {
    const rs = copy();
    const app = find(rs, T.sg, "network-sg-app");
    rs.push(craft(T.egress, "app-out-anywhere", { securityGroupId: app.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }, { securityGroupId: app }));
    expect(evaluate(net05ZoneEgress, rs)).toEqual([
      'egress rule "app-out-anywhere" of app security group "network-sg-app" sends all to 0.0.0.0/0, outside the VPC; app and data reach the internet only through the egress proxy.',
    ]);
  });

  it("catches an inline data rule to a public range, and accepts VPC-internal addresses", () => {
    const rs = copy();
    edit(find(rs, T.sg, "network-sg-data"), (p) => {
      p["egress"] = [
        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["203.0.113.0/24"] },
        { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.20.136.0/21"] },
      ];
    });
    expect(evaluate(net05ZoneEgress, rs)).toEqual([
      'security group "network-sg-data" egress rule 1 of data security group "network-sg-data" sends tcp/443 to 203.0.113.0/24, outside the VPC; app and data reach the internet only through the egress proxy.',
    ]);
  });

  it("leaves DMZ groups alone (the egress proxy legitimately reaches the internet)", () => {
    const rs = copy();
    const vpc = find(rs, T.vpc, "network-vpc");
    const proxy = craft(T.sg, "proxy-sg", { vpcId: vpc.id, tags: designTags("dmz", "egress-proxy"), egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] }, { vpcId: vpc });
    rs.push(proxy);
    expect(evaluate(net05ZoneEgress, rs)).toEqual([]);
  });
});

describe("NET-06 default security group", () => {
  it("catches a VPC whose default security group is left unmanaged", () => {
    const rs = copy();
    expect(evaluate(net06DefaultSecurityGroup, without(rs, find(rs, T.defaultSg, "network-default-sg")))).toEqual([
      'VPC "network-vpc" leaves its default security group unmanaged, with AWS\'s rules (all from itself, all out); manage it with aws.ec2.DefaultSecurityGroup and no rules.',
    ]);
  });

  it("catches inline and attached rules on the default group", () => {
    const rs = copy();
    const sg = find(rs, T.defaultSg, "network-default-sg");
    edit(sg, (p) => (p["ingress"] = [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }]));
    rs.push(craft(T.egress, "default-out", { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.20.0.0/16" }, { securityGroupId: sg }));
    expect(evaluate(net06DefaultSecurityGroup, rs)).toEqual([
      'default security group "network-default-sg" has 1 inline ingress rule; it must allow no traffic.',
      'rule "default-out" is attached to default security group "network-default-sg"; it must allow no traffic.',
    ]);
  });
});

describe("NET-07 network ACLs", () => {
  const aclRule = (rs: ResourceState[], name: string, props: Record<string, unknown>) => {
    const acl = find(rs, T.acl, "network-acl-dmz");
    return craft(T.aclRule, name, { networkAclId: acl.id, ruleAction: "allow", egress: false, ...props }, { networkAclId: acl });
  };

  it("catches SSH from the internet", () => {
    const rs = copy();
    rs.push(aclRule(rs, "ssh", { ruleNumber: 90, protocol: "6", fromPort: 22, toPort: 22, cidrBlock: "0.0.0.0/0" }));
    expect(evaluate(net07NaclHygiene, rs)).toEqual(['network ACL "network-acl-dmz" admits administration ports (tcp/22) from the internet.']);
  });

  it("evaluates rules in order: an earlier deny shadows part of a later allow-all-TCP", () => {
    const rs = copy();
    rs.push(aclRule(rs, "deny-low", { ruleNumber: 80, ruleAction: "deny", protocol: "6", fromPort: 0, toPort: 1023, cidrBlock: "0.0.0.0/0" }));
    rs.push(aclRule(rs, "allow-tcp", { ruleNumber: 90, protocol: "6", fromPort: 0, toPort: 65535, cidrBlock: "0.0.0.0/0" }));
    expect(evaluate(net07NaclHygiene, rs)).toEqual(['network ACL "network-acl-dmz" admits administration ports (tcp/3389) from the internet.']);
  });

  it("catches allow-all in and out, also from a block that is merely part of the internet", () => {
    const rs = copy();
    rs.push(aclRule(rs, "all-in", { ruleNumber: 90, protocol: "-1", fromPort: 0, toPort: 0, cidrBlock: "0.0.0.0/1" }));
    rs.push(aclRule(rs, "all-out", { ruleNumber: 90, egress: true, protocol: "-1", fromPort: 0, toPort: 0, cidrBlock: "0.0.0.0/0" }));
    expect(evaluate(net07NaclHygiene, rs)).toEqual([
      'network ACL "network-acl-dmz" allows all traffic in from the internet.',
      'network ACL "network-acl-dmz" admits administration ports (tcp/20, tcp/21, tcp/22, tcp/3389, udp/3389) from the internet.',
      'network ACL "network-acl-dmz" allows all traffic out to the internet.',
    ]);
  });

  it("catches subnets that fall back to an unmanaged default NACL", () => {
    const rs = copy();
    const appAcl = find(rs, T.acl, "network-acl-app");
    const appRules = rs.filter((r) => r.type === T.aclRule && r.urn.includes("::network-acl-app-"));
    expect(evaluate(net07NaclHygiene, without(rs, appAcl, ...appRules))).toEqual([]);
    expect(evaluate(net07NaclHygiene, without(rs, appAcl, ...appRules, find(rs, T.defaultAcl, "network-default-acl")))).toEqual([
      'subnet "network-subnet-app-a" (app) falls back to its VPC\'s unmanaged default network ACL, which allows all traffic; associate a zone NACL and manage the default with no rules.',
      'subnet "network-subnet-app-b" (app) falls back to its VPC\'s unmanaged default network ACL, which allows all traffic; associate a zone NACL and manage the default with no rules.',
    ]);
  });
});

describe("NET-08 flow logs", () => {
  it("catches a VPC without a flow log", () => {
    const rs = copy();
    expect(evaluate(net08FlowLogs, without(rs, find(rs, T.flowLog, "network-flow-log")))).toEqual(['VPC "network-vpc" has no flow log.']);
  });

  it("catches a flow log of rejected traffic only, or into a bucket outside the log archive", () => {
    const rs = copy();
    edit(find(rs, T.flowLog, "network-flow-log"), (p) => (p["trafficType"] = "REJECT"));
    expect(evaluate(net08FlowLogs, rs)).toEqual(['VPC "network-vpc" has no flow log of all traffic into the S3 log archive: flow log "network-flow-log" records REJECT traffic, not ALL.']);

    const other = copy();
    const bucket = craft(T.bucket, "scratch", { bucket: "fitness-scratch", tags: designTags("global", "scratch") });
    other.push(bucket);
    const flowLog = find(other, T.flowLog, "network-flow-log");
    edit(flowLog, (p) => (p["logDestination"] = "arn:aws:s3:::fitness-scratch/flow-logs/"));
    flowLog.propertyDependencies = { ...flowLog.propertyDependencies, logDestination: [bucket.urn] };
    expect(evaluate(net08FlowLogs, other)).toEqual([
      'VPC "network-vpc" has no flow log of all traffic into the S3 log archive: flow log "network-flow-log" does not deliver into a log archive bucket (component=logs).',
    ]);
  });
});

describe("NET-09 endpoints", () => {
  it("catches a missing interface endpoint", () => {
    const rs = copy();
    expect(evaluate(net09Endpoints, without(rs, find(rs, T.endpoint, "network-vpce-sts")))).toEqual(['VPC "network-vpc" has app/data subnets but no interface endpoint for: sts.']);
  });

  it("catches an endpoint without private DNS", () => {
    const rs = copy();
    edit(find(rs, T.endpoint, "network-vpce-ecr-dkr"), (p) => (p["privateDnsEnabled"] = false));
    expect(evaluate(net09Endpoints, rs)).toEqual(['interface endpoint "network-vpce-ecr-dkr" (ecr.dkr) has private DNS off, so SDKs keep resolving the public ecr.dkr name.']);
  });

  it("catches data subnets whose route table lost the S3 gateway endpoint", () => {
    const rs = copy();
    const s3 = find(rs, T.endpoint, "network-vpce-s3");
    const dataTable = find(rs, T.routeTable, "network-rt-data");
    edit(s3, (p) => (p["routeTableIds"] = (p["routeTableIds"] as string[]).filter((id) => id !== dataTable.id)));
    s3.propertyDependencies = { ...s3.propertyDependencies, routeTableIds: (s3.propertyDependencies?.["routeTableIds"] ?? []).filter((u) => u !== dataTable.urn) };
    expect(evaluate(net09Endpoints, rs)).toEqual([
      'subnet "network-subnet-data-a" (data) has no s3 gateway endpoint on route table "network-rt-data".',
      'subnet "network-subnet-data-b" (data) has no s3 gateway endpoint on route table "network-rt-data".',
    ]);
  });

  it("catches an endpoint security group open to the internet", () => {
    const rs = copy();
    const sg = find(rs, T.sg, "network-sg-endpoints");
    rs.push(craft(T.ingress, "endpoints-from-anywhere", { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }, { securityGroupId: sg }));
    const messages = evaluate(net09Endpoints, rs);
    // One report per HTTPS endpoint sharing the group (all but SMTP, which has its own).
    for (const m of messages) expect(m).toMatch(/^ingress rule "endpoints-from-anywhere" on the security group of interface endpoint "network-vpce-[a-z0-9-]+" admits 0\.0\.0\.0\/0; endpoints admit the VPC only\.$/);
    expect(messages).toHaveLength(17);
  });

  it("takes the required list from config", () => {
    expect(evaluate(net09Endpoints, copy(), { requiredInterfaceEndpoints: ["sts", "bedrock-runtime"] })).toEqual(['VPC "network-vpc" has app/data subnets but no interface endpoint for: bedrock-runtime.']);
  });
});

describe("NET-10 no ad-hoc routing", () => {
  it("catches the default VPC, a NAT gateway and transit gateway auto-accept", () => {
    const rs = copy();
    const dmz = subnet(rs, "dmz-a");
    rs.push(craft("aws:ec2/defaultVpc:DefaultVpc", "default", {}));
    rs.push(craft("aws:ec2/natGateway:NatGateway", "nat", { subnetId: dmz.id, connectivityType: "public" }, { subnetId: dmz }));
    rs.push(craft("aws:ec2transitgateway/transitGateway:TransitGateway", "tgw", { autoAcceptSharedAttachments: "enable" }));
    expect(evaluate(net10NoAdHocRouting, rs)).toEqual([
      'DefaultVpc "default" uses the account\'s default network; build on the stack\'s own VPC.',
      'NAT gateway "nat": the design has no NAT; AWS APIs go through endpoints, the internet through the egress proxy.',
      'transit gateway "tgw" auto-accepts shared attachments; set autoAcceptSharedAttachments to "disable".',
    ]);
  });

  it("catches a forwarding interface in app and a route to it from data, but not a DMZ one", () => {
    const rs = copy();
    const app = subnet(rs, "app-a");
    const dmz = subnet(rs, "dmz-a");
    const nic = craft(T.eni, "forwarder", { subnetId: app.id, sourceDestCheck: false }, { subnetId: app });
    const dmzNic = craft(T.eni, "dmz-forwarder", { subnetId: dmz.id, sourceDestCheck: false }, { subnetId: dmz });
    const table = find(rs, T.routeTable, "network-rt-data");
    rs.push(nic, dmzNic, craft(T.route, "via-forwarder", { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", networkInterfaceId: nic.id }, { routeTableId: table, networkInterfaceId: nic }));
    expect(evaluate(net10NoAdHocRouting, rs)).toEqual([
      'network interface "forwarder" in app turns off source/destination checking, so it could forward (NAT) traffic.',
      'route table "network-rt-data" (used by data subnet "network-subnet-data-a") sends 0.0.0.0/0 to a network interface: an ad-hoc NAT or forwarding host.',
    ]);
  });
});
