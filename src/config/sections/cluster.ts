import { z } from "zod";
import { cidrContains, parseCidr } from "../cidr";
import { cidrBlock, instanceType, positiveInt } from "./primitives";

/**
 * D1, D4: managed Kubernetes on cloud VMs, private, everything pinned. Only versions in EKS standard
 * support on the day of the change are accepted (docs/runbooks/kubernetes-upgrade.md says how to move on):
 * 1.35 was released on EKS on 2026-01-28 and is in standard support until 2027-03-27 (EKS release
 * calendar); 1.34's standard support ended on 2026-12-02.
 */
export const SUPPORTED_KUBERNETES_VERSIONS = ["1.35"] as const;

const addonVersion = z.string().regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, { message: "allowed: an EKS add-on version such as v1.19.2-eksbuild.1" });
const chartVersion = z.string().regex(/^v?\d+\.\d+\.\d+$/, { message: "allowed: a pinned chart version x.y.z (or vx.y.z where the chart is versioned so)" });

/** EKS: the service CIDR must be a private block between /12 and /24 that does not overlap the VPC (checked with the network). */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((c) => parseCidr(c));
const serviceCidr = z.string().refine(
  (text) => {
    const cidr = parseCidr(text);
    if (cidr === undefined || cidr.prefix < 12 || cidr.prefix > 24) return false;
    return PRIVATE_RANGES.some((r) => r !== undefined && cidrContains(r, cidr));
  },
  { message: "allowed: a private block (10/8, 172.16/12, 192.168/16) of /12 to /24, e.g. 172.20.0.0/16" },
);

export const clusterSchema = z.strictObject({
  kubernetesVersion: z.enum(SUPPORTED_KUBERNETES_VERSIONS, {
    message: `allowed: ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")} (in EKS standard support)`,
  }),
  /**
   * The Services' address block (`kubernetesNetworkConfig.serviceIpv4Cidr`), pinned so that the API
   * service address (`kubernetes.default`, the block's first host) is known to the NetworkPolicies.
   */
  serviceIpv4Cidr: serviceCidr,
  endpointPublicAccess: z.boolean(),
  publicAccessCidrs: z.array(cidrBlock).default([]),
  /** One managed node group per availability zone; the sizes are per zone (the autoscaler moves between min and max). */
  nodeGroup: z.strictObject({
    instanceTypes: z.array(instanceType).min(1),
    minSize: positiveInt(100),
    desiredSize: positiveInt(100),
    maxSize: positiveInt(100),
    diskGiB: z.number().int().min(20, { message: "allowed: 20..1000" }).max(1000, { message: "allowed: 20..1000" }),
  }),
  addons: z.strictObject({
    vpcCni: addonVersion,
    coreDns: addonVersion,
    kubeProxy: addonVersion,
    podIdentityAgent: addonVersion,
    /** EKS community add-on: the HorizontalPodAutoscalers scale on its CPU metrics. */
    metricsServer: addonVersion,
  }),
  /**
   * IAM role ARN of the identity that runs `pulumi up` (CI's deploy role), given cluster-admin through an
   * access entry. Defaults to the caller's role (`aws.getCallerIdentity`, assumed-role ARN turned into
   * the role ARN); set it when the role has a path, which the assumed-role ARN does not show.
   */
  deployerRoleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, { message: "allowed: an IAM role ARN such as arn:aws:iam::111111111111:role/deploy" })
    .optional(),
  /** AWS Load Balancer Controller: registers the gateway pods in the DMZ target group (TargetGroupBinding). Image: images.mirrored. */
  loadBalancerController: z.strictObject({ chartVersion }),
  /** Envoy Gateway (Gateway API): the edge's in-cluster gateway. Images (controller, Envoy): images.mirrored. */
  ingressGateway: z.strictObject({
    chartVersion,
    /** The port the ALB targets on the Envoy pods (the Gateway listener; no privileged-port shift above 1023). */
    port: z.number().int().min(1024, { message: "allowed: 1024..65535" }).max(65535, { message: "allowed: 1024..65535" }),
    /** The Envoy fleet's HPA maximum; its minimum is one per availability zone (at least 2). */
    maxReplicas: positiveInt(50),
  }),
  /** Cluster Autoscaler (node groups' min..max). Image: images.mirrored. */
  clusterAutoscaler: z.strictObject({ chartVersion }),
});
export type ClusterConfig = z.infer<typeof clusterSchema>;
