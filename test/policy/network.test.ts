import { describe, expect, it } from "vitest";
import { netNoInternetRoute } from "../../policy/network/net-01-no-internet-route";
import { netReachability } from "../../policy/network/net-02-reachability";
import { audit, findings, messages } from "./support/audit";
import { compliantStack, type CompliantStack, type Ref } from "./support/fixture-stack";

function natGateway(s: CompliantStack): Ref {
  return s.fx.add("aws:ec2/natGateway:NatGateway", "nat", { subnetId: s.subnets.dmz.id, allocationId: "eipalloc-1", tags: s.fx.tags("dmz", "network") }, { deps: { subnetId: [s.subnets.dmz] } });
}

function routeAppToNat(s: CompliantStack): void {
  const nat = natGateway(s);
  s.fx.add("aws:ec2/route:Route", "rt-app-nat", { routeTableId: s.routeTables.app.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id }, { deps: { routeTableId: [s.routeTables.app], natGatewayId: [nat] } });
}

describe("NET-01 no route out of the VPC from app and data subnets", () => {
  it("fails a default route from the app route table to a NAT gateway", async () => {
    const s = compliantStack();
    routeAppToNat(s);
    const result = await audit(s.fx, [netNoInternetRoute]);
    expect(messages(result, "NET-01")).toEqual(['route table "rt-app" routes 0.0.0.0/0 to NAT gateway "nat"; used by subnet "subnet-app-a" (app).']);
    expect(findings(result, "NET-01")[0]?.name).toBe("rt-app-nat");
  });

  it("follows a subnet without an association to the VPC's main route table", async () => {
    const s = compliantStack();
    s.fx.remove({ ...s.subnets.data, urn: s.fx.toExport().deployment.resources.find((r) => r.urn.endsWith("::rta-data-a"))?.urn ?? "" });
    s.fx.add("aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation", "main", { vpcId: s.vpc.id, routeTableId: s.routeTables.dmz.id }, { deps: { vpcId: [s.vpc], routeTableId: [s.routeTables.dmz] } });
    const result = await audit(s.fx, [netNoInternetRoute]);
    expect(messages(result, "NET-01")).toEqual(['main route table "rt-dmz" routes 0.0.0.0/0 to internet gateway "igw"; used by subnet "subnet-data-a" (data).']);
  });

  it("reads inline routes: transit gateway and peering from the data table", async () => {
    const s = compliantStack();
    s.fx.update(s.routeTables.data, (i) => {
      i["routes"] = [
        { cidrBlock: "172.16.0.0/12", transitGatewayId: "tgw-0abc" },
        { cidrBlock: "192.168.0.0/16", vpcPeeringConnectionId: "pcx-0abc" },
      ];
    });
    const result = await audit(s.fx, [netNoInternetRoute]);
    expect(messages(result, "NET-01")).toEqual([
      'route table "rt-data" routes 172.16.0.0/12 to transit gateway; used by subnet "subnet-data-a" (data).',
      'route table "rt-data" routes 192.168.0.0/16 to VPC peering connection; used by subnet "subnet-data-a" (data).',
    ]);
  });
});

describe("NET-02 reachability", () => {
  it("passes the compliant stack and shows its zone-to-zone matrix", async () => {
    const s = compliantStack();
    const result = await audit(s.fx, [netReachability]);
    expect(messages(result, "NET-02")).toEqual([]);
    expect(result.reachability.cells).toEqual([
      { from: "internet", to: "dmz", flows: "tcp/443" },
      { from: "dmz", to: "internet", flows: "tcp/443" },
      // The proxy may open 443 anywhere, which includes the edge load balancer and the interface endpoints.
      { from: "dmz", to: "dmz", flows: "tcp/443" },
      { from: "dmz", to: "app", flows: "tcp/443, tcp/8080" },
      { from: "app", to: "dmz", flows: "tcp/3128" },
      { from: "app", to: "app", flows: "tcp/443" },
      { from: "app", to: "data", flows: "tcp/5432" },
      { from: "data", to: "app", flows: "tcp/443" },
    ]);
  });

  it("fails a path from the internet into data through a DMZ host that is not the edge load balancer", async () => {
    const s = compliantStack();
    const bastionSg = s.fx.add(
      "aws:ec2/securityGroup:SecurityGroup",
      "sg-bastion",
      { vpcId: s.vpc.id, ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }], egress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.32.0/24"] }], tags: s.fx.tags("dmz", "operator") },
      { deps: { vpcId: [s.vpc] } },
    );
    s.fx.add("aws:ec2/instance:Instance", "bastion", { ami: "ami-1", instanceType: "t3.micro", subnetId: s.subnets.dmz.id, associatePublicIpAddress: true, vpcSecurityGroupIds: [bastionSg.id], tags: s.fx.tags("dmz", "operator") }, { deps: { subnetId: [s.subnets.dmz], vpcSecurityGroupIds: [bastionSg] } });
    s.fx.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "data-from-bastion", { securityGroupId: s.groups.data.id, referencedSecurityGroupId: bastionSg.id, ipProtocol: "tcp", fromPort: 5432, toPort: 5432, tags: s.fx.tags("data", "network") }, { deps: { securityGroupId: [s.groups.data], referencedSecurityGroupId: [bastionSg] } });
    const result = await audit(s.fx, [netReachability]);
    expect(messages(result, "NET-02")).toEqual([
      'the internet reaches instance "db-host" (data) without passing the DMZ edge load balancer: internet → instance "bastion" (dmz) [tcp/22] → instance "db-host" (data) [tcp/5432].',
    ]);
    expect(findings(result, "NET-02")[0]?.urn).toBe(s.dbInstance.urn);
  });

  it("lets a network ACL that denies the entry close that path", async () => {
    const s = compliantStack();
    const bastionSg = s.fx.add("aws:ec2/securityGroup:SecurityGroup", "sg-bastion", { vpcId: s.vpc.id, ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }], egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }], tags: s.fx.tags("dmz", "operator") }, { deps: { vpcId: [s.vpc] } });
    s.fx.add("aws:ec2/instance:Instance", "bastion", { ami: "ami-1", instanceType: "t3.micro", subnetId: s.subnets.dmz.id, associatePublicIpAddress: true, vpcSecurityGroupIds: [bastionSg.id], tags: s.fx.tags("dmz", "operator") }, { deps: { subnetId: [s.subnets.dmz], vpcSecurityGroupIds: [bastionSg] } });
    s.fx.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "data-from-bastion", { securityGroupId: s.groups.data.id, referencedSecurityGroupId: bastionSg.id, ipProtocol: "tcp", fromPort: 5432, toPort: 5432, tags: s.fx.tags("data", "network") }, { deps: { securityGroupId: [s.groups.data], referencedSecurityGroupId: [bastionSg] } });
    const open = await audit(s.fx, [netReachability]);
    const acl = s.fx.add("aws:ec2/networkAcl:NetworkAcl", "acl-dmz", { vpcId: s.vpc.id, subnetIds: [s.subnets.dmz.id], tags: s.fx.tags("dmz", "network"),
      ingress: [
        { ruleNo: 90, action: "deny", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlock: "0.0.0.0/0" },
        { ruleNo: 100, action: "allow", protocol: "-1", fromPort: 0, toPort: 0, cidrBlock: "0.0.0.0/0" },
      ],
      egress: [{ ruleNo: 100, action: "allow", protocol: "-1", fromPort: 0, toPort: 0, cidrBlock: "0.0.0.0/0" }],
    }, { deps: { vpcId: [s.vpc], subnetIds: [s.subnets.dmz] } });
    const closed = await audit(s.fx, [netReachability]);
    expect(messages(open, "NET-02")).toHaveLength(1);
    expect(messages(closed, "NET-02")).toEqual([]);
    expect(acl.name).toBe("acl-dmz");
  });

  it("fails app traffic to the internet through a NAT gateway", async () => {
    const s = compliantStack();
    routeAppToNat(s);
    s.fx.add("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "app-to-internet", { securityGroupId: s.groups.app.id, cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443, tags: s.fx.tags("app", "network") }, { deps: { securityGroupId: [s.groups.app] } });
    const result = await audit(s.fx, [netReachability]);
    expect(messages(result, "NET-02")).toEqual([
      'instance "app-host" (app) reaches the internet without the egress proxy: instance "app-host" (app) → internet [tcp/443 via route table "rt-app" → NAT gateway "nat"].',
    ]);
  });

  it("fails when the DMZ host app traffic goes through is not the egress proxy", async () => {
    const s = compliantStack();
    s.fx.update(s.proxyGroup, (i) => {
      i["tags"] = [];
    });
    s.fx.update(s.proxyTemplate, (i) => {
      i["tags"] = s.fx.tags("dmz", "build-cache");
    });
    const result = await audit(s.fx, [netReachability]);
    expect(messages(result, "NET-02")).toEqual([
      'instance "app-host" (app) reaches the internet without the egress proxy: instance "app-host" (app) → auto scaling group "proxy-asg" (dmz) [tcp/3128] → internet [tcp/443 via route table "rt-dmz" → internet gateway "igw"].',
    ]);
  });

  it("resolves inline security group references by id when property dependencies are missing", async () => {
    const s = compliantStack();
    s.fx.update(s.proxyGroup, (i) => {
      i["tags"] = [];
    });
    s.fx.update(s.proxyTemplate, (i) => {
      i["tags"] = s.fx.tags("dmz", "build-cache");
    });
    delete s.fx.state(s.groups.proxy).propertyDependencies;
    const result = await audit(s.fx, [netReachability]);
    expect(messages(result, "NET-02")).toHaveLength(1);
  });
});
