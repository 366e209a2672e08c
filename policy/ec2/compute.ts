import type { PolicyResource } from "@pulumi/policy";
import { StackIndex, zoneTag } from "../framework/stack-index";

/** The EC2 compute types the rules judge, and how they relate to subnets and to each other. */
export const INSTANCE = "aws:ec2/instance:Instance";
export const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
export const LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration";
export const AUTOSCALING_GROUP = "aws:autoscaling/group:Group";
export const EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
export const EBS_VOLUME = "aws:ebs/volume:Volume";
export const SUBNET = "aws:ec2/subnet:Subnet";
export const EIP = "aws:ec2/eip:Eip";
export const EIP_ASSOCIATION = "aws:ec2/eipAssociation:EipAssociation";
export const KEY_PAIR = "aws:ec2/keyPair:KeyPair";

/** The users of a launch template or launch configuration: auto scaling groups and EKS node groups. */
export function templateUsers(index: StackIndex, template: PolicyResource): PolicyResource[] {
  if (template.type === LAUNCH_CONFIGURATION) return index.referrers(template, [AUTOSCALING_GROUP], "launchConfiguration");
  return [
    ...index.referrers(template, [AUTOSCALING_GROUP], "launchTemplate"),
    ...index.referrers(template, [AUTOSCALING_GROUP], "mixedInstancesPolicy"),
    ...index.referrers(template, [EKS_NODE_GROUP], "launchTemplate"),
  ];
}

export function subnetsOf(index: StackIndex, resource: PolicyResource): PolicyResource[] {
  switch (resource.type) {
    case INSTANCE:
      return index.targets(resource, "subnetId", [SUBNET]);
    case AUTOSCALING_GROUP:
      return index.targets(resource, "vpcZoneIdentifiers", [SUBNET]);
    case EKS_NODE_GROUP:
      return index.targets(resource, "subnetIds", [SUBNET]);
    case LAUNCH_TEMPLATE:
      return index.targets(resource, "networkInterfaces", [SUBNET]);
    default:
      return [];
  }
}

/**
 * The zones a workload runs in: those of its subnets (the network is the truth), else its own `zone`
 * tag. A template's zones are those of the groups that launch it.
 */
export function zonesOf(index: StackIndex, resource: PolicyResource): string[] {
  let subnets = subnetsOf(index, resource);
  if (resource.type === LAUNCH_TEMPLATE || resource.type === LAUNCH_CONFIGURATION) {
    subnets = [...subnets, ...templateUsers(index, resource).flatMap((u) => subnetsOf(index, u))];
  }
  const zones = new Set(subnets.map((s) => zoneTag(s) ?? "untagged"));
  if (zones.size === 0) zones.add(zoneTag(resource) ?? "unknown");
  return [...zones].sort();
}
