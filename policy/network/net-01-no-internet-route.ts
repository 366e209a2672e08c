import { defineStackPolicy } from "../framework/define";
import { StackIndex } from "../framework/stack-index";
import { NetworkModelBuilder } from "./model";
import { LEAVING_KINDS, SUBNET_TYPES } from "./types";

/** Zones that must not route out of the VPC; untagged subnets are judged as strictly as app. */
const INSIDE_ZONES = new Set(["app", "data", "untagged"]);

export const netNoInternetRoute = defineStackPolicy({
  meta: {
    id: "NET-01",
    title: "No route from app or data subnets out of the VPC",
    severity: "critical",
    decisions: ["D6"],
    controls: { fsbp: ["EC2.172"], cis: ["5.5"], checkov: ["CKV2_AWS_44"] },
    description:
      "The effective route table of every app and data subnet (its associated table, else the VPC's main table) has no " +
      "route to an internet gateway, NAT gateway, egress-only internet gateway, VPC peering connection or transit gateway " +
      "(nor a carrier gateway, core network or unidentified gateway). The subnet's zone comes from its zone tag.",
    remediation:
      "Give app and data subnets their own route tables with only the local route and gateway endpoints; reach AWS APIs " +
      "through VPC endpoints and the internet only through the DMZ egress proxy.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    if (index.ofType(...SUBNET_TYPES).length === 0) args.notApplicable("the stack has no subnets");
    const builder = new NetworkModelBuilder(index, { proxyComponents: [] });
    // One report per offending route, naming every inside subnet that uses it.
    const findings = new Map<string, { urn: string; message: string; subnets: string[] }>();
    for (const subnet of index.ofType(...SUBNET_TYPES).map((s) => builder.subnet(s))) {
      if (!INSIDE_ZONES.has(subnet.zone)) continue;
      subnet.routeTable.routes.forEach((route, i) => {
        if (!LEAVING_KINDS.has(route.kind)) return;
        const key = `${route.declaredBy.urn}#${i}#${route.kind}`;
        const target = route.target === undefined ? route.kind : `${route.kind} "${route.target.name}"`;
        const entry = findings.get(key) ?? {
          urn: route.declaredBy.urn,
          message: `${subnet.routeTable.label} routes ${route.destination ?? "an unknown destination"} to ${target}`,
          subnets: [],
        };
        entry.subnets.push(`"${subnet.resource.name}" (${subnet.zone})`);
        findings.set(key, entry);
      });
    }
    for (const f of [...findings.values()].sort((a, b) => a.message.localeCompare(b.message))) {
      reportViolation(`${f.message}; used by subnet${f.subnets.length > 1 ? "s" : ""} ${f.subnets.join(", ")}.`, f.urn);
    }
  },
});
