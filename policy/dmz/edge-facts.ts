import type { PolicyResource } from "@pulumi/policy";
import { SUBNET } from "../ec2/compute";
import { flag, text } from "../framework/props";
import { type StackIndex, zoneTag } from "../framework/stack-index";

/** How the edge rules (EDGE-01, EDGE-02) find public load balancers and what hangs off them. */
export const LOAD_BALANCER_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
export const LISTENER_TYPES = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
export const WEB_ACL = "aws:wafv2/webAcl:WebAcl";
export const WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";
export const WEB_ACL_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";

/** `internal` defaults to false: a load balancer is internet-facing unless it says otherwise. */
export function isInternetFacing(lb: PolicyResource): boolean {
  return flag(lb.props["internal"]) !== true;
}

/** `loadBalancerType` defaults to application. */
export function isApplication(lb: PolicyResource): boolean {
  return (text(lb.props["loadBalancerType"]) ?? "application") === "application";
}

export function publicApplicationLoadBalancers(index: StackIndex): PolicyResource[] {
  return index.ofType(...LOAD_BALANCER_TYPES).filter((lb) => isInternetFacing(lb) && isApplication(lb));
}

/** The zones of a load balancer's subnets ("untagged" for a subnet without a zone tag). */
export function loadBalancerZones(index: StackIndex, lb: PolicyResource): string[] {
  const subnets = [...index.targets(lb, "subnets", [SUBNET]), ...index.targets(lb, "subnetMappings", [SUBNET])];
  return [...new Set(subnets.map((s) => zoneTag(s) ?? "untagged"))].sort();
}

export function listenersOf(index: StackIndex, lb: PolicyResource): PolicyResource[] {
  return index.referrers(lb, LISTENER_TYPES, "loadBalancerArn");
}

export function label(resource: PolicyResource): string {
  return `${resource.type.split(":").pop() ?? resource.type} "${resource.name}"`;
}
