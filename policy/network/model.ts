import type { PolicyResource } from "@pulumi/policy";
import { at, flag, isRecord, list, num, peekTexts, tagsOf, text, UNKNOWN_SENTINELS } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { AUTOSCALING_GROUP, EIP, EIP_ASSOCIATION, EKS_NODE_GROUP, INSTANCE, LAUNCH_CONFIGURATION, LAUNCH_TEMPLATE } from "../ec2/compute";
import { parseRange, type AddressRange } from "./addresses";
import { FlowSet } from "./flows";
import { SECURITY_GROUP_TYPES, RULE_TYPES, isUnknownRef, rulesOf, type SecurityGroupRule } from "./security-groups";
import {
  DEFAULT_NETWORK_ACL,
  DEFAULT_ROUTE_TABLE,
  EGRESS_ONLY_GATEWAY,
  EKS_CLUSTER,
  INTERNET_GATEWAY,
  LOAD_BALANCER_TYPES,
  MAIN_ROUTE_TABLE_ASSOCIATION,
  NAT_GATEWAY,
  NETWORK_ACL,
  NETWORK_ACL_ASSOCIATION,
  NETWORK_ACL_RULE,
  NETWORK_INTERFACE,
  PEERING_CONNECTION,
  ROUTE,
  ROUTE_TABLE_ASSOCIATION,
  ROUTE_TABLE_TYPES,
  SUBNET_TYPES,
  TRANSIT_GATEWAY,
  VPC_ENDPOINT,
  VPC_ENDPOINT_ROUTE_TABLE_ASSOCIATION,
  VPC_TYPES,
  VPN_GATEWAY,
  type RouteTargetKind,
} from "./types";

/**
 * The network as the rules see it: subnets with their zone, effective route table and NACL, and the
 * workloads placed in them with their security groups. Built from a stack policy's resources.
 */
export interface Route {
  /** Destination block or prefix list; undefined when unknown during preview. */
  readonly destination: string | undefined;
  readonly kind: RouteTargetKind;
  readonly target: PolicyResource | undefined;
  /** The resource that declares the route (a route table, a Route, a gateway endpoint). */
  readonly declaredBy: PolicyResource;
}

export interface RouteTable {
  readonly resource: PolicyResource | undefined;
  readonly label: string;
  readonly routes: readonly Route[];
}

export interface NaclRule {
  readonly ruleNumber: number;
  readonly egress: boolean;
  readonly allow: boolean;
  readonly flows: FlowSet;
  readonly range: AddressRange | undefined;
}

export interface Nacl {
  readonly label: string;
  /** AWS's default NACL when none is managed: allows everything both ways. */
  readonly allowsAll: boolean;
  readonly rules: readonly NaclRule[];
}

export interface Subnet {
  readonly resource: PolicyResource;
  readonly zone: string;
  readonly vpc: PolicyResource | undefined;
  readonly ranges: readonly AddressRange[];
  readonly routeTable: RouteTable;
  readonly nacl: Nacl;
  readonly autoPublicIpv4: boolean;
  readonly autoIpv6: boolean;
}

/** A security group with its rules, references resolved to other groups of the model. */
export interface Group {
  readonly key: string;
  readonly label: string;
  readonly resource: PolicyResource | undefined;
  readonly rules: ReadonlyArray<SecurityGroupRule & { readonly refs: readonly string[] }>;
}

export type EndpointKind =
  | "load balancer"
  | "instance"
  | "auto scaling group"
  | "node group"
  | "interface endpoint"
  | "EKS control plane"
  | "network interface";

/** A workload placed in one subnet. */
export interface Endpoint {
  readonly key: string;
  readonly label: string;
  readonly kind: EndpointKind;
  readonly resource: PolicyResource;
  readonly subnet: Subnet;
  readonly groups: readonly Group[];
  readonly publicIpv4: boolean;
  readonly publicIpv6: boolean;
  /** Whether traffic can leave through it towards the internet (hosts can; load balancers and endpoints cannot). */
  readonly forwardsToInternet: boolean;
  /** Whether it can open connections at all (interface endpoints cannot). */
  readonly originates: boolean;
  readonly role: "edge load balancer" | "egress proxy" | undefined;
}

export interface NetworkModel {
  readonly subnets: readonly Subnet[];
  readonly endpoints: readonly Endpoint[];
  readonly vpcRanges: readonly AddressRange[];
}

export interface ModelOptions {
  /** `component` tag values (or `role` tag values) that mark the egress proxy. */
  readonly proxyComponents: readonly string[];
}

const ALLOW_ALL: Nacl = { label: "the VPC's default network ACL (allows all)", allowsAll: true, rules: [] };

function rawValue(container: unknown, key: string): unknown {
  return isRecord(container) ? Object.getOwnPropertyDescriptor(container, key)?.value : undefined;
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "";
}

function isUnknown(value: unknown): boolean {
  return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}

const ROUTE_FIELDS: ReadonlyArray<[string, RouteTargetKind, readonly string[]]> = [
  ["natGatewayId", "NAT gateway", [NAT_GATEWAY]],
  ["egressOnlyGatewayId", "egress-only internet gateway", [EGRESS_ONLY_GATEWAY]],
  ["vpcPeeringConnectionId", "VPC peering connection", [PEERING_CONNECTION]],
  ["transitGatewayId", "transit gateway", [TRANSIT_GATEWAY]],
  ["networkInterfaceId", "network interface", [NETWORK_INTERFACE]],
  ["vpcEndpointId", "VPC endpoint", [VPC_ENDPOINT]],
  ["carrierGatewayId", "carrier gateway", []],
  ["coreNetworkArn", "core network", []],
  ["localGatewayId", "local gateway", []],
];

export class NetworkModelBuilder {
  private readonly subnetCache = new Map<string, Subnet>();
  private readonly groupCache = new Map<string, Group>();
  private groupIds: Map<string, PolicyResource[]> | undefined;

  constructor(
    private readonly index: StackIndex,
    private readonly options: ModelOptions,
  ) {}

  build(): NetworkModel {
    const subnets = this.index.ofType(...SUBNET_TYPES).map((s) => this.subnet(s));
    const vpcRanges = this.index
      .ofType(...VPC_TYPES)
      .flatMap((v) => [text(v.props["cidrBlock"]), text(v.props["ipv6CidrBlock"])])
      .flatMap((c) => (c === undefined ? [] : [parseRange(c)]))
      .filter((r): r is AddressRange => r !== undefined);
    return { subnets, endpoints: this.endpoints(), vpcRanges };
  }

  private vpcOf(resource: PolicyResource, property: string): PolicyResource | undefined {
    const [vpc] = this.index.targets(resource, property, VPC_TYPES);
    if (vpc !== undefined) return vpc;
    const all = this.index.ofType(...VPC_TYPES);
    return all.length === 1 ? all[0] : undefined;
  }

  subnet(resource: PolicyResource): Subnet {
    const cached = this.subnetCache.get(resource.urn);
    if (cached !== undefined) return cached;
    const vpc = this.vpcOf(resource, "vpcId");
    const ranges = [text(resource.props["cidrBlock"]), text(resource.props["ipv6CidrBlock"])]
      .flatMap((c) => (c === undefined ? [] : [parseRange(c)]))
      .filter((r): r is AddressRange => r !== undefined);
    const subnet: Subnet = {
      resource,
      zone: tagsOf(resource.props)["zone"] ?? "untagged",
      vpc,
      ranges,
      routeTable: this.routeTableOf(resource, vpc),
      nacl: this.naclOf(resource, vpc),
      autoPublicIpv4: flag(resource.props["mapPublicIpOnLaunch"]) === true,
      autoIpv6: flag(resource.props["assignIpv6AddressOnCreation"]) === true,
    };
    this.subnetCache.set(resource.urn, subnet);
    return subnet;
  }

  subnetsOfResource(resource: PolicyResource, property: string): Subnet[] {
    return this.index.targets(resource, property, SUBNET_TYPES).map((s) => this.subnet(s));
  }

  // ---- routing -------------------------------------------------------------------------------

  private routeTableOf(subnet: PolicyResource, vpc: PolicyResource | undefined): RouteTable {
    for (const assoc of this.index.referrers(subnet, [ROUTE_TABLE_ASSOCIATION], "subnetId")) {
      const [table] = this.index.targets(assoc, "routeTableId", ROUTE_TABLE_TYPES);
      if (table !== undefined) return this.routeTable(table, "associated");
    }
    // No explicit association: the subnet uses its VPC's main route table.
    if (vpc !== undefined) {
      for (const assoc of this.index.referrers(vpc, [MAIN_ROUTE_TABLE_ASSOCIATION], "vpcId")) {
        const [table] = this.index.targets(assoc, "routeTableId", ROUTE_TABLE_TYPES);
        if (table !== undefined) return this.routeTable(table, "main");
      }
      const managedMain = this.index.ofType(DEFAULT_ROUTE_TABLE).find((d) => this.index.targets(d, "defaultRouteTableId", VPC_TYPES).includes(vpc));
      if (managedMain !== undefined) return this.routeTable(managedMain, "main");
    }
    return { resource: undefined, label: "the VPC's implicit main route table (local routes only)", routes: [] };
  }

  private routeTable(table: PolicyResource, how: "associated" | "main"): RouteTable {
    const routes: Route[] = [];
    for (const r of list(table.props["routes"])) {
      routes.push(this.route(table, "routes", r, ["cidrBlock", "ipv6CidrBlock", "destinationPrefixListId"]));
    }
    for (const r of this.index.referrers(table, [ROUTE], "routeTableId")) {
      routes.push(this.route(r, undefined, r.props, ["destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId"]));
    }
    const gatewayEndpoints = [
      ...this.index.referrers(table, [VPC_ENDPOINT], "routeTableIds"),
      ...this.index.referrers(table, [VPC_ENDPOINT_ROUTE_TABLE_ASSOCIATION], "routeTableId"),
    ];
    for (const e of gatewayEndpoints) routes.push({ destination: "AWS service prefix list", kind: "VPC endpoint", target: e, declaredBy: e });
    return { resource: table, label: `${how === "main" ? "main " : ""}route table "${table.name}"`, routes };
  }

  /**
   * One route. `depsProperty` is where the route's references are recorded as property dependencies:
   * the route's own field for an aws.ec2.Route, the whole `routes` list for inline routes.
   */
  private route(owner: PolicyResource, depsProperty: string | undefined, route: unknown, destinationFields: readonly string[]): Route {
    const destinationRaw = destinationFields.map((f) => rawValue(route, f)).find(isSet);
    const destination = destinationRaw === undefined || isUnknown(destinationRaw) ? undefined : String(destinationRaw);
    const depsOf = (field: string): PolicyResource[] => owner.propertyDependencies[depsProperty ?? field] ?? [];
    const gateway = rawValue(route, "gatewayId");
    if (isSet(gateway)) {
      if (gateway === "local") return { destination, kind: "local", target: undefined, declaredBy: owner };
      const deps = depsOf("gatewayId");
      const igw = deps.find((d) => d.type === INTERNET_GATEWAY);
      const vgw = deps.find((d) => d.type === VPN_GATEWAY);
      if (igw !== undefined || (typeof gateway === "string" && gateway.startsWith("igw-"))) {
        return { destination, kind: "internet gateway", target: igw, declaredBy: owner };
      }
      if (vgw !== undefined || (typeof gateway === "string" && gateway.startsWith("vgw-"))) {
        return { destination, kind: "virtual private gateway", target: vgw, declaredBy: owner };
      }
      return { destination, kind: "unidentified gateway", target: undefined, declaredBy: owner };
    }
    for (const [field, kind, types] of ROUTE_FIELDS) {
      if (!isSet(rawValue(route, field))) continue;
      const target = depsOf(field).find((d) => types.includes(d.type));
      return { destination, kind, target, declaredBy: owner };
    }
    return { destination, kind: "local", target: undefined, declaredBy: owner };
  }

  // ---- network ACLs --------------------------------------------------------------------------

  private naclOf(subnet: PolicyResource, vpc: PolicyResource | undefined): Nacl {
    const explicit = this.index.ofType(NETWORK_ACL).find((n) => this.index.targets(n, "subnetIds", SUBNET_TYPES).includes(subnet));
    if (explicit !== undefined) return this.nacl(explicit);
    for (const assoc of this.index.referrers(subnet, [NETWORK_ACL_ASSOCIATION], "subnetId")) {
      const [acl] = this.index.targets(assoc, "networkAclId", [NETWORK_ACL]);
      if (acl !== undefined) return this.nacl(acl);
    }
    const managedDefault = this.index
      .ofType(DEFAULT_NETWORK_ACL)
      .find((d) => vpc !== undefined && this.index.targets(d, "defaultNetworkAclId", VPC_TYPES).includes(vpc));
    return managedDefault === undefined ? ALLOW_ALL : this.nacl(managedDefault);
  }

  private nacl(acl: PolicyResource): Nacl {
    const rules: NaclRule[] = [];
    for (const egress of [false, true]) {
      for (const r of list(acl.props[egress ? "egress" : "ingress"])) {
        rules.push(naclRule(num(at(r, "ruleNo")) ?? 0, egress, text(at(r, "action")), r));
      }
    }
    for (const r of this.index.referrers(acl, [NETWORK_ACL_RULE], "networkAclId")) {
      rules.push(naclRule(num(r.props["ruleNumber"]) ?? 0, flag(r.props["egress"]) === true, text(r.props["ruleAction"]), r.props));
    }
    rules.sort((a, b) => a.ruleNumber - b.ruleNumber);
    return { label: `network ACL "${acl.name}"`, allowsAll: false, rules };
  }

  // ---- security groups -----------------------------------------------------------------------

  group(resource: PolicyResource): Group {
    const cached = this.groupCache.get(resource.urn);
    if (cached !== undefined) return cached;
    const own = rulesOf(resource.type, resource.name, resource.props).map((r) => ({ ...r, refs: this.resolveRefs(resource, r) }));
    const standalone = RULE_TYPES.flatMap((t) =>
      this.index
        .referrers(resource, [t], "securityGroupId")
        .flatMap((rule) => rulesOf(rule.type, rule.name, rule.props).map((r) => ({ ...r, refs: this.resolveRefs(rule, r) }))),
    );
    const group: Group = { key: resource.urn, label: `security group "${resource.name}"`, resource, rules: [...own, ...standalone] };
    this.groupCache.set(resource.urn, group);
    return group;
  }

  /**
   * The groups a rule references, as group keys. A reference unknown during preview may be any group
   * the property depends on (an over-approximation, which is the safe side for proving absence of paths).
   */
  private resolveRefs(owner: PolicyResource, rule: SecurityGroupRule): string[] {
    const keys = new Set<string>();
    for (const ref of rule.groupRefs) {
      if (isUnknownRef(ref)) {
        const deps = rule.groupRefProperty === undefined ? [] : owner.propertyDependencies[rule.groupRefProperty] ?? [];
        for (const d of deps) if (SECURITY_GROUP_TYPES.includes(d.type)) keys.add(d.urn);
        continue;
      }
      const matches = this.groupsById(ref);
      if (matches.length > 0) matches.forEach((m) => keys.add(m.urn));
      else if (rule.groupRefProperty !== undefined) {
        // Single-reference properties: the property dependency names the group even when ids were not recorded.
        const deps = (owner.propertyDependencies[rule.groupRefProperty] ?? []).filter((d) => SECURITY_GROUP_TYPES.includes(d.type));
        if (deps.length === 1 && rule.groupRefs.length === 1) keys.add((deps[0] as PolicyResource).urn);
        else keys.add(`external:${ref}`);
      }
    }
    return [...keys].sort();
  }

  /** Security groups by id (and by name, which default-VPC rules may use). */
  private groupsById(ref: string): PolicyResource[] {
    if (this.groupIds === undefined) {
      this.groupIds = new Map();
      for (const g of this.index.ofType(...SECURITY_GROUP_TYPES)) {
        for (const key of new Set([...peekTexts(g.props, "id"), g.name])) this.groupIds.set(key, [...(this.groupIds.get(key) ?? []), g]);
      }
    }
    return this.groupIds.get(ref) ?? [];
  }

  private groupsOf(resource: PolicyResource, properties: readonly string[]): Group[] {
    const found = properties.flatMap((p) => this.index.targets(resource, p, SECURITY_GROUP_TYPES));
    return [...new Set(found)].map((g) => this.group(g));
  }

  /** Nested references (launch template network interfaces): by id, else every group the property depends on. */
  private nestedGroups(resource: PolicyResource, property: string, items: unknown[], field: string): Group[] {
    const groups = new Set<PolicyResource>();
    for (const item of items) {
      for (const ref of (() => {
        const raw = rawValue(item, field);
        return (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === "string");
      })()) {
        const byId = this.groupsById(ref);
        if (byId.length > 0 && !isUnknownRef(ref)) byId.forEach((g) => groups.add(g));
        else (resource.propertyDependencies[property] ?? []).filter((d) => SECURITY_GROUP_TYPES.includes(d.type)).forEach((g) => groups.add(g));
      }
    }
    return [...groups].map((g) => this.group(g));
  }

  /** Node groups without their own groups get the EKS cluster security group: all from itself, all out. */
  private clusterGroup(owner: PolicyResource): Group {
    const key = `eks-cluster-sg:${owner.urn}`;
    const cached = this.groupCache.get(key);
    if (cached !== undefined) return cached;
    const label = `EKS cluster security group of "${owner.name}"`;
    const group: Group = {
      key,
      label,
      resource: undefined,
      rules: [
        { direction: "ingress", flows: FlowSet.all(), allProtocols: true, cidrs: [], groupRefs: [], groupRefProperty: undefined, self: true, prefixLists: [], label: `${label} ingress`, refs: [] },
        { direction: "egress", flows: FlowSet.all(), allProtocols: true, cidrs: ["0.0.0.0/0"], groupRefs: [], groupRefProperty: undefined, self: false, prefixLists: [], label: `${label} egress`, refs: [] },
      ],
    };
    this.groupCache.set(key, group);
    return group;
  }

  // ---- workloads -----------------------------------------------------------------------------

  private endpoints(): Endpoint[] {
    const endpoints: Endpoint[] = [];
    const add = (
      resource: PolicyResource,
      kind: EndpointKind,
      subnets: readonly Subnet[],
      groups: readonly Group[],
      flags: { publicIpv4: (s: Subnet) => boolean; publicIpv6: (s: Subnet) => boolean; forwardsToInternet: boolean; originates: boolean; role?: Endpoint["role"] },
    ): void => {
      for (const subnet of subnets) {
        endpoints.push({
          key: `${resource.urn}@${subnet.resource.urn}`,
          label: `${kind} "${resource.name}" (${subnet.zone})`,
          kind,
          resource,
          subnet,
          groups,
          publicIpv4: flags.publicIpv4(subnet),
          publicIpv6: flags.publicIpv6(subnet),
          forwardsToInternet: flags.forwardsToInternet,
          originates: flags.originates,
          role: flags.role,
        });
      }
    };

    for (const lb of this.index.ofType(...LOAD_BALANCER_TYPES)) {
      const subnets = [...this.subnetsOfResource(lb, "subnets"), ...this.subnetsOfResource(lb, "subnetMappings")];
      const internetFacing = flag(lb.props["internal"]) !== true;
      const edge = internetFacing && subnets.length > 0 && subnets.every((s) => s.zone === "dmz");
      add(lb, "load balancer", unique(subnets), this.groupsOf(lb, ["securityGroups"]), {
        publicIpv4: () => internetFacing,
        publicIpv6: () => internetFacing && text(lb.props["ipAddressType"])?.startsWith("dualstack") === true,
        forwardsToInternet: false,
        originates: true,
        ...(edge ? { role: "edge load balancer" as const } : {}),
      });
    }

    for (const instance of this.index.ofType(INSTANCE)) {
      const explicit = flag(instance.props["associatePublicIpAddress"]);
      const eip =
        this.index.referrers(instance, [EIP], "instance").length > 0 || this.index.referrers(instance, [EIP_ASSOCIATION], "instanceId").length > 0;
      add(instance, "instance", this.subnetsOfResource(instance, "subnetId"), this.groupsOf(instance, ["vpcSecurityGroupIds"]), {
        publicIpv4: (s) => eip || explicit === true || (explicit === undefined && s.autoPublicIpv4),
        publicIpv6: (s) => s.autoIpv6 || (num(instance.props["ipv6AddressCount"]) ?? 0) > 0,
        forwardsToInternet: true,
        originates: true,
        role: this.isProxy([instance]) ? "egress proxy" : undefined,
      });
    }

    for (const asg of this.index.ofType(AUTOSCALING_GROUP)) {
      const templates = [
        ...this.index.targets(asg, "launchTemplate", [LAUNCH_TEMPLATE]),
        ...this.index.targets(asg, "mixedInstancesPolicy", [LAUNCH_TEMPLATE]),
        ...this.index.targets(asg, "launchConfiguration", [LAUNCH_CONFIGURATION]),
      ];
      const groups = templates.flatMap((t) => this.templateGroups(t));
      const nicPublic = templates.some((t) => templatePublic(t));
      add(asg, "auto scaling group", this.subnetsOfResource(asg, "vpcZoneIdentifiers"), uniqueGroups(groups), {
        publicIpv4: (s) => nicPublic || s.autoPublicIpv4,
        publicIpv6: (s) => s.autoIpv6,
        forwardsToInternet: true,
        originates: true,
        role: this.isProxy([asg, ...templates]) ? "egress proxy" : undefined,
      });
    }

    for (const nodeGroup of this.index.ofType(EKS_NODE_GROUP)) {
      const templates = this.index.targets(nodeGroup, "launchTemplate", [LAUNCH_TEMPLATE]);
      let groups = templates.flatMap((t) => this.templateGroups(t));
      if (groups.length === 0) groups = [this.clusterGroup(this.index.targets(nodeGroup, "clusterName", [EKS_CLUSTER])[0] ?? nodeGroup)];
      add(nodeGroup, "node group", this.subnetsOfResource(nodeGroup, "subnetIds"), uniqueGroups(groups), {
        publicIpv4: (s) => templates.some((t) => templatePublic(t)) || s.autoPublicIpv4,
        publicIpv6: (s) => s.autoIpv6,
        forwardsToInternet: true,
        originates: true,
      });
    }

    for (const cluster of this.index.ofType(EKS_CLUSTER)) {
      add(cluster, "EKS control plane", this.subnetsOfResource(cluster, "vpcConfig"), this.nestedGroups(cluster, "vpcConfig", [cluster.props["vpcConfig"]], "securityGroupIds"), {
        publicIpv4: () => false,
        publicIpv6: () => false,
        forwardsToInternet: false,
        originates: true,
      });
    }

    for (const endpoint of this.index.ofType(VPC_ENDPOINT)) {
      if (text(endpoint.props["vpcEndpointType"]) !== "Interface") continue;
      add(endpoint, "interface endpoint", this.subnetsOfResource(endpoint, "subnetIds"), this.groupsOf(endpoint, ["securityGroupIds"]), {
        publicIpv4: () => false,
        publicIpv6: () => false,
        forwardsToInternet: false,
        originates: false,
      });
    }

    for (const nic of this.index.ofType(NETWORK_INTERFACE)) {
      const eip = this.index.referrers(nic, [EIP], "networkInterface").length > 0;
      add(nic, "network interface", this.subnetsOfResource(nic, "subnetId"), this.groupsOf(nic, ["securityGroups"]), {
        publicIpv4: () => eip,
        publicIpv6: (s) => s.autoIpv6,
        forwardsToInternet: true,
        originates: true,
        role: this.isProxy([nic]) ? "egress proxy" : undefined,
      });
    }
    return endpoints.sort((a, b) => a.key.localeCompare(b.key));
  }

  private templateGroups(template: PolicyResource): Group[] {
    if (template.type === LAUNCH_CONFIGURATION) return this.groupsOf(template, ["securityGroups"]);
    return uniqueGroups([
      ...this.groupsOf(template, ["vpcSecurityGroupIds"]),
      ...this.nestedGroups(template, "networkInterfaces", list(template.props["networkInterfaces"]), "securityGroups"),
    ]);
  }

  private isProxy(resources: readonly PolicyResource[]): boolean {
    return resources.some((r) => {
      const tags = tagsOf(r.props);
      return (
        (tags["component"] !== undefined && this.options.proxyComponents.includes(tags["component"])) ||
        (tags["role"] !== undefined && this.options.proxyComponents.includes(tags["role"]))
      );
    });
  }
}

function templatePublic(template: PolicyResource): boolean {
  if (template.type === LAUNCH_CONFIGURATION) return flag(template.props["associatePublicIpAddress"]) === true;
  return list(template.props["networkInterfaces"]).some((n) => flag(at(n, "associatePublicIpAddress")) === true);
}

function naclRule(ruleNumber: number, egress: boolean, action: string | undefined, r: unknown): NaclRule {
  const cidr = text(at(r, "cidrBlock")) ?? text(at(r, "ipv6CidrBlock"));
  return {
    ruleNumber,
    egress,
    allow: action === "allow",
    flows: FlowSet.of(text(at(r, "protocol")) ?? "-1", num(at(r, "fromPort")), num(at(r, "toPort"))),
    range: cidr === undefined ? undefined : parseRange(cidr),
  };
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function uniqueGroups(groups: readonly Group[]): Group[] {
  const byKey = new Map(groups.map((g) => [g.key, g] as const));
  return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
}

