/**
 * Reads a stack snapshot as a network graph for the program tests: which route table serves each
 * subnet (explicit association, else the VPC's main table), which routes that table has (inline,
 * separate Route resources, gateway endpoints), and where each route leads.
 */
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";

export const T = {
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  routeTable: "aws:ec2/routeTable:RouteTable",
  defaultRouteTable: "aws:ec2/defaultRouteTable:DefaultRouteTable",
  mainAssociation: "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
  association: "aws:ec2/routeTableAssociation:RouteTableAssociation",
  route: "aws:ec2/route:Route",
  endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  endpointRtAssociation: "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation",
  networkAcl: "aws:ec2/networkAcl:NetworkAcl",
  networkAclRule: "aws:ec2/networkAclRule:NetworkAclRule",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  igw: "aws:ec2/internetGateway:InternetGateway",
  nat: "aws:ec2/natGateway:NatGateway",
} as const;

/** A route as it leads somewhere: `target` names the kind of next hop. */
export interface RouteView {
  readonly destination: string;
  readonly target: "internet-gateway" | "nat-gateway" | "egress-only-gateway" | "transit-gateway" | "peering" | "instance" | "network-interface" | "vpc-endpoint" | "local" | "other";
  readonly via: string;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

export class NetworkGraph {
  readonly resources: readonly ResourceState[];
  private readonly byUrn = new Map<string, ResourceState>();
  private readonly byId = new Map<string, ResourceState>();

  constructor(snapshot: StackExport) {
    this.resources = snapshot.deployment.resources;
    for (const r of this.resources) {
      this.byUrn.set(r.urn, r);
      if (r.id !== undefined && r.id !== "") this.byId.set(r.id, r);
    }
  }

  ofType(type: string): ResourceState[] {
    return this.resources.filter((r) => r.type === type);
  }

  name(r: ResourceState): string {
    return r.urn.split("::").pop() ?? r.urn;
  }

  input(r: ResourceState, key: string): unknown {
    return r.inputs?.[key];
  }

  /** The resources a property refers to: property dependencies first, literal ids otherwise. */
  refs(r: ResourceState, key: string, type?: string): ResourceState[] {
    const viaDeps = (r.propertyDependencies?.[key] ?? []).map((urn) => this.byUrn.get(urn)).filter((x): x is ResourceState => x !== undefined);
    const raw = r.inputs?.[key];
    const ids = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === "string");
    const viaIds = ids.map((id) => this.byId.get(id)).filter((x): x is ResourceState => x !== undefined);
    // Ids decide when they resolve (exact); dependencies only tell which resources fed the value.
    const found = viaIds.length > 0 ? viaIds : viaDeps;
    return [...new Set(found)].filter((x) => type === undefined || x.type === type);
  }

  tag(r: ResourceState, key: string): string | undefined {
    const tags = r.inputs?.["tags"];
    return typeof tags === "object" && tags !== null ? str((tags as Record<string, unknown>)[key]) : undefined;
  }

  subnetsOfZone(zone: string): ResourceState[] {
    return this.ofType(T.subnet).filter((s) => this.tag(s, "zone") === zone);
  }

  /** The route table that serves a subnet: its explicit association, else its VPC's main table. */
  routeTableOf(subnet: ResourceState): ResourceState | undefined {
    const explicit = this.ofType(T.association).filter((a) => this.refs(a, "subnetId").includes(subnet));
    if (explicit.length > 1) throw new Error(`subnet ${this.name(subnet)} has ${explicit.length} route table associations`);
    if (explicit[0] !== undefined) return this.refs(explicit[0], "routeTableId")[0];
    const vpc = this.refs(subnet, "vpcId", T.vpc)[0];
    if (vpc === undefined) return undefined;
    const main = this.ofType(T.mainAssociation).find((m) => this.refs(m, "vpcId").includes(vpc));
    if (main !== undefined) return this.refs(main, "routeTableId")[0];
    return this.ofType(T.defaultRouteTable).find((d) => (d.propertyDependencies?.["defaultRouteTableId"] ?? []).includes(vpc.urn));
  }

  /** Every route of a table: inline ones, Route resources, and the routes gateway endpoints add. */
  routesOf(table: ResourceState): RouteView[] {
    const routes: RouteView[] = [{ destination: "vpc", target: "local", via: "local" }];
    const inline = table.inputs?.["routes"];
    for (const route of Array.isArray(inline) ? inline : []) routes.push(this.view(route as Record<string, unknown>, `${this.name(table)} inline`));
    for (const r of this.ofType(T.route)) {
      if (this.refs(r, "routeTableId").includes(table)) routes.push(this.view(r.inputs ?? {}, this.name(r), r));
    }
    for (const e of this.ofType(T.endpoint)) {
      if (this.refs(e, "routeTableIds").includes(table)) routes.push({ destination: `prefix-list:${String(this.input(e, "serviceName"))}`, target: "vpc-endpoint", via: this.name(e) });
    }
    for (const a of this.ofType(T.endpointRtAssociation)) {
      if (this.refs(a, "routeTableId").includes(table)) routes.push({ destination: "prefix-list", target: "vpc-endpoint", via: this.name(a) });
    }
    return routes;
  }

  private view(route: Record<string, unknown>, via: string, resource?: ResourceState): RouteView {
    const destination = str(route["destinationCidrBlock"]) ?? str(route["cidrBlock"]) ?? str(route["destinationIpv6CidrBlock"]) ?? str(route["ipv6CidrBlock"]) ?? str(route["destinationPrefixListId"]) ?? "?";
    const gateway = str(route["gatewayId"]);
    const gatewayTarget = (): RouteView["target"] => {
      const target = resource === undefined ? undefined : this.refs(resource, "gatewayId")[0];
      if (target?.type === T.igw || gateway?.startsWith("igw-")) return "internet-gateway";
      if (target?.type === T.endpoint || gateway?.startsWith("vpce-")) return "vpc-endpoint";
      if (gateway === "local") return "local";
      return "other";
    };
    const target: RouteView["target"] =
      str(route["natGatewayId"]) !== undefined ? "nat-gateway"
      : str(route["egressOnlyGatewayId"]) !== undefined ? "egress-only-gateway"
      : str(route["transitGatewayId"]) !== undefined ? "transit-gateway"
      : str(route["vpcPeeringConnectionId"]) !== undefined ? "peering"
      : str(route["instanceId"]) !== undefined ? "instance"
      : str(route["networkInterfaceId"]) !== undefined ? "network-interface"
      : str(route["vpcEndpointId"]) !== undefined ? "vpc-endpoint"
      : gateway !== undefined ? gatewayTarget()
      : "other";
    return { destination, target, via };
  }
}

const LEAVES_THE_VPC: ReadonlySet<RouteView["target"]> = new Set(["internet-gateway", "nat-gateway", "egress-only-gateway", "transit-gateway", "peering", "instance", "network-interface", "other"]);

/** Routes of a table that could carry traffic to the internet (anything but local and endpoint routes). */
export function internetRoutes(routes: readonly RouteView[]): RouteView[] {
  return routes.filter((r) => LEAVES_THE_VPC.has(r.target));
}
