import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { at, num, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { EKS_NODE_GROUP, INSTANCE, LAUNCH_CONFIGURATION, LAUNCH_TEMPLATE, templateUsers } from "./compute";

const METADATA_DEFAULTS = "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults";

export const ec2Imdsv2 = defineStackPolicy({
  meta: {
    id: "EC2-02",
    title: "IMDSv2 required, hop limit 1 (EKS nodes included)",
    severity: "high",
    decisions: ["D6"],
    controls: { fsbp: ["EC2.8", "EC2.170"], cis: ["5.6"], checkov: ["CKV_AWS_79", "CKV_AWS_341"] },
    description:
      "Instances, launch templates and launch configurations require session tokens for the instance metadata service " +
      "(httpTokens=required) and keep the response hop limit at 1. Templates that EKS node groups launch are held to " +
      "`eksNodeHopLimit` (default 1): with 2, any pod (one hop behind the node) gets a token and the node role's " +
      "credentials; workloads use EKS Pod Identity instead. A disabled metadata endpoint also passes.",
    remediation:
      'Set metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 }; give pods their AWS rights through Pod Identity.',
    enforcementLevel: "mandatory",
  },
  config: {
    maxHopLimit: { type: "integer", minimum: 1, maximum: 64, default: 1 },
    eksNodeHopLimit: { type: "integer", minimum: 1, maximum: 64, default: 1 },
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const compute = index.ofType(INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION);
    if (compute.length === 0) args.notApplicable("the stack has no instances or launch templates");
    const config = args.getConfig<{ maxHopLimit?: number; eksNodeHopLimit?: number }>();
    // An account default of httpTokens=required covers instances that set nothing themselves.
    const accountRequiresTokens = index.ofType(METADATA_DEFAULTS).some((d) => text(d.props["httpTokens"]) === "required");
    for (const resource of compute) {
      const kind = resource.type.split(":").pop() ?? resource.type;
      const options = resource.props["metadataOptions"];
      if (text(at(options, "httpEndpoint")) === "disabled") continue;
      const tokens = text(at(options, "httpTokens")) ?? (accountRequiresTokens ? "required" : undefined);
      if (tokens !== "required") {
        reportViolation(`${kind} "${resource.name}" does not require IMDSv2 (metadataOptions.httpTokens is ${JSON.stringify(tokens ?? "unset")}).`, resource.urn);
      }
      const hops = num(at(options, "httpPutResponseHopLimit")) ?? 1;
      const limit = isEksNodeTemplate(index, resource) ? (config.eksNodeHopLimit ?? 1) : (config.maxHopLimit ?? 1);
      if (hops > limit) {
        reportViolation(`${kind} "${resource.name}" allows ${hops} metadata hops; at most ${limit}.`, resource.urn);
      }
    }
  },
});

function isEksNodeTemplate(index: StackIndex, resource: PolicyResource): boolean {
  return resource.type === LAUNCH_TEMPLATE && templateUsers(index, resource).some((u) => u.type === EKS_NODE_GROUP);
}
