import { defineStackPolicy } from "../framework/define";
import { texts } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { NetworkModelBuilder, type NetworkModel } from "./model";
import { analyse, describePath, inboundBypasses, outboundBypasses, type PathFinding, type Reachability } from "./reachability";
import { SUBNET_TYPES } from "./types";
import type { PolicyResource } from "@pulumi/policy";

export const DEFAULT_PROXY_COMPONENTS = ["egress-proxy"];

type Analysis = { model: NetworkModel; reachability: Reachability };

/**
 * Analyses already made, per list of resources and proxy components. The offline auditor hands NET-02 and
 * its report (the zone-to-zone matrix) the same frozen list, so the analysis runs once per audit; under
 * the engine every policy gets a fresh list and this never hits. Results are only read by their users.
 */
const analyses = new WeakMap<readonly PolicyResource[], Map<string, Analysis>>();

/** The analysis NET-02 runs, exported for reports (the zone-to-zone matrix). */
export function analyseNetwork(resources: readonly PolicyResource[], proxyComponents: readonly string[] = DEFAULT_PROXY_COMPONENTS): Analysis {
  const key = JSON.stringify(proxyComponents);
  const known = Object.isFrozen(resources) ? analyses.get(resources)?.get(key) : undefined;
  if (known !== undefined) return known;
  const model = new NetworkModelBuilder(new StackIndex(resources), { proxyComponents }).build();
  const analysis = { model, reachability: analyse(model) };
  // Only a frozen list cannot change between two calls.
  if (Object.isFrozen(resources)) analyses.set(resources, (analyses.get(resources) ?? new Map<string, Analysis>()).set(key, analysis));
  return analysis;
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
