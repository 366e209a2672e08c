/**
 * The EKS cluster's settings (EKS-01, D4/D6), pure: endpoint access per stack, the pinned service CIDR
 * and the API service address it implies, control-plane logs, access entries and their scoped
 * policies, the node launch template's metadata and disk, and the add-ons with their pinned versions
 * and configuration.
 */
import { Address4 } from "ip-address";
import { cidrsOverlap, mustParseCidr } from "../config/cidr";
import type { ClusterConfig } from "../config/sections/cluster";
import { undocumentedAddonPins } from "./eks-addon-versions";

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

/**
 * The address of the `kubernetes` Service (`kubernetes.default`): the API server allocates the first
 * host of the service CIDR to it. Pods dial this address; NetworkPolicies must name it (VPC CNI).
 */
export function apiServiceIp(serviceCidr: string): string {
  const cidr = mustParseCidr(serviceCidr);
  return Address4.fromBigInt(cidr.first + 1n).correctForm();
}

/** The service CIDR must not overlap the VPC (EKS rejects it, and pods could not tell the two apart). */
export function checkServiceCidr(serviceCidr: string, vpcCidr: string): void {
  if (cidrsOverlap(mustParseCidr(serviceCidr), mustParseCidr(vpcCidr))) {
    throw new Error(`fitness-platform:cluster.serviceIpv4Cidr = ${serviceCidr}: allowed: a block outside the VPC ${vpcCidr}`);
  }
}

export interface AddonPlan {
  readonly name: string;
  readonly version: string;
  readonly configurationValues?: string;
  /** The add-on's own pod identity (service account in kube-system), so no pod needs the node role. */
  readonly podIdentity?: { readonly serviceAccount: string; readonly managedPolicy: string };
  /** Needs running nodes to become ACTIVE (CoreDNS pods); the others come first so nodes turn Ready. */
  readonly afterNodes: boolean;
}

/**
 * VPC CNI settings (add-on configuration schema of v1.21): the network policy agent enforces
 * NetworkPolicies (K8S-05) in `strict` mode, so a new pod is denied in both directions until its
 * policies are attached instead of being open for the first seconds (`standard`). External SNAT is on:
 * pods keep their own address towards destinations outside the VPC CIDR (the S3 gateway endpoint's
 * prefix list), so replies come back to the pod's own ephemeral ports (32768-60999, inside the NACLs'
 * LINUX_EPHEMERAL return range) instead of to the node's randomised SNAT ports (the CNI's default
 * `--random-fully` SNAT draws from 1024-65535, half of which the NACLs would drop). There is no NAT
 * gateway, so nothing needs the node's address as source.
 */
export const VPC_CNI_CONFIGURATION = {
  enableNetworkPolicy: "true",
  env: { NETWORK_POLICY_ENFORCING_MODE: "strict", AWS_VPC_K8S_CNI_EXTERNALSNAT: "true" },
} as const;

export function planAddons(cluster: ClusterConfig): AddonPlan[] {
  return [
    {
      name: "vpc-cni",
      version: cluster.addons.vpcCni,
      configurationValues: JSON.stringify(VPC_CNI_CONFIGURATION),
      podIdentity: { serviceAccount: "aws-node", managedPolicy: "AmazonEKS_CNI_Policy" },
      afterNodes: false,
    },
    { name: "kube-proxy", version: cluster.addons.kubeProxy, afterNodes: false },
    { name: "eks-pod-identity-agent", version: cluster.addons.podIdentityAgent, afterNodes: false },
    { name: "coredns", version: cluster.addons.coreDns, afterNodes: true },
    // The HPAs of the services scale on CPU utilisation, which only metrics-server reports.
    { name: "metrics-server", version: cluster.addons.metricsServer, afterNodes: true },
  ];
}

/**
 * kube-proxy's add-on version carries the Kubernetes minor it was built for (a mismatch is the most
 * common leftover of an upgrade); every add-on with a version table in the EKS user guide must be a
 * build that table lists for the cluster's version (eks-addon-versions.ts, with the sources).
 */
export function checkAddonVersions(cluster: ClusterConfig): void {
  const minor = /^v(\d+\.\d+)\./.exec(cluster.addons.kubeProxy)?.[1];
  if (minor !== cluster.kubernetesVersion) {
    throw new Error(`fitness-platform:cluster.addons.kubeProxy = ${cluster.addons.kubeProxy}: allowed: the kube-proxy build for Kubernetes ${cluster.kubernetesVersion} (v${cluster.kubernetesVersion}.x-eksbuild.n)`);
  }
  const undocumented = undocumentedAddonPins(cluster);
  if (undocumented.length > 0) throw new Error(undocumented.join("\n"));
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

/**
 * Node launch template: IMDSv2 only with a hop limit of 1, so a pod (one network hop behind the node)
 * never gets a metadata token and cannot take the node role; every workload that calls AWS has its own
 * pod identity (the VPC CNI included, see planAddons). Encrypted gp3 root disk.
 */
export function planNodeTemplate(cluster: ClusterConfig) {
  return {
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
    rootVolume: { deviceName: "/dev/xvda", volumeSize: cluster.nodeGroup.diskGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
    amiType: "AL2023_x86_64_STANDARD",
  } as const;
}
