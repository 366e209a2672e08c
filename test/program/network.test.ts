/**
 * The whole program for dev and prod under the offline engine (Pulumi's mock runtime), read as a
 * network: app and data have no way to the internet, every endpoint the workloads need exists with
 * private DNS, and adding an AZ keeps every existing subnet where it is.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { ROOT, committedConfigData } from "../support/stack-config";
import { NetworkGraph, T, internetRoutes } from "./network-graph";

/** The AWS APIs the workloads and hosts call (architecture §3, wiring brief), independent of the plan's table. */
const NEEDED_INTERFACE_ENDPOINTS = [
  "ecr.api", "ecr.dkr", "sts", "ec2", "elasticloadbalancing", "logs", "sqs", "sns", "kms", "secretsmanager",
  "ssm", "ssmmessages", "ec2messages", "autoscaling", "eks", "eks-auth", "monitoring", "email-smtp",
];

const snapshots: Record<string, StackExport> = {};

beforeAll(async () => {
  snapshots["dev"] = (await synthesize({ stack: "dev", projectRoot: ROOT })).snapshot;
  snapshots["prod"] = (await synthesize({ stack: "prod", projectRoot: ROOT })).snapshot;
  const network = committedConfigData("dev")["fitness-platform:network"] as { availabilityZones: string[] };
  const grown = { ...network, availabilityZones: [...network.availabilityZones, "eu-central-1c"] };
  snapshots["dev+c"] = (await synthesize({ stack: "dev", projectRoot: ROOT, configOverrides: { network: JSON.stringify(grown) } })).snapshot;
});

const graph = (stack: string) => new NetworkGraph(snapshots[stack] as StackExport);

describe.each(["dev", "prod"])("%s: zones and routes", (stack) => {
  it("has one subnet per zone and AZ (2 AZs in dev, 3 in prod), none mapping public IPs on launch", () => {
    const g = graph(stack);
    const azs = stack === "dev" ? 2 : 3;
    for (const zone of ["dmz", "app", "data"]) expect(g.subnetsOfZone(zone), zone).toHaveLength(azs);
    expect(g.ofType(T.subnet)).toHaveLength(3 * azs);
    for (const s of g.ofType(T.subnet)) expect(g.input(s, "mapPublicIpOnLaunch"), g.name(s)).toBe(false);
  });

  it("app and data subnets have no route out of the VPC: only local and the S3 gateway endpoint", () => {
    const g = graph(stack);
    for (const zone of ["app", "data"]) {
      for (const subnet of g.subnetsOfZone(zone)) {
        const table = g.routeTableOf(subnet);
        expect(table, `${g.name(subnet)} route table`).toBeDefined();
        const routes = g.routesOf(table as ResourceState);
        expect(internetRoutes(routes), `${g.name(subnet)} via ${g.name(table as ResourceState)}`).toEqual([]);
        expect(routes.map((r) => r.target).sort(), g.name(subnet)).toEqual(["local", "vpc-endpoint"]);
        expect(routes.find((r) => r.target === "vpc-endpoint")?.destination).toBe("prefix-list:com.amazonaws.eu-central-1.s3");
      }
    }
  });

  it("dmz subnets do route to the internet gateway (so the analysis above is not vacuous)", () => {
    const g = graph(stack);
    for (const subnet of g.subnetsOfZone("dmz")) {
      const routes = g.routesOf(g.routeTableOf(subnet) as ResourceState);
      expect(routes.filter((r) => r.target === "internet-gateway").map((r) => r.destination), g.name(subnet)).toEqual(["0.0.0.0/0"]);
    }
  });

  it("the analysis catches a default route added to the app route table", () => {
    const snapshot = structuredClone(snapshots[stack] as StackExport);
    const appTable = snapshot.deployment.resources.find((r) => r.type === T.routeTable && r.urn.endsWith("::network-rt-app")) as ResourceState;
    const igw = snapshot.deployment.resources.find((r) => r.type === T.igw) as ResourceState;
    snapshot.deployment.resources.push({
      urn: `${appTable.urn}-sneaky`.replace("aws:ec2/routeTable:RouteTable", "aws:ec2/route:Route"),
      custom: true,
      type: T.route,
      id: "r-sneaky",
      inputs: { routeTableId: appTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
    });
    const g = new NetworkGraph(snapshot);
    const subnet = g.subnetsOfZone("app")[0] as ResourceState;
    expect(internetRoutes(g.routesOf(g.routeTableOf(subnet) as ResourceState))).toEqual([{ destination: "0.0.0.0/0", target: "internet-gateway", via: expect.stringContaining("sneaky") as string }]);
  });

  it("has no NAT gateway, no egress-only gateway and no key pair anywhere", () => {
    const types = new Set(graph(stack).resources.map((r) => r.type));
    for (const type of [T.nat, "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway", "aws:ec2/keyPair:KeyPair", "aws:ec2/natGatewayEipAssociation:NatGatewayEipAssociation"]) {
      expect(types.has(type), type).toBe(false);
    }
  });

  it("every subnet sits behind its own zone's NACL, never the default one", () => {
    const g = graph(stack);
    for (const subnet of g.ofType(T.subnet)) {
      const acls = g.ofType(T.networkAcl).filter((acl) => g.refs(acl, "subnetIds").includes(subnet));
      expect(acls.map((a) => g.tag(a, "zone")), g.name(subnet)).toEqual([g.tag(subnet, "zone")]);
    }
    const defaultAcl = g.ofType("aws:ec2/defaultNetworkAcl:DefaultNetworkAcl");
    expect(defaultAcl).toHaveLength(1);
    expect(g.input(defaultAcl[0] as ResourceState, "ingress")).toEqual([]);
    expect(g.input(defaultAcl[0] as ResourceState, "egress")).toEqual([]);
  });
});

describe.each(["dev", "prod"])("%s: endpoints", (stack) => {
  it("every endpoint the workloads need exists as an interface endpoint in the app subnets with private DNS", () => {
    const g = graph(stack);
    const appSubnets = g.subnetsOfZone("app").map((s) => s.urn).sort();
    for (const service of NEEDED_INTERFACE_ENDPOINTS) {
      const found = g.ofType(T.endpoint).filter((e) => g.input(e, "serviceName") === `com.amazonaws.eu-central-1.${service}`);
      expect(found, service).toHaveLength(1);
      const endpoint = found[0] as ResourceState;
      expect(g.input(endpoint, "vpcEndpointType"), service).toBe("Interface");
      expect(g.input(endpoint, "privateDnsEnabled"), service).toBe(true);
      expect(g.refs(endpoint, "subnetIds").map((s) => s.urn).sort(), service).toEqual(appSubnets);
    }
  });

  it("the HTTPS endpoints' security group admits 443 from the VPC block and nothing else", () => {
    const g = graph(stack);
    const vpcCidr = g.input(g.ofType(T.vpc)[0] as ResourceState, "cidrBlock");
    const groups = new Set(g.ofType(T.endpoint).filter((e) => g.input(e, "vpcEndpointType") === "Interface" && g.input(e, "serviceName") !== "com.amazonaws.eu-central-1.email-smtp").flatMap((e) => g.refs(e, "securityGroupIds")));
    expect(groups.size).toBe(1);
    const [sg] = [...groups] as [ResourceState];
    const ingress = g.ofType(T.ingressRule).filter((r) => g.refs(r, "securityGroupId").includes(sg));
    expect(ingress.map((r) => [g.input(r, "ipProtocol"), g.input(r, "fromPort"), g.input(r, "toPort"), g.input(r, "cidrIpv4")])).toEqual([["tcp", 443, 443, vpcCidr]]);
    expect(g.input(sg, "ingress") ?? []).toEqual([]);
  });

  it("the S3 gateway endpoint serves exactly the route tables of the app and data subnets", () => {
    const g = graph(stack);
    const s3 = g.ofType(T.endpoint).filter((e) => g.input(e, "serviceName") === "com.amazonaws.eu-central-1.s3");
    expect(s3).toHaveLength(1);
    expect(g.input(s3[0] as ResourceState, "vpcEndpointType")).toBe("Gateway");
    const served = g.refs(s3[0] as ResourceState, "routeTableIds").map((t) => t.urn).sort();
    const needed = [...new Set([...g.subnetsOfZone("app"), ...g.subnetsOfZone("data")].map((s) => (g.routeTableOf(s) as ResourceState).urn))].sort();
    expect(served).toEqual(needed);
  });

  it("every endpoint policy is limited to this stack's account", () => {
    const g = graph(stack);
    const account = stack === "dev" ? "111111111111" : "222222222222";
    for (const e of g.ofType(T.endpoint)) {
      const policy = g.input(e, "policy");
      if (policy === undefined) continue;
      const doc = JSON.parse(policy as string) as { Statement: { Condition?: Record<string, Record<string, unknown>>; Action: string[] }[] };
      const principalLimited = doc.Statement.every((s) => {
        const accounts = Object.values(s.Condition ?? {}).map((body) => body["aws:PrincipalAccount"]);
        return accounts.includes(account) || (s.Action.length === 1 && s.Action[0] === "s3:GetObject");
      });
      expect(principalLimited, g.name(e)).toBe(true);
    }
  });
});

describe("adding an AZ to dev", () => {
  const networkOnly = (g: NetworkGraph, type: string) => g.ofType(type).filter((r) => r.urn.includes("fitness:network:Network$"));

  it("keeps every existing subnet: same resource, same CIDR, same AZ", () => {
    const before = graph("dev");
    const after = graph("dev+c");
    const afterByUrn = new Map(after.ofType(T.subnet).map((s) => [s.urn, s]));
    expect(before.ofType(T.subnet)).toHaveLength(6);
    for (const subnet of before.ofType(T.subnet)) {
      const same = afterByUrn.get(subnet.urn);
      expect(same, before.name(subnet)).toBeDefined();
      expect(after.input(same as ResourceState, "cidrBlock"), before.name(subnet)).toBe(before.input(subnet, "cidrBlock"));
      expect(after.input(same as ResourceState, "availabilityZone"), before.name(subnet)).toBe(before.input(subnet, "availabilityZone"));
    }
    expect(after.ofType(T.subnet).map((s) => after.name(s)).filter((n) => !before.ofType(T.subnet).some((b) => before.name(b) === n)).sort()).toEqual([
      "network-subnet-app-c",
      "network-subnet-data-c",
      "network-subnet-dmz-c",
    ]);
  });

  it("changes no NACL rule, route or route table", () => {
    for (const type of [T.networkAclRule, T.route, T.routeTable]) {
      const summary = (g: NetworkGraph) => networkOnly(g, type).map((r) => `${r.urn} ${JSON.stringify(r.inputs)}`).sort();
      expect(summary(graph("dev+c")), type).toEqual(summary(graph("dev")));
    }
  });
});
