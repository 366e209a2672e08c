import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { StackIndex, zoneTag } from "../framework/stack-index";
import { FlowSet } from "../network/flows";
import { NetworkModelBuilder } from "../network/model";
import { SECURITY_GROUP, SECURITY_GROUP_TYPES } from "../network/security-groups";
import { databaseHosts, POSTGRES_PORT } from "./db-hosts";

const POSTGRES = FlowSet.of("tcp", POSTGRES_PORT, POSTGRES_PORT);

export const net04DataTierIngress = defineStackPolicy({
  meta: {
    id: "NET-04",
    title: "Data-tier ingress only from app-tier security groups on 5432; no CIDR sources",
    severity: "critical",
    decisions: ["D5", "D6"],
    controls: { fsbp: ["EC2.18", "EC2.19"], cis: ["5.2", "5.3"] },
    description:
      "Every ingress rule of a data-tier security group (tagged zone=data, or attached to a database host), whether inline, " +
      "an aws.vpc ingress rule or an aws.ec2 security group rule, admits TCP 5432 only, and only from security groups of " +
      "the app zone (the EKS nodes and pods): no address block, no prefix list, no self-reference, no other port.",
    remediation:
      "Remove the rule, or replace it with an aws.vpc.SecurityGroupIngressRule on the data group with " +
      "referencedSecurityGroupId set to the app zone's group and fromPort = toPort = 5432 (DatabaseHosts does this).",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const builder = new NetworkModelBuilder(index, { proxyComponents: [] });
    const dataGroups = new Map<string, PolicyResource>();
    for (const g of index.ofType(SECURITY_GROUP)) if (zoneTag(g) === "data") dataGroups.set(g.urn, g);
    for (const host of databaseHosts(index)) {
      for (const g of index.targets(host, "vpcSecurityGroupIds", SECURITY_GROUP_TYPES)) dataGroups.set(g.urn, g);
    }
    if (dataGroups.size === 0) args.notApplicable("the stack has no data-tier security groups");
    const byUrn = new Map(index.ofType(...SECURITY_GROUP_TYPES).map((g) => [g.urn, g] as const));

    for (const resource of dataGroups.values()) {
      const group = builder.group(resource);
      for (const rule of group.rules.filter((r) => r.direction === "ingress")) {
        const where = `${rule.label} of data-tier ${group.label}`;
        for (const cidr of rule.cidrs) reportViolation(`${where} admits the address block ${cidr}; only app-zone security groups may be sources.`, resource.urn);
        for (const list of rule.prefixLists) reportViolation(`${where} admits prefix list ${list}; only app-zone security groups may be sources.`, resource.urn);
        if (rule.self) reportViolation(`${where} admits its own group (self); only app-zone security groups may be sources.`, resource.urn);
        for (const ref of rule.refs) {
          const source = byUrn.get(ref);
          if (source === undefined) reportViolation(`${where} admits security group ${ref.replace(/^external:/, "")}, which is not part of this stack.`, resource.urn);
          else if (zoneTag(source) !== "app") reportViolation(`${where} admits security group "${source.name}" of zone ${zoneTag(source) ?? "(untagged)"}; only the app zone may connect.`, resource.urn);
        }
        const extra = rule.flows.subtract(POSTGRES);
        if (!extra.isEmpty()) reportViolation(`${where} admits ${extra.toString()}; the data tier accepts tcp/${POSTGRES_PORT} only.`, resource.urn);
      }
    }
  },
});
