import { z } from "zod";
import { cidrBlock, imageDigest, instanceType, positiveInt } from "./primitives";

/** D1, D4: managed Kubernetes on cloud VMs, private, everything pinned. */
export const SUPPORTED_KUBERNETES_VERSIONS = ["1.31", "1.32", "1.33"] as const;

const addonVersion = z.string().regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, { message: "allowed: an EKS add-on version such as v1.19.2-eksbuild.1" });

export const clusterSchema = z.strictObject({
  kubernetesVersion: z.enum(SUPPORTED_KUBERNETES_VERSIONS, {
    message: `allowed: ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}`,
  }),
  endpointPublicAccess: z.boolean(),
  publicAccessCidrs: z.array(cidrBlock).default([]),
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
  /** AWS Load Balancer Controller: registers the gateway pods in the DMZ target group (TargetGroupBinding). */
  loadBalancerController: z.strictObject({
    chartVersion: z.string().regex(/^\d+\.\d+\.\d+$/, { message: "allowed: a pinned chart version x.y.z" }),
    imageTag: z.string().regex(/^v?\d+\.\d+\.\d+$/, { message: "allowed: a pinned image tag" }),
    imageDigest,
  }),
  ingressGateway: z.strictObject({
    chartVersion: z.string().regex(/^\d+\.\d+\.\d+$/, { message: "allowed: a pinned chart version x.y.z" }),
    imageTag: z.string().regex(/^v?\d+\.\d+\.\d+$/, { message: "allowed: a pinned image tag" }),
    imageDigest,
    /** The port the ALB targets on the gateway pods. */
    port: z.number().int().min(1024, { message: "allowed: 1024..65535" }).max(65535, { message: "allowed: 1024..65535" }),
  }),
});
export type ClusterConfig = z.infer<typeof clusterSchema>;
