import type { PolicyResource } from "@pulumi/policy";
import { hostProblem } from "../../src/dmz/egress-register";
import { LAUNCH_TEMPLATE, SUBNET, zonesOf } from "../ec2/compute";
import { defineStackPolicy } from "../framework/define";
import { flag, isRecord } from "../framework/props";
import { StackIndex, zoneTag } from "../framework/stack-index";
import { RULE_TYPES, rulesOf, SECURITY_GROUP_TYPES } from "../network/security-groups";
import { deployerAllowlistOf, hostExceptions, inlineSquidDomains, isDeployerGroup, isTaggedProxy, proxyCompute, proxyLoadBalancers, registers, resourceLabel } from "./egress-facts";

/** The security groups of the proxy: tagged as its own, or attached to its hosts or its load balancer. */
function proxyGroups(index: StackIndex, compute: readonly PolicyResource[], balancers: readonly PolicyResource[]): PolicyResource[] {
  const groups = new Set(index.ofType(...SECURITY_GROUP_TYPES).filter(isTaggedProxy));
  for (const r of compute) {
    const property = r.type === LAUNCH_TEMPLATE ? "networkInterfaces" : "vpcSecurityGroupIds";
    for (const g of index.targets(r, property, SECURITY_GROUP_TYPES)) groups.add(g);
    if (r.type === LAUNCH_TEMPLATE) for (const g of index.targets(r, "vpcSecurityGroupIds", SECURITY_GROUP_TYPES)) groups.add(g);
  }
  for (const lb of balancers) for (const g of index.targets(lb, "securityGroups", SECURITY_GROUP_TYPES)) groups.add(g);
  return [...groups];
}

export const egr02ProxyPlacement = defineStackPolicy({
  meta: {
    id: "EGR-02",
    title: "The egress proxy only in the DMZ, reachable only from app/data and the in-VPC deployer, allowing only DNS names",
    severity: "high",
    decisions: ["D6"],
    controls: {},
    description:
      "Hosts running the egress proxy (tagged component=egress-proxy, or whose user-data sets up Squid) and the proxy's load balancer " +
      "sit only in dmz subnets, and the load balancer is internal. The proxy's security groups admit traffic only from the app and " +
      "data zone security groups, the in-VPC deployer's group (component=deployer, zone dmz) or the proxy's own load balancer group: " +
      "no address ranges, no prefix lists. No allowlist entry (exceptions, and the deployer's fixed list) is a wildcard, a raw IP " +
      "address, a public suffix or a whole top-level domain.",
    remediation:
      "Place the proxy's group and load balancer in the dmz subnets (internal NLB); open its port with SecurityGroupIngressRule " +
      "resources that reference the app or data zone security group; name exceptions by DNS name (a leading dot admits subdomains).",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const compute = proxyCompute(index);
    const balancers = proxyLoadBalancers(index);
    const found = registers(index);
    if (compute.length === 0 && balancers.length === 0 && found.length === 0) args.notApplicable("the stack has no egress proxy");

    // 1. Placement: the proxy is the DMZ's only way out, and lives nowhere else.
    for (const r of compute) {
      const outside = zonesOf(index, r).filter((z) => z !== "dmz");
      if (outside.length > 0) reportViolation(`${resourceLabel(r)} runs the egress proxy in zone ${outside.join(", ")}; only the DMZ may.`, r.urn);
    }
    for (const lb of balancers) {
      if (flag(lb.props["internal"]) !== true) reportViolation(`${resourceLabel(lb)} fronts the egress proxy but is internet-facing; it must be internal.`, lb.urn);
      const subnets = [...index.targets(lb, "subnets", [SUBNET]), ...index.targets(lb, "subnetMappings", [SUBNET])];
      const outside = [...new Set(subnets.map((s) => zoneTag(s) ?? "untagged"))].filter((z) => z !== "dmz");
      if (outside.length > 0) reportViolation(`${resourceLabel(lb)} fronts the egress proxy from zone ${outside.join(", ")}; only the DMZ may.`, lb.urn);
    }

    // 2. Ingress: only from the zones that use it (their groups), or from the proxy's own load balancer.
    const groups = proxyGroups(index, compute, balancers);
    const own = new Set(groups.map((g) => g.urn));
    const allowedPeer = (g: PolicyResource) => own.has(g.urn) || zoneTag(g) === "app" || zoneTag(g) === "data" || isDeployerGroup(g);
    for (const group of groups) {
      // Inline rules on the group itself, and rule resources attached to it.
      for (const resource of [group, ...index.referrers(group, RULE_TYPES, "securityGroupId")]) {
        if (!isRecord(resource.props)) continue;
        for (const rule of rulesOf(resource.type, resource.name, resource.props).filter((x) => x.direction === "ingress")) {
          const where = `${rule.label} of the egress proxy's group "${group.name}"`;
          for (const cidr of rule.cidrs) reportViolation(`${where} admits ${cidr}; only the app and data zone groups may reach the proxy.`, resource.urn);
          for (const prefixList of rule.prefixLists) reportViolation(`${where} admits prefix list ${prefixList}; only the app and data zone groups may reach the proxy.`, resource.urn);
          if (rule.groupRefProperty === undefined || rule.groupRefs.length === 0) continue;
          for (const peer of index.targets(resource, rule.groupRefProperty, SECURITY_GROUP_TYPES)) {
            if (!allowedPeer(peer)) reportViolation(`${where} admits group "${peer.name}" (zone ${zoneTag(peer) ?? "untagged"}); only app, data and the deployer may reach the proxy.`, resource.urn);
          }
        }
      }
    }

    // 3. Allowlist entries: DNS names only, from the register and from what the hosts are given.
    const entries: { host: string; where: PolicyResource }[] = [];
    for (const { resource, document } of found) if (!("error" in document)) for (const e of document.exceptions) entries.push({ host: e.host, where: resource });
    for (const r of compute) {
      for (const e of hostExceptions(r) ?? []) entries.push({ host: e.host, where: r });
      for (const host of inlineSquidDomains(r)) entries.push({ host, where: r });
      for (const host of deployerAllowlistOf(r)) entries.push({ host, where: r });
    }
    const reported = new Set<string>();
    for (const { host, where } of entries) {
      const problem = hostProblem(host);
      const key = `${where.urn}\0${host}`;
      if (problem === undefined || reported.has(key)) continue;
      reported.add(key);
      reportViolation(`Egress allowlist entry ${problem} (in ${resourceLabel(where)}); exceptions name DNS names only.`, where.urn);
    }
  },
});
