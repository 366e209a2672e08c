import type { ResourceState } from "../snapshot/types";
import { egressAllowlist } from "./egress-allowlist";
import { principalFacts, publicRouteFacts, widenedPorts } from "./exposure-grants";
import { isRecord, nameOf, propsOf, tagsOf, type Props, type SnapshotIndex } from "./resource-facts";

/**
 * Exposure facts: each thing in a snapshot that opens the platform to or towards the internet, with
 * a stable key. The diff warns about every fact whose key is in head but not in base, i.e. about
 * exposure a change ADDS (a narrowed rule yields no new key, a widened one does).
 *
 * Detectors (documented in docs/ci.md):
 * - open-security-group: an SG rule (inline, `SecurityGroupRule`, `vpc.SecurityGroup{In,E}gressRule`)
 *   with 0.0.0.0/0 or ::/0;
 * - open-network-acl: an allowing NACL entry (inline or `NetworkAclRule`) with 0.0.0.0/0 or ::/0;
 * - internet-route: a 0.0.0.0/0 or ::/0 route (standalone or inline) to any target: internet,
 *   NAT or egress-only gateway, peering, transit gateway, instance or interface;
 * - egress-exception: a host name the egress proxy allows (see egress-allowlist.ts);
 * - internet-facing-load-balancer: a load balancer that is not `internal`;
 * - public-cluster-endpoint: an EKS API endpoint open to a public CIDR (AWS's default is 0.0.0.0/0);
 * - public-ip: an instance or launch template with a public address, a subnet that assigns them, an EIP;
 * - public-bucket-access: an S3 public access block with a flag not set;
 * - new-principal, public-route, widened-ports: see exposure-grants.ts.
 */
export type ExposureRule =
  | "open-security-group"
  | "open-network-acl"
  | "internet-route"
  | "egress-exception"
  | "internet-facing-load-balancer"
  | "public-cluster-endpoint"
  | "public-ip"
  | "public-bucket-access"
  | "new-principal"
  | "public-route"
  | "widened-ports";

export interface ExposureFact {
  readonly rule: ExposureRule;
  readonly key: string;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly zone?: string;
  readonly message: string;
}

const ANYWHERE_V4 = "0.0.0.0/0";
const ANYWHERE_V6 = "::/0";
const ROUTE_TARGETS = [
  "gatewayId",
  "natGatewayId",
  "egressOnlyGatewayId",
  "transitGatewayId",
  "vpcPeeringConnectionId",
  "networkInterfaceId",
  "carrierGatewayId",
  "localGatewayId",
  "coreNetworkArn",
  "vpcEndpointId",
  "instanceId",
] as const;
const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export function exposureFacts(index: SnapshotIndex): ExposureFact[] {
  const facts = new Map<string, ExposureFact>();
  const add = (resource: ResourceState, rule: ExposureRule, detail: string, message: string, zone?: string): void => {
    const key = `${rule}|${detail}`;
    if (facts.has(key)) return;
    const where = zone === undefined ? "" : ` (zone ${zone})`;
    facts.set(key, { rule, key, urn: resource.urn, type: resource.type, name: nameOf(resource.urn), zone, message: `${message}${where}` });
  };

  for (const resource of index.resources) {
    const props = propsOf(resource);
    const zone = tagsOf(resource).zone;
    switch (resource.type) {
      case "aws:ec2/securityGroup:SecurityGroup":
      case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
        for (const direction of ["ingress", "egress"] as const) {
          for (const rule of records(props[direction])) {
            for (const cidr of openCidrs(rule.cidrBlocks, rule.ipv6CidrBlocks)) {
              const what = `${direction} ${ports(rule.protocol, rule.fromPort, rule.toPort)} ${direction === "ingress" ? "from" : "to"} ${cidr}`;
              add(resource, "open-security-group", `${resource.urn}|${what}`, `security group \`${nameOf(resource.urn)}\`: ${what}`, zone);
            }
          }
        }
        break;
      case "aws:ec2/securityGroupRule:SecurityGroupRule":
        securityGroupRule(index, resource, String(props.type), props.protocol, props.fromPort, props.toPort, openCidrs(props.cidrBlocks, props.ipv6CidrBlocks), add);
        break;
      case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
      case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
        const direction = resource.type.includes("Ingress") ? "ingress" : "egress";
        securityGroupRule(index, resource, direction, props.ipProtocol, props.fromPort, props.toPort, openCidrs(props.cidrIpv4, props.cidrIpv6), add);
        break;
      }
      case "aws:ec2/networkAcl:NetworkAcl":
      case "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl":
        for (const direction of ["ingress", "egress"] as const) {
          for (const entry of records(props[direction])) {
            if (String(entry.action).toLowerCase() !== "allow") continue;
            for (const cidr of openCidrs(entry.cidrBlock, entry.ipv6CidrBlock)) {
              const what = `allows ${direction} ${ports(entry.protocol, entry.fromPort, entry.toPort)} ${direction === "ingress" ? "from" : "to"} ${cidr}`;
              add(resource, "open-network-acl", `${resource.urn}|${what}`, `network ACL \`${nameOf(resource.urn)}\` ${what}`, zone);
            }
          }
        }
        break;
      case "aws:ec2/networkAclRule:NetworkAclRule": {
        if (String(props.ruleAction).toLowerCase() !== "allow") break;
        const acl = index.resolve(props.networkAclId);
        const direction = props.egress === true ? "egress" : "ingress";
        for (const cidr of openCidrs(props.cidrBlock, props.ipv6CidrBlock)) {
          const what = `allows ${direction} ${ports(props.protocol, props.fromPort, props.toPort)} ${direction === "ingress" ? "from" : "to"} ${cidr}`;
          const owner = acl === undefined ? String(props.networkAclId) : nameOf(acl.urn);
          add(resource, "open-network-acl", `${acl?.urn ?? owner}|${what}`, `network ACL \`${owner}\` ${what}`, acl === undefined ? zone : tagsOf(acl).zone);
        }
        break;
      }
      case "aws:ec2/route:Route": {
        const table = index.resolve(props.routeTableId);
        route(index, resource, table, props.destinationCidrBlock, props.destinationIpv6CidrBlock, props, add);
        break;
      }
      case "aws:ec2/routeTable:RouteTable":
      case "aws:ec2/defaultRouteTable:DefaultRouteTable":
        for (const entry of records(props.routes ?? props.route)) route(index, resource, resource, entry.cidrBlock, entry.ipv6CidrBlock, entry, add);
        break;
      case "aws:lb/loadBalancer:LoadBalancer":
        if (props.internal !== true) {
          add(resource, "internet-facing-load-balancer", resource.urn, `internet-facing load balancer \`${nameOf(resource.urn)}\``, zone);
        }
        break;
      case "aws:eks/cluster:Cluster": {
        const vpc = isRecord(props.vpcConfig) ? props.vpcConfig : {};
        if (vpc.endpointPublicAccess === false) break;
        const cidrs = strings(vpc.publicAccessCidrs);
        for (const cidr of cidrs.length === 0 ? [ANYWHERE_V4] : cidrs) {
          add(resource, "public-cluster-endpoint", `${resource.urn}|${cidr}`, `EKS API endpoint \`${nameOf(resource.urn)}\` reachable from ${cidr}`, zone);
        }
        break;
      }
      case "aws:ec2/instance:Instance":
        if (props.associatePublicIpAddress === true) add(resource, "public-ip", resource.urn, `instance \`${nameOf(resource.urn)}\` has a public IP address`, zone);
        break;
      case "aws:ec2/launchTemplate:LaunchTemplate":
        if (records(props.networkInterfaces).some((ni) => ni.associatePublicIpAddress === true || ni.associatePublicIpAddress === "true")) {
          add(resource, "public-ip", resource.urn, `launch template \`${nameOf(resource.urn)}\` gives instances a public IP address`, zone);
        }
        break;
      case "aws:ec2/subnet:Subnet":
        if (props.mapPublicIpOnLaunch === true) add(resource, "public-ip", resource.urn, `subnet \`${nameOf(resource.urn)}\` assigns public IP addresses`, zone);
        break;
      case "aws:ec2/eip:Eip":
        add(resource, "public-ip", resource.urn, `elastic IP \`${nameOf(resource.urn)}\``, zone);
        break;
      case "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
        const bucket = index.resolve(props.bucket);
        const owner = bucket === undefined ? String(props.bucket) : nameOf(bucket.urn);
        for (const flag of PUBLIC_ACCESS_FLAGS) {
          if (props[flag] !== true) add(resource, "public-bucket-access", `${bucket?.urn ?? owner}|${flag}`, `bucket \`${owner}\`: public access block \`${flag}\` is off`, zone);
        }
        break;
      }
      default:
        break;
    }
  }

  for (const entry of egressAllowlist(index)) {
    const source = index.byUrn.get(entry.source);
    if (source === undefined) continue;
    const expires = entry.expires === undefined ? "" : `, expires ${entry.expires}`;
    add(source, "egress-exception", entry.host, `egress exception: proxy allows \`${entry.host}\` (in \`${nameOf(source.urn)}\`${expires})`);
  }
  for (const fact of [...principalFacts(index), ...publicRouteFacts(index)]) {
    const resource = fact.resource;
    if (!facts.has(fact.key)) facts.set(fact.key, { rule: fact.rule, key: fact.key, urn: resource.urn, type: resource.type, name: nameOf(resource.urn), message: fact.message });
  }
  return [...facts.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** Exposure that head has and base had not. */
export function addedExposure(base: SnapshotIndex, head: SnapshotIndex): ExposureFact[] {
  const before = new Set(exposureFacts(base).map((f) => f.key));
  const widened = widenedPorts(base, head).map((f) => ({ rule: f.rule, key: f.key, urn: f.resource.urn, type: f.resource.type, name: nameOf(f.resource.urn), message: f.message }));
  return [...exposureFacts(head).filter((f) => !before.has(f.key)), ...widened];
}

type Add = (resource: ResourceState, rule: ExposureRule, detail: string, message: string, zone?: string) => void;

function securityGroupRule(
  index: SnapshotIndex,
  resource: ResourceState,
  direction: string,
  protocol: unknown,
  fromPort: unknown,
  toPort: unknown,
  cidrs: string[],
  add: Add,
): void {
  const group = index.resolve(propsOf(resource).securityGroupId);
  const owner = group === undefined ? String(propsOf(resource).securityGroupId) : nameOf(group.urn);
  const zone = group === undefined ? tagsOf(resource).zone : tagsOf(group).zone;
  for (const cidr of cidrs) {
    const what = `${direction} ${ports(protocol, fromPort, toPort)} ${direction === "ingress" ? "from" : "to"} ${cidr}`;
    add(resource, "open-security-group", `${group?.urn ?? owner}|${what}`, `security group \`${owner}\`: ${what}`, zone);
  }
}

function route(
  index: SnapshotIndex,
  resource: ResourceState,
  table: ResourceState | undefined,
  v4: unknown,
  v6: unknown,
  targets: Props,
  add: Add,
): void {
  const destinations = openCidrs(v4, v6);
  if (destinations.length === 0) return;
  const field = ROUTE_TARGETS.find((t) => typeof targets[t] === "string" && targets[t] !== "");
  if (field === undefined) return;
  const target = index.resolve(targets[field]);
  const targetName = target === undefined ? `${field} ${String(targets[field])}` : `${shortType(target.type)} \`${nameOf(target.urn)}\``;
  const targetKind = target === undefined ? field : target.type;
  const tableName = table === undefined ? String(propsOf(resource).routeTableId) : nameOf(table.urn);
  const zone = table === undefined ? tagsOf(resource).zone : tagsOf(table).zone;
  for (const destination of destinations) {
    add(
      resource,
      "internet-route",
      `${table?.urn ?? tableName}|${destination}|${targetKind}`,
      `route table \`${tableName}\`: ${destination} → ${targetName}`,
      zone,
    );
  }
}

function openCidrs(v4: unknown, v6: unknown): string[] {
  return [...strings(v4), ...strings(v6)].filter((c) => c === ANYWHERE_V4 || c === ANYWHERE_V6);
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function ports(protocol: unknown, from: unknown, to: unknown): string {
  const proto = String(protocol ?? "all").toLowerCase();
  if (proto === "-1" || proto === "all") return "all traffic";
  const name = proto === "6" ? "tcp" : proto === "17" ? "udp" : proto;
  if (from === undefined || (from === 0 && (to === 0 || to === 65535))) return `${name} all ports`;
  return from === to ? `${name} ${String(from)}` : `${name} ${String(from)}-${String(to)}`;
}

function shortType(type: string): string {
  return type.slice(type.lastIndexOf(":") + 1).replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}
