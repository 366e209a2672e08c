import { at, text } from "../framework/props";
import type { StackIndex } from "../framework/stack-index";

/**
 * How the stack's VPC CNI enforces NetworkPolicies: "off" when its add-on does not enable them,
 * "standard" when it says so, else "strict" (also when the stack has no vpc-cni add-on to read: the
 * stricter reading, so a policy never passes on an assumption).
 */
export function networkPolicyMode(index: StackIndex): "off" | "standard" | "strict" {
  const cni = index.ofType("aws:eks/addon:Addon").find((a) => text(a.props["addonName"]) === "vpc-cni");
  if (cni === undefined) return "strict";
  let config: unknown;
  try {
    config = JSON.parse(text(cni.props["configurationValues"]) ?? "{}");
  } catch {
    return "strict";
  }
  if (String(at(config, "enableNetworkPolicy")) !== "true") return "off";
  return text(at(config, "env", "NETWORK_POLICY_ENFORCING_MODE")) === "standard" ? "standard" : "strict";
}
