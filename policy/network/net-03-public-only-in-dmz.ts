import type { PolicyResource } from "@pulumi/policy";
import { EIP, EIP_ASSOCIATION, INSTANCE } from "../ec2/compute";
import { defineStackPolicy } from "../framework/define";
import { flag } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { NetworkModelBuilder, type Subnet } from "./model";
import { LOAD_BALANCER_TYPES, NETWORK_INTERFACE, SUBNET_TYPES } from "./types";

/** Route targets that make a subnet public. */
const PUBLIC_ROUTE_KINDS = new Set(["internet gateway", "egress-only internet gateway"]);

const where = (subnets: readonly Subnet[]) => subnets.map((s) => `"${s.resource.name}" (${s.zone})`).join(", ");

export const net03PublicOnlyInDmz = defineStackPolicy({
  meta: {
    id: "NET-03",
    title: "Only DMZ subnets are public: auto-assigned public IPs, internet gateway routes, internet-facing load balancers, elastic IPs",
    severity: "high",
    decisions: ["D6"],
    controls: { fsbp: ["EC2.15", "EC2.9"], checkov: ["CKV_AWS_130"] },
    description:
      "A subnet outside the DMZ (by its zone tag; untagged counts as outside) does not auto-assign public IPv4 or IPv6 " +
      "addresses, its effective route table has no route to an internet or egress-only gateway, no internet-facing load " +
      "balancer is placed in it, and no elastic IP is associated with an instance or network interface in it.",
    remediation:
      "Set `mapPublicIpOnLaunch: false` (and no IPv6 auto-assignment) on every subnet outside the DMZ, keep internet routes " +
      "on the dmz route table only, and place internet-facing load balancers and elastic IPs in dmz subnets.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const subnetResources = index.ofType(...SUBNET_TYPES);
    if (subnetResources.length === 0) args.notApplicable("the stack has no subnets");
    const builder = new NetworkModelBuilder(index, { proxyComponents: [] });
    const outside = (subnets: readonly Subnet[]) => subnets.filter((s) => s.zone !== "dmz");

    for (const subnet of subnetResources.map((s) => builder.subnet(s))) {
      if (subnet.zone === "dmz") continue;
      const label = `subnet "${subnet.resource.name}" (${subnet.zone})`;
      if (subnet.autoPublicIpv4) reportViolation(`${label} assigns public IPv4 addresses on launch (mapPublicIpOnLaunch); only dmz subnets may.`, subnet.resource.urn);
      if (subnet.autoIpv6) reportViolation(`${label} assigns IPv6 addresses on launch (assignIpv6AddressOnCreation); only dmz subnets may.`, subnet.resource.urn);
      for (const route of subnet.routeTable.routes) {
        if (!PUBLIC_ROUTE_KINDS.has(route.kind)) continue;
        reportViolation(`${label} routes ${route.destination ?? "an unknown destination"} to an ${route.kind} through ${subnet.routeTable.label}; only dmz subnets may.`, route.declaredBy.urn);
      }
    }

    for (const lb of index.ofType(...LOAD_BALANCER_TYPES)) {
      if (flag(lb.props["internal"]) === true) continue;
      const misplaced = outside([...builder.subnetsOfResource(lb, "subnets"), ...builder.subnetsOfResource(lb, "subnetMappings")]);
      if (misplaced.length > 0) reportViolation(`internet-facing load balancer "${lb.name}" is placed in subnet ${where(misplaced)}; only dmz subnets may hold one.`, lb.urn);
    }

    // Elastic IPs: on the resource itself (instance, networkInterface) or through an association.
    const holders = (eip: PolicyResource, instanceProp: string, nicProp: string): Subnet[] => [
      ...index.targets(eip, instanceProp, [INSTANCE]).flatMap((i) => builder.subnetsOfResource(i, "subnetId")),
      ...index.targets(eip, nicProp, [NETWORK_INTERFACE]).flatMap((n) => builder.subnetsOfResource(n, "subnetId")),
    ];
    for (const eip of index.ofType(EIP)) {
      const misplaced = outside(holders(eip, "instance", "networkInterface"));
      if (misplaced.length > 0) reportViolation(`elastic IP "${eip.name}" is associated with a host in subnet ${where(misplaced)}; only dmz subnets may.`, eip.urn);
    }
    for (const assoc of index.ofType(EIP_ASSOCIATION)) {
      const misplaced = outside(holders(assoc, "instanceId", "networkInterfaceId"));
      if (misplaced.length > 0) reportViolation(`elastic IP association "${assoc.name}" puts a public address on a host in subnet ${where(misplaced)}; only dmz subnets may.`, assoc.urn);
    }
  },
});
