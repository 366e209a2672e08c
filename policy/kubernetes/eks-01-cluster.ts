import { defineStackPolicy } from "../framework/define";
import { at, flag, list, tagsOf, text, texts } from "../framework/props";
import { StackIndex } from "../framework/stack-index";

const CLUSTER = "aws:eks/cluster:Cluster";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const SUBNET = "aws:ec2/subnet:Subnet";
const LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export const eksCluster = defineStackPolicy({
  meta: {
    id: "EKS-01",
    title: "EKS: private (prod) or CIDR-restricted endpoint, secrets encryption, all log types, supported version, app subnets",
    severity: "high",
    decisions: ["D4", "D6"],
    controls: { fsbp: ["EKS.1", "EKS.2", "EKS.3", "EKS.8"], checkov: ["CKV_AWS_37", "CKV_AWS_38", "CKV_AWS_39", "CKV_AWS_58"] },
    description:
      "Every EKS cluster keeps its API endpoint private in prod (environment tag) and, where public, open only to listed CIDRs " +
      "(never 0.0.0.0/0); encrypts Kubernetes secrets with a KMS key; sends all five control-plane log types; runs a version of " +
      "`supportedVersions`; and places its control plane and node groups only in subnets tagged zone=app.",
    remediation: "Use src/services/cluster.ts: planEndpoint, encryptionConfig with the cluster key, CONTROL_PLANE_LOG_TYPES, app subnets.",
    enforcementLevel: "mandatory",
  },
  config: { supportedVersions: { type: "array", items: { type: "string" }, default: ["1.35", "1.36"] } },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const clusters = index.ofType(CLUSTER);
    if (clusters.length === 0) args.notApplicable("the stack has no EKS cluster");
    const supported = args.getConfig<{ supportedVersions?: string[] }>().supportedVersions ?? ["1.35", "1.36"];

    for (const cluster of clusters) {
      const where = `EKS cluster "${text(cluster.props["name"]) ?? cluster.name}"`;
      const vpc = cluster.props["vpcConfig"];
      const environment = tagsOf(cluster.props)["environment"];
      if (flag(at(vpc, "endpointPublicAccess")) !== false) {
        const cidrs = texts(at(vpc, "publicAccessCidrs"));
        if (environment === "prod") reportViolation(`${where} has a public API endpoint in prod.`, cluster.urn);
        else if (cidrs.length === 0 || cidrs.some((c) => c.endsWith("/0"))) reportViolation(`${where} has a public API endpoint open to ${cidrs.length === 0 ? "everyone (no publicAccessCidrs)" : cidrs.join(", ")}.`, cluster.urn);
      }
      if (flag(at(vpc, "endpointPrivateAccess")) !== true) reportViolation(`${where} has no private API endpoint.`, cluster.urn);
      const encrypts = list(cluster.props["encryptionConfig"]).length > 0 || at(cluster.props, "encryptionConfig") !== undefined;
      const resources = texts(at(cluster.props, "encryptionConfig", "resources"));
      const keyArn = text(at(cluster.props, "encryptionConfig", "provider", "keyArn"));
      if (!encrypts || !resources.includes("secrets") || keyArn === undefined) reportViolation(`${where} does not encrypt Kubernetes secrets with a KMS key.`, cluster.urn);
      const logs = texts(cluster.props["enabledClusterLogTypes"]);
      const missing = LOG_TYPES.filter((t) => !logs.includes(t));
      if (missing.length > 0) reportViolation(`${where} does not log ${missing.join(", ")}.`, cluster.urn);
      const version = text(cluster.props["version"]);
      if (version === undefined || !supported.includes(version)) reportViolation(`${where} runs Kubernetes ${version ?? "(unpinned)"}; supported: ${supported.join(", ")}.`, cluster.urn);
      for (const subnet of index.targets(cluster, "vpcConfig", [SUBNET])) {
        const zone = tagsOf(subnet.props)["zone"];
        if (zone !== "app") reportViolation(`${where} uses subnet "${subnet.name}" of zone ${zone ?? "(untagged)"}; only app subnets.`, cluster.urn);
      }
    }
    for (const group of index.ofType(NODE_GROUP)) {
      for (const subnet of index.targets(group, "subnetIds", [SUBNET])) {
        const zone = tagsOf(subnet.props)["zone"];
        if (zone !== "app") reportViolation(`EKS node group "${text(group.props["nodeGroupName"]) ?? group.name}" uses subnet "${subnet.name}" of zone ${zone ?? "(untagged)"}; only app subnets.`, group.urn);
      }
      if (group.props["remoteAccess"] !== undefined) reportViolation(`EKS node group "${text(group.props["nodeGroupName"]) ?? group.name}" allows remote (SSH) access.`, group.urn);
    }
  },
});
