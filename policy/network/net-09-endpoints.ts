import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { flag, text, texts } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { type AddressRange, parseRange, reachesInternet } from "./addresses";
import { NetworkModelBuilder, type Subnet } from "./model";
import { SUBNET_TYPES, VPC_ENDPOINT, VPC_TYPES } from "./types";

/** The AWS APIs the design's app and data zones use (architecture §3; SES SMTP for notifications). */
export const DEFAULT_INTERFACE_ENDPOINTS = [
  "ecr.api", "ecr.dkr", "sts", "ec2", "elasticloadbalancing", "logs", "sqs", "sns", "kms", "secretsmanager",
  "ssm", "ssmmessages", "ec2messages", "autoscaling", "eks", "eks-auth", "monitoring", "email-smtp",
];
export const DEFAULT_GATEWAY_ENDPOINTS = ["s3"];

const INSIDE_ZONES = new Set(["app", "data"]);

/** `com.amazonaws.<region>.<service>` → `<service>` (also for `cn.com.amazonaws.` names). */
function serviceOf(endpoint: PolicyResource): string | undefined {
  const name = text(endpoint.props["serviceName"]);
  const match = name === undefined ? null : /^(?:cn\.)?com\.amazonaws\.[a-z0-9-]+\.(.+)$/.exec(name);
  return match?.[1];
}

export const net09Endpoints = defineStackPolicy({
  meta: {
    id: "NET-09",
    title: "VPC endpoints for every AWS API used from app and data",
    severity: "medium",
    decisions: ["D6"],
    controls: { fsbp: ["EC2.10"] },
    description:
      "A VPC with app or data subnets has an interface endpoint with private DNS, placed in app subnets, for every AWS API " +
      "the design uses from inside, and gateway endpoints (S3) on the route table of every app and data subnet, so that no " +
      "workload needs an internet route to reach AWS. Interface endpoints' security groups admit nothing from the internet.",
    remediation:
      "Add the missing endpoint to INTERFACE_ENDPOINTS in src/network/endpoint-plan.ts (private DNS on, app subnets, the " +
      "endpoint security group), or attach the S3 gateway endpoint to the subnet's route table.",
    enforcementLevel: "mandatory",
  },
  config: {
    requiredInterfaceEndpoints: { type: "array", items: { type: "string" }, default: DEFAULT_INTERFACE_ENDPOINTS },
    requiredGatewayEndpoints: { type: "array", items: { type: "string" }, default: DEFAULT_GATEWAY_ENDPOINTS },
  },
  validate: (args, reportViolation) => {
    const config = args.getConfig<{ requiredInterfaceEndpoints?: string[]; requiredGatewayEndpoints?: string[] }>();
    const requiredInterface = texts(config.requiredInterfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS);
    const requiredGateway = texts(config.requiredGatewayEndpoints ?? DEFAULT_GATEWAY_ENDPOINTS);
    const index = new StackIndex(args.resources);
    const builder = new NetworkModelBuilder(index, { proxyComponents: [] });
    const inside = index.ofType(...SUBNET_TYPES).map((s) => builder.subnet(s)).filter((s) => INSIDE_ZONES.has(s.zone));
    if (inside.length === 0) args.notApplicable("the stack has no app or data subnets");
    const endpoints = index.ofType(VPC_ENDPOINT);

    const byVpc = new Map<PolicyResource | undefined, Subnet[]>();
    for (const s of inside) byVpc.set(s.vpc, [...(byVpc.get(s.vpc) ?? []), s]);
    for (const [vpc, subnets] of byVpc) {
      const vpcLabel = vpc === undefined ? "the VPC" : `VPC "${vpc.name}"`;
      const ofVpc = endpoints.filter((e) => vpc === undefined || index.targets(e, "vpcId", VPC_TYPES).includes(vpc));
      const vpcRanges = [text(vpc?.props["cidrBlock"])].flatMap((c) => (c === undefined ? [] : [parseRange(c)])).filter((r): r is AddressRange => r !== undefined);

      const missing: string[] = [];
      for (const service of requiredInterface) {
        const found = ofVpc.filter((e) => serviceOf(e) === service && text(e.props["vpcEndpointType"]) === "Interface");
        if (found.length === 0) {
          missing.push(service);
          continue;
        }
        for (const e of found) {
          if (flag(e.props["privateDnsEnabled"]) !== true) reportViolation(`interface endpoint "${e.name}" (${service}) has private DNS off, so SDKs keep resolving the public ${service} name.`, e.urn);
          const zones = [...new Set(builder.subnetsOfResource(e, "subnetIds").map((s) => s.zone))];
          if (!zones.includes("app")) reportViolation(`interface endpoint "${e.name}" (${service}) is not placed in any app subnet (zones: ${zones.join(", ") || "none"}).`, e.urn);
          for (const groupResource of index.targets(e, "securityGroupIds", ["aws:ec2/securityGroup:SecurityGroup"])) {
            for (const r of builder.group(groupResource).rules.filter((x) => x.direction === "ingress")) {
              const open = r.cidrs.filter((c) => {
                const range = parseRange(c);
                return range !== undefined && reachesInternet(range, vpcRanges);
              });
              if (open.length > 0) reportViolation(`${r.label} on the security group of interface endpoint "${e.name}" admits ${open.join(", ")}; endpoints admit the VPC only.`, groupResource.urn);
            }
          }
        }
      }
      if (missing.length > 0) reportViolation(`${vpcLabel} has app/data subnets but no interface endpoint for: ${missing.join(", ")}.`, vpc?.urn);

      for (const service of requiredGateway) {
        for (const subnet of subnets) {
          const served = subnet.routeTable.routes.some((r) => r.kind === "VPC endpoint" && r.target !== undefined && serviceOf(r.target) === service);
          if (!served) reportViolation(`subnet "${subnet.resource.name}" (${subnet.zone}) has no ${service} gateway endpoint on ${subnet.routeTable.label}.`, subnet.resource.urn);
        }
      }
    }
  },
});
