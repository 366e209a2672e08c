/**
 * Strict schemas for the custom resources the program registers whose CRDs no npm package ships,
 * written from the pinned sources' API types (fields of the Go structs' json tags; unknown fields are
 * rejected, as the API server's structural-schema pruning with strict field validation does):
 * - EnvoyProxy, HTTPRouteFilter: envoyproxy/gateway api/v1alpha1 at v1.9 (envoyproxy_types.go,
 *   shared_types.go, httproutefilter_types.go). Nested Kubernetes types (security contexts, volumes,
 *   topology spread, HPA metrics) are checked by the core schemas through `strictProblems` elsewhere;
 *   here they are records.
 * - TargetGroupBinding: kubernetes-sigs/aws-load-balancer-controller apis/elbv2/v1beta1.
 * Only the fields this program may set are listed beyond the required ones: stricter, never looser.
 */
import { z } from "zod";

const meta = z.strictObject({ name: z.string().min(1), namespace: z.string().min(1).optional(), labels: z.record(z.string(), z.string()).optional(), annotations: z.record(z.string(), z.string()).optional() });
const json = z.record(z.string(), z.unknown());
const patch = z.strictObject({ type: z.enum(["JSONMerge", "StrategicMerge"]).optional(), value: json });

const kubernetesPodSpec = z.strictObject({
  annotations: z.record(z.string(), z.string()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  securityContext: json.optional(),
  affinity: json.optional(),
  tolerations: z.array(json).optional(),
  volumes: z.array(json).optional(),
  imagePullSecrets: z.array(json).optional(),
  nodeSelector: z.record(z.string(), z.string()).optional(),
  topologySpreadConstraints: z.array(json).optional(),
  priorityClassName: z.string().optional(),
});
const kubernetesContainerSpec = z.strictObject({
  env: z.array(json).optional(),
  resources: json.optional(),
  securityContext: json.optional(),
  image: z.string().optional(),
  imageRepository: z.string().optional(),
  volumeMounts: z.array(json).optional(),
});

export const envoyProxySchema = z.strictObject({
  apiVersion: z.literal("gateway.envoyproxy.io/v1alpha1"),
  kind: z.literal("EnvoyProxy"),
  metadata: meta,
  spec: z.strictObject({
    provider: z
      .strictObject({
        type: z.literal("Kubernetes"),
        kubernetes: z
          .strictObject({
            envoyDeployment: z
              .strictObject({
                patch: patch.optional(),
                replicas: z.number().int().optional(),
                strategy: json.optional(),
                pod: kubernetesPodSpec.optional(),
                container: kubernetesContainerSpec.optional(),
                initContainers: z.array(json).optional(),
                name: z.string().optional(),
              })
              .optional(),
            envoyService: z
              .strictObject({
                annotations: z.record(z.string(), z.string()).optional(),
                labels: z.record(z.string(), z.string()).optional(),
                type: z.enum(["ClusterIP", "LoadBalancer", "NodePort"]).optional(),
                loadBalancerClass: z.string().optional(),
                allocateLoadBalancerNodePorts: z.boolean().optional(),
                loadBalancerSourceRanges: z.array(z.string()).optional(),
                loadBalancerIP: z.string().optional(),
                externalTrafficPolicy: z.enum(["Local", "Cluster"]).optional(),
                patch: patch.optional(),
                name: z.string().optional(),
              })
              .optional(),
            envoyHpa: z
              .strictObject({
                minReplicas: z.number().int().min(1).optional(),
                maxReplicas: z.number().int().min(1),
                metrics: z.array(json).optional(),
                behavior: json.optional(),
                patch: patch.optional(),
                name: z.string().optional(),
              })
              .optional(),
            envoyPDB: z
              .strictObject({ minAvailable: z.union([z.number(), z.string()]).optional(), maxUnavailable: z.union([z.number(), z.string()]).optional(), patch: patch.optional(), name: z.string().optional() })
              .optional(),
            useListenerPortAsContainerPort: z.boolean().optional(),
          })
          .optional(),
      })
      .optional(),
    shutdown: z.strictObject({ healthCheckFailureDelay: z.string().optional(), drainTimeout: z.string().optional(), minDrainDuration: z.string().optional() }).optional(),
    concurrency: z.number().int().optional(),
  }),
});

export const httpRouteFilterSchema = z.strictObject({
  apiVersion: z.literal("gateway.envoyproxy.io/v1alpha1"),
  kind: z.literal("HTTPRouteFilter"),
  metadata: meta,
  spec: z.strictObject({
    directResponse: z
      .strictObject({
        contentType: z.string().optional(),
        body: z.strictObject({ type: z.enum(["Inline", "ValueRef"]), inline: z.string().optional(), valueRef: json.optional() }).optional(),
        statusCode: z.number().int().min(200).max(599).optional(),
      })
      .optional(),
  }),
});

export const targetGroupBindingSchema = z.strictObject({
  apiVersion: z.literal("elbv2.k8s.aws/v1beta1"),
  kind: z.literal("TargetGroupBinding"),
  metadata: meta,
  spec: z.strictObject({
    targetGroupARN: z.string().regex(/^arn:aws[a-z-]*:elasticloadbalancing:/, { message: "a target group ARN" }),
    targetType: z.enum(["instance", "ip"]).optional(),
    serviceRef: z.strictObject({ name: z.string().min(1), port: z.union([z.number().int(), z.string()]) }),
    networking: json.optional(),
    nodeSelector: json.optional(),
    ipAddressType: z.enum(["ipv4", "ipv6"]).optional(),
    vpcID: z.string().optional(),
  }),
});

export const CRD_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  "gateway.envoyproxy.io/v1alpha1/EnvoyProxy": envoyProxySchema,
  "gateway.envoyproxy.io/v1alpha1/HTTPRouteFilter": httpRouteFilterSchema,
  "elbv2.k8s.aws/v1beta1/TargetGroupBinding": targetGroupBindingSchema,
};
