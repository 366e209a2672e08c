import { INSTANCE } from "../ec2/compute";
import { defineStackPolicy } from "../framework/define";
import { flag, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { NetworkModelBuilder } from "./model";
import { NAT_GATEWAY, NETWORK_INTERFACE, SUBNET_TYPES, TRANSIT_GATEWAY } from "./types";

const DEFAULT_VPC_TYPES = ["aws:ec2/defaultVpc:DefaultVpc", "aws:ec2/defaultSubnet:DefaultSubnet"];
/** Known conflict (controls.md): the DMZ's egress proxy is legitimate, so forwarding checks cover app and data. */
const INSIDE_ZONES = new Set(["app", "data", "untagged"]);

export const net10NoAdHocRouting = defineStackPolicy({
  meta: {
    id: "NET-10",
    title: "No default VPC, no NAT, no transit gateway auto-accept, no forwarding hosts in app or data",
    severity: "medium",
    decisions: ["D6"],
    controls: { fsbp: ["EC2.23", "EC2.180"], checkov: ["CKV_AWS_148", "CKV_AWS_331", "CKV2_AWS_35"] },
    description:
      "The stack does not use the account's default VPC or default subnets; it has no NAT gateway (the design has none: AWS " +
      "through endpoints, the internet through the proxy); transit gateways do not auto-accept shared attachments; and in " +
      "app and data no instance or network interface turns off source/destination checking and no route sends traffic to " +
      "an instance or network interface (an ad-hoc NAT). DMZ hosts are out of scope for the forwarding checks.",
    remediation:
      "Use the stack's own VPC; remove NAT gateways and routes to hosts; keep sourceDestCheck on; set " +
      "autoAcceptSharedAttachments to \"disable\" on transit gateways.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const relevant = [...DEFAULT_VPC_TYPES, NAT_GATEWAY, TRANSIT_GATEWAY, INSTANCE, NETWORK_INTERFACE, ...SUBNET_TYPES];
    if (index.ofType(...relevant).length === 0) args.notApplicable("the stack has no networking resources");

    for (const r of index.ofType(...DEFAULT_VPC_TYPES)) reportViolation(`${r.type.split(":").pop()} "${r.name}" uses the account's default network; build on the stack's own VPC.`, r.urn);
    for (const nat of index.ofType(NAT_GATEWAY)) reportViolation(`NAT gateway "${nat.name}": the design has no NAT; AWS APIs go through endpoints, the internet through the egress proxy.`, nat.urn);
    for (const tgw of index.ofType(TRANSIT_GATEWAY)) {
      if (text(tgw.props["autoAcceptSharedAttachments"]) === "enable") reportViolation(`transit gateway "${tgw.name}" auto-accepts shared attachments; set autoAcceptSharedAttachments to "disable".`, tgw.urn);
    }

    const builder = new NetworkModelBuilder(index, { proxyComponents: [] });
    for (const host of index.ofType(INSTANCE, NETWORK_INTERFACE)) {
      if (flag(host.props["sourceDestCheck"]) !== false) continue;
      const zones = [...new Set(builder.subnetsOfResource(host, "subnetId").map((s) => s.zone))].filter((z) => INSIDE_ZONES.has(z));
      if (zones.length > 0) reportViolation(`${host.type === INSTANCE ? "instance" : "network interface"} "${host.name}" in ${zones.join(", ")} turns off source/destination checking, so it could forward (NAT) traffic.`, host.urn);
    }
    const reported = new Set<string>();
    for (const subnet of index.ofType(...SUBNET_TYPES).map((s) => builder.subnet(s))) {
      if (!INSIDE_ZONES.has(subnet.zone)) continue;
      for (const route of subnet.routeTable.routes) {
        const key = `${route.declaredBy.urn} ${route.destination ?? "?"}`;
        if (route.kind !== "network interface" || reported.has(key)) continue;
        reported.add(key);
        reportViolation(`${subnet.routeTable.label} (used by ${subnet.zone} subnet "${subnet.resource.name}") sends ${route.destination ?? "traffic"} to a network interface: an ad-hoc NAT or forwarding host.`, route.declaredBy.urn);
      }
    }
  },
});
