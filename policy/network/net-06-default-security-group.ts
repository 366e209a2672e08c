import { defineStackPolicy } from "../framework/define";
import { list } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { DEFAULT_SECURITY_GROUP, RULE_TYPES } from "./security-groups";

const VPC = "aws:ec2/vpc:Vpc";

export const net06DefaultSecurityGroup = defineStackPolicy({
  meta: {
    id: "NET-06",
    title: "The default security group of every VPC allows no traffic",
    severity: "high",
    decisions: ["D6"],
    controls: { fsbp: ["EC2.2"], cis: ["5.4"], checkov: ["CKV2_AWS_12"] },
    description:
      "Every VPC's default security group is taken under management (aws.ec2.DefaultSecurityGroup), which removes AWS's " +
      "rules (all traffic from itself, all traffic out), and has no inline rule and no separate rule attached to it, so " +
      "anything that lands in it by mistake can neither receive nor send.",
    remediation:
      "Add `new aws.ec2.DefaultSecurityGroup(name, { vpcId: vpc.id, ingress: [], egress: [] })` next to the VPC and " +
      "attach rules only to the platform's own security groups.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const vpcs = index.ofType(VPC);
    const defaults = index.ofType(DEFAULT_SECURITY_GROUP);
    if (vpcs.length === 0 && defaults.length === 0) args.notApplicable("the stack has no VPC");
    for (const vpc of vpcs) {
      const managed = defaults.filter((d) => index.targets(d, "vpcId", [VPC]).includes(vpc));
      if (managed.length === 0) {
        reportViolation(`VPC "${vpc.name}" leaves its default security group unmanaged, with AWS's rules (all from itself, all out); manage it with aws.ec2.DefaultSecurityGroup and no rules.`, vpc.urn);
      }
    }
    for (const sg of defaults) {
      for (const direction of ["ingress", "egress"] as const) {
        const count = list(sg.props[direction]).length;
        if (count > 0) reportViolation(`default security group "${sg.name}" has ${count} inline ${direction} rule${count > 1 ? "s" : ""}; it must allow no traffic.`, sg.urn);
      }
      for (const type of RULE_TYPES) {
        for (const rule of index.referrers(sg, [type], "securityGroupId")) {
          reportViolation(`rule "${rule.name}" is attached to default security group "${sg.name}"; it must allow no traffic.`, rule.urn);
        }
      }
    }
  },
});
