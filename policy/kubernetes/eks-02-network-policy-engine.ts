import { defineStackPolicy } from "../framework/define";
import { at, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { EKS_CLUSTER } from "./api-server-address";

const ADDON = "aws:eks/addon:Addon";

export const eksNetworkPolicyEngine = defineStackPolicy({
  meta: {
    id: "EKS-02",
    title: "VPC CNI enforces NetworkPolicies in strict mode on its own identity; the service CIDR is pinned",
    severity: "high",
    decisions: ["D1", "D6"],
    controls: { other: ["EKS User Guide: network policies (NETWORK_POLICY_ENFORCING_MODE)", "EKS Best Practices: IRSA/Pod Identity for aws-node"] },
    description:
      "Every EKS cluster pins kubernetesNetworkConfig.serviceIpv4Cidr (the API service address NetworkPolicies name), and " +
      "its vpc-cni add-on sets enableNetworkPolicy \"true\" with NETWORK_POLICY_ENFORCING_MODE \"strict\" (a new pod is " +
      "denied until its policies attach, instead of open) and runs on its own pod identity association, so no pod needs " +
      "the node role through instance metadata.",
    remediation: "Use planAddons/VPC_CNI_CONFIGURATION in src/services/cluster-plan.ts and set cluster.serviceIpv4Cidr.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const clusters = index.ofType(EKS_CLUSTER);
    if (clusters.length === 0) args.notApplicable("the stack has no EKS cluster");
    for (const cluster of clusters) {
      const name = text(cluster.props["name"]) ?? cluster.name;
      if (text(at(cluster.props, "kubernetesNetworkConfig", "serviceIpv4Cidr")) === undefined) {
        reportViolation(`EKS cluster "${name}" does not pin kubernetesNetworkConfig.serviceIpv4Cidr.`, cluster.urn);
      }
      const cnis = index.ofType(ADDON).filter((a) => text(a.props["addonName"]) === "vpc-cni");
      const cni = cnis.find((a) => index.targets(a, "clusterName", [EKS_CLUSTER]).includes(cluster)) ?? (clusters.length === 1 ? cnis[0] : undefined);
      if (cni === undefined) {
        reportViolation(`EKS cluster "${name}" has no managed vpc-cni add-on (network policies would not be enforced).`, cluster.urn);
        continue;
      }
      let config: unknown = {};
      try {
        config = JSON.parse(text(cni.props["configurationValues"]) ?? "{}");
      } catch {
        reportViolation(`vpc-cni add-on of "${name}": configurationValues is not JSON.`, cni.urn);
      }
      if (String(at(config, "enableNetworkPolicy")) !== "true") reportViolation(`vpc-cni add-on of "${name}" does not enable network policies.`, cni.urn);
      const mode = text(at(config, "env", "NETWORK_POLICY_ENFORCING_MODE")) ?? "standard";
      if (mode !== "strict") reportViolation(`vpc-cni add-on of "${name}" enforces in ${mode} mode: new pods are open until their policies attach.`, cni.urn);
      const associations = cni.props["podIdentityAssociations"];
      if (!Array.isArray(associations) || !associations.some((a) => text(at(a, "serviceAccount")) === "aws-node")) {
        reportViolation(`vpc-cni add-on of "${name}" has no pod identity for aws-node: it would need the node role through IMDS.`, cni.urn);
      }
    }
  },
});
