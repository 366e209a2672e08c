/**
 * The EKS cluster's settings (EKS-01, D4/D6), pure: endpoint access per stack, control-plane logs,
 * access entries and their scoped policies, the node launch template's metadata and disk, and the
 * add-ons with their pinned versions.
 */
import type { ClusterConfig } from "../config/sections/cluster";

/** All five control-plane log types (FSBP EKS.8). */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

export const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
export const VIEW_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";

export interface EndpointPlan {
  readonly endpointPrivateAccess: true;
  readonly endpointPublicAccess: boolean;
  /** Only when public; an empty list would mean 0.0.0.0/0 to EKS. */
  readonly publicAccessCidrs?: string[];
}

export function planEndpoint(environment: "dev" | "prod", cluster: ClusterConfig): EndpointPlan {
  const isPublic = environment !== "prod" && cluster.endpointPublicAccess;
  if (isPublic && cluster.publicAccessCidrs.length === 0) {
    throw new Error("fitness-platform:cluster.publicAccessCidrs = []: allowed: one or more admin CIDRs when endpointPublicAccess is true");
  }
  return isPublic
    ? { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: [...cluster.publicAccessCidrs] }
    : { endpointPrivateAccess: true, endpointPublicAccess: false };
}

export interface AddonPlan {
  readonly name: string;
  readonly version: string;
  readonly configurationValues?: string;
  /** Needs running nodes to become ACTIVE (CoreDNS pods); the others come first so nodes turn Ready. */
  readonly afterNodes: boolean;
}

export function planAddons(cluster: ClusterConfig): AddonPlan[] {
  return [
    // Network policies are enforced by the VPC CNI's agent (K8S-05 would be paper otherwise).
    { name: "vpc-cni", version: cluster.addons.vpcCni, configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }), afterNodes: false },
    { name: "kube-proxy", version: cluster.addons.kubeProxy, afterNodes: false },
    { name: "eks-pod-identity-agent", version: cluster.addons.podIdentityAgent, afterNodes: false },
    { name: "coredns", version: cluster.addons.coreDns, afterNodes: true },
    // The HPAs of the services scale on CPU utilisation, which only metrics-server reports.
    { name: "metrics-server", version: cluster.addons.metricsServer, afterNodes: true },
  ];
}

export interface AccessEntryPlan {
  readonly key: "deployer" | "operator";
  readonly policyArn: string;
  readonly scope: { readonly type: "cluster" } | { readonly type: "namespace"; readonly namespaces: string[] };
}

/** The deployer administers the cluster (it installs everything); the DevOps provider's operator only views. */
export function planAccessEntries(): AccessEntryPlan[] {
  return [
    { key: "deployer", policyArn: CLUSTER_ADMIN_POLICY, scope: { type: "cluster" } },
    { key: "operator", policyArn: VIEW_POLICY, scope: { type: "cluster" } },
  ];
}

/**
 * The IAM principal for an access entry from `sts:GetCallerIdentity`'s ARN: an assumed-role session
 * `arn:aws:sts::<acct>:assumed-role/<role>/<session>` becomes `arn:aws:iam::<acct>:role/<role>`; IAM users
 * and roles pass unchanged. A role with a path cannot be recovered this way: set `cluster.deployerRoleArn`.
 */
export function principalFromCallerArn(arn: string): string {
  const assumed = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  if (assumed !== null) return `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}`;
  if (/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/.test(arn)) return arn;
  throw new Error(`deployer identity "${arn}": allowed: an IAM role or user (set fitness-platform:cluster.deployerRoleArn)`);
}

/** Node launch template: IMDSv2 only, 2 hops (pods sit one hop behind the node), encrypted gp3 root disk. */
export function planNodeTemplate(cluster: ClusterConfig) {
  return {
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2, instanceMetadataTags: "disabled" },
    rootVolume: { deviceName: "/dev/xvda", volumeSize: cluster.nodeGroup.diskGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
    amiType: "AL2023_x86_64_STANDARD",
  } as const;
}
