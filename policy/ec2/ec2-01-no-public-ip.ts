import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { flag, list, at, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { EIP, EIP_ASSOCIATION, INSTANCE, LAUNCH_CONFIGURATION, LAUNCH_TEMPLATE, subnetsOf, zonesOf } from "./compute";

function instanceIsPublic(index: StackIndex, instance: PolicyResource): string | undefined {
  const explicit = flag(instance.props["associatePublicIpAddress"]);
  if (explicit === true) return "associatePublicIpAddress is true";
  if (explicit === undefined) {
    const auto = subnetsOf(index, instance).find((s) => flag(s.props["mapPublicIpOnLaunch"]) === true);
    if (auto !== undefined) return `its subnet "${auto.name}" auto-assigns public IPs`;
  }
  const eips = [...index.referrers(instance, [EIP], "instance"), ...index.referrers(instance, [EIP_ASSOCIATION], "instanceId")];
  if (eips.length > 0) return `elastic IP "${eips[0]?.name}" is attached`;
  return undefined;
}

function templateIsPublic(template: PolicyResource): string | undefined {
  if (template.type === LAUNCH_CONFIGURATION) {
    return flag(template.props["associatePublicIpAddress"]) === true ? "associatePublicIpAddress is true" : undefined;
  }
  const nic = list(template.props["networkInterfaces"]).find((n) => flag(at(n, "associatePublicIpAddress")) === true);
  return nic === undefined ? undefined : "a network interface sets associatePublicIpAddress";
}

export const ec2NoPublicIp = defineStackPolicy({
  meta: {
    id: "EC2-01",
    title: "No public IP outside the DMZ",
    severity: "high",
    decisions: ["D6"],
    controls: { fsbp: ["EC2.9", "EC2.25"], checkov: ["CKV_AWS_88"] },
    description:
      "Instances, launch templates and launch configurations get a public IP (explicitly, from a subnet that auto-assigns " +
      "one, or through an elastic IP) only in the DMZ. The zone comes from the subnets they run in, else from their zone tag.",
    remediation:
      "Set associatePublicIpAddress: false (launch templates: in every network interface), keep app and data subnets with " +
      "mapPublicIpOnLaunch: false, and reach hosts through SSM and the edge load balancer instead of public addresses.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const compute = index.ofType(INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION);
    if (compute.length === 0) args.notApplicable("the stack has no instances or launch templates");
    for (const resource of compute) {
      const why = resource.type === INSTANCE ? instanceIsPublic(index, resource) : templateIsPublic(resource);
      if (why === undefined) continue;
      const outside = zonesOf(index, resource).filter((z) => z !== "dmz");
      if (outside.length > 0) {
        const kind = text(resource.type.split(":").pop()) ?? resource.type;
        reportViolation(`${kind} "${resource.name}" gets a public IP (${why}) in zone ${outside.join(", ")}; only the DMZ may.`, resource.urn);
      }
    }
  },
});

