import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { at, flag, list, num, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { type AddressRange, parseRange } from "./addresses";
import { FlowSet } from "./flows";
import { type Nacl, type NaclRule, NetworkModelBuilder } from "./model";
import { naclFlows } from "./reachability";
import { DEFAULT_NETWORK_ACL, NETWORK_ACL, NETWORK_ACL_RULE, SUBNET_TYPES, VPC_TYPES } from "./types";

/** Remote administration and file transfer: never open to the internet (CIS 5.1, CKV_AWS_229-232). */
const ADMIN_PORTS: ReadonlyArray<[string, number]> = [
  ["tcp", 20],
  ["tcp", 21],
  ["tcp", 22],
  ["tcp", 3389],
  ["udp", 3389],
];
const ALL_TCP = FlowSet.of("tcp", 0, 65535);
const INTERNET = { kind: "internet" } as const;

function rule(ruleNumber: number, egress: boolean, action: string | undefined, props: unknown): NaclRule {
  const cidr = text(at(props, "cidrBlock")) ?? text(at(props, "ipv6CidrBlock"));
  return {
    ruleNumber,
    egress,
    allow: action === "allow",
    flows: FlowSet.of(text(at(props, "protocol")) ?? "-1", num(at(props, "fromPort")), num(at(props, "toPort"))),
    range: cidr === undefined ? undefined : parseRange(cidr),
  };
}

/** A managed NACL's rules: inline (both resource types) and aws.ec2.NetworkAclRule resources, in order. */
function readNacl(index: StackIndex, acl: PolicyResource): Nacl {
  const rules: NaclRule[] = [];
  for (const egress of [false, true]) {
    for (const r of list(acl.props[egress ? "egress" : "ingress"])) rules.push(rule(num(at(r, "ruleNo")) ?? 0, egress, text(at(r, "action")), r));
  }
  for (const r of index.referrers(acl, [NETWORK_ACL_RULE], "networkAclId")) {
    rules.push(rule(num(r.props["ruleNumber"]) ?? 0, flag(r.props["egress"]) === true, text(r.props["ruleAction"]), r.props));
  }
  rules.sort((a, b) => a.ruleNumber - b.ruleNumber);
  return { label: `network ACL "${acl.name}"`, allowsAll: false, rules };
}

/** What a NACL lets in from, and out to, the internet; one line per problem. */
function problems(nacl: Nacl, vpcRanges: readonly AddressRange[]): string[] {
  const found: string[] = [];
  const inbound = naclFlows(nacl, false, INTERNET, vpcRanges);
  const outbound = naclFlows(nacl, true, INTERNET, vpcRanges);
  const admin = ADMIN_PORTS.filter(([protocol, port]) => inbound.has(protocol as "tcp" | "udp", port)).map(([p, port]) => `${p}/${port}`);
  if (inbound.equals(FlowSet.all())) found.push(`${nacl.label} allows all traffic in from the internet`);
  else if (ALL_TCP.subtract(inbound).isEmpty()) found.push(`${nacl.label} allows every TCP port in from the internet`);
  if (admin.length > 0) found.push(`${nacl.label} admits administration ports (${admin.join(", ")}) from the internet`);
  if (outbound.equals(FlowSet.all())) found.push(`${nacl.label} allows all traffic out to the internet`);
  return found;
}

export const net07NaclHygiene = defineStackPolicy({
  meta: {
    id: "NET-07",
    title: "Network ACLs: no administration ports from the internet, no allow-all",
    severity: "medium",
    decisions: ["D6"],
    controls: { fsbp: ["EC2.21"], cis: ["5.1"], checkov: ["CKV_AWS_229", "CKV_AWS_230", "CKV_AWS_231", "CKV_AWS_232", "CKV_AWS_352"] },
    description:
      "Evaluated as AWS does (rules in number order, first match wins), no network ACL admits ports 20, 21, 22 or 3389 from " +
      "any internet address, admits every TCP port or all traffic from the internet, or lets all traffic out to the internet. " +
      "A VPC's default network ACL left unmanaged keeps AWS's allow-all rules, so a subnet that falls back to it fails too. " +
      "Allow-all rules between the VPC's own subnets are not in scope.",
    remediation:
      "Give each zone its own NACL with rules for the flows it needs (src/network/nacl-plan.ts), admit returns from the internet " +
      "only on 32768-65535, and take the default NACL under management with no rules (aws.ec2.DefaultNetworkAcl).",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const acls = index.ofType(NETWORK_ACL, DEFAULT_NETWORK_ACL);
    const subnets = index.ofType(...SUBNET_TYPES);
    if (acls.length === 0 && subnets.length === 0) args.notApplicable("the stack has no subnets or network ACLs");
    const vpcRanges = index
      .ofType(...VPC_TYPES)
      .map((v) => text(v.props["cidrBlock"]))
      .flatMap((c) => (c === undefined ? [] : [parseRange(c)]))
      .filter((r): r is AddressRange => r !== undefined);

    for (const acl of acls) for (const problem of problems(readNacl(index, acl), vpcRanges)) reportViolation(`${problem}.`, acl.urn);

    const builder = new NetworkModelBuilder(index, { proxyComponents: [] });
    for (const subnet of subnets.map((s) => builder.subnet(s))) {
      if (!subnet.nacl.allowsAll) continue;
      reportViolation(`subnet "${subnet.resource.name}" (${subnet.zone}) falls back to its VPC's unmanaged default network ACL, which allows all traffic; associate a zone NACL and manage the default with no rules.`, subnet.resource.urn);
    }
  },
});
