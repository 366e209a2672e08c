import { defineStackPolicy } from "../framework/define";
import { tagsOf, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { type AddressRange, parseRange, reachesInternet } from "./addresses";
import { NetworkModelBuilder } from "./model";
import { SECURITY_GROUP } from "./security-groups";
import { VPC_TYPES } from "./types";

/** Zones whose groups may send only inside the VPC, to prefix lists, or to groups (proxy, endpoints). */
const INSIDE_ZONES = new Set(["app", "data"]);

export const net05ZoneEgress = defineStackPolicy({
  meta: {
    id: "NET-05",
    title: "App and data security groups send only to groups, VPC addresses and prefix lists",
    severity: "high",
    decisions: ["D6"],
    controls: { checkov: ["CKV_AWS_382"] },
    description:
      "Every egress rule of a security group tagged zone=app or zone=data (inline, aws.vpc egress rules, aws.ec2 security " +
      "group rules) sends only to a security group of this stack (the egress proxy, the VPC endpoints, the data zone), to a " +
      "managed prefix list (the S3 gateway endpoint) or to addresses inside the VPC: never to 0.0.0.0/0 or any internet " +
      "range. The DMZ's groups are out of scope (the egress proxy legitimately sends to the internet).",
    remediation:
      "Replace CIDR egress with a rule referencing the destination's security group (`referencedSecurityGroupId`) or the S3 " +
      "prefix list (`prefixListId`); reach the internet only through the egress proxy with a live exception.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const groups = index.ofType(SECURITY_GROUP).filter((g) => INSIDE_ZONES.has(tagsOf(g.props)["zone"] ?? ""));
    if (groups.length === 0) args.notApplicable("the stack has no app or data security groups");
    const vpcRanges = index
      .ofType(...VPC_TYPES)
      .flatMap((v) => [text(v.props["cidrBlock"]), text(v.props["ipv6CidrBlock"])])
      .flatMap((c) => (c === undefined ? [] : [parseRange(c)]))
      .filter((r): r is AddressRange => r !== undefined);
    const builder = new NetworkModelBuilder(index, { proxyComponents: [] });

    for (const resource of groups) {
      const zone = tagsOf(resource.props)["zone"];
      const group = builder.group(resource);
      for (const rule of group.rules.filter((r) => r.direction === "egress")) {
        const where = `${rule.label} of ${zone} ${group.label}`;
        for (const cidr of rule.cidrs) {
          const range = parseRange(cidr);
          if (range === undefined) reportViolation(`${where} sends to "${cidr}", which is not an address block.`, resource.urn);
          else if (reachesInternet(range, vpcRanges)) reportViolation(`${where} sends ${rule.flows.toString()} to ${cidr}, outside the VPC; app and data reach the internet only through the egress proxy.`, resource.urn);
        }
        for (const ref of rule.refs.filter((r) => r.startsWith("external:"))) {
          reportViolation(`${where} sends to security group ${ref.slice("external:".length)}, which is not part of this stack.`, resource.urn);
        }
      }
    }
  },
});
