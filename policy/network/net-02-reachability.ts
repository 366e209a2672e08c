import { defineStackPolicy } from "../framework/define";
import { texts } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { NetworkModelBuilder, type NetworkModel } from "./model";
import { analyse, describePath, inboundBypasses, outboundBypasses, type PathFinding, type Reachability } from "./reachability";
import { SUBNET_TYPES } from "./types";
import type { PolicyResource } from "@pulumi/policy";

export const DEFAULT_PROXY_COMPONENTS = ["egress-proxy"];

/** The analysis NET-02 runs, exported for reports (the zone-to-zone matrix). */
export function analyseNetwork(resources: readonly PolicyResource[], proxyComponents: readonly string[] = DEFAULT_PROXY_COMPONENTS): { model: NetworkModel; reachability: Reachability } {
  const model = new NetworkModelBuilder(new StackIndex(resources), { proxyComponents }).build();
  return { model, reachability: analyse(model) };
}

export const netReachability = defineStackPolicy({
  meta: {
    id: "NET-02",
    title: "Reachability: internet to app/data only via the edge load balancer, app/data to internet only via the proxy",
    severity: "critical",
    decisions: ["D6"],
    controls: { fsbp: ["EC2.18", "EC2.19"], other: ["NSA/CISA network segmentation"] },
    description:
      "A reachability analysis over route tables (associations and the main table), security groups (inline rules, " +
      "aws.vpc ingress/egress rules, aws.ec2 security group rules) and network ACLs finds no path from the internet into " +
      "an app or data workload except through the DMZ's internet-facing load balancer, and no path from an app or data " +
      "workload to the internet except through the egress proxy. The edge load balancer is an internet-facing " +
      "aws.lb.LoadBalancer whose subnets are all in the DMZ; the egress proxy is a DMZ workload tagged component (or role) " +
      "egress-proxy. Load balancers and interface endpoints forward nothing to the internet; any host may forward.",
    remediation:
      "Remove the hop the path names: security group rules from 0.0.0.0/0 on app/data groups, public addresses or internet " +
      "routes outside the DMZ, DMZ hosts other than the proxy that app/data groups may reach; scope rules to group references.",
    enforcementLevel: "mandatory",
  },
  config: {
    proxyComponents: {
      type: "array",
      items: { type: "string" },
      default: DEFAULT_PROXY_COMPONENTS,
      description: "component (or role) tag values that mark the egress proxy's instances, groups or launch templates.",
    },
  },
  validate: (args, reportViolation) => {
    if (new StackIndex(args.resources).ofType(...SUBNET_TYPES).length === 0) args.notApplicable("the stack has no subnets");
    const configured = texts(args.getConfig<{ proxyComponents?: string[] }>().proxyComponents);
    const { reachability } = analyseNetwork(args.resources, configured.length > 0 ? configured : DEFAULT_PROXY_COMPONENTS);
    // One finding per workload: an auto scaling group in three subnets has one problem, not three.
    for (const f of firstPerResource(inboundBypasses(reachability))) {
      reportViolation(
        `the internet reaches ${f.endpoint.label} without passing the DMZ edge load balancer: ${describePath(reachability, f.path)}.`,
        f.endpoint.resource.urn,
      );
    }
    for (const f of firstPerResource(outboundBypasses(reachability))) {
      reportViolation(`${f.endpoint.label} reaches the internet without the egress proxy: ${describePath(reachability, f.path)}.`, f.endpoint.resource.urn);
    }
  },
});

function firstPerResource(findings: readonly PathFinding[]): PathFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    if (seen.has(f.endpoint.resource.urn)) return false;
    seen.add(f.endpoint.resource.urn);
    return true;
  });
}
