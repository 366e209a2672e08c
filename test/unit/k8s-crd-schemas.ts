/**
 * Strict schemas for the custom resources the program registers whose CRDs no npm package ships,
 * written from the pinned sources' API types (fields of the Go structs' json tags; unknown fields are
 * rejected, as the API server's structural-schema pruning with strict field validation does):
 * - EnvoyProxy, HTTPRouteFilter: envoyproxy/gateway api/v1alpha1 at v1.9.0 (envoyproxy_types.go,
 *   shared_types.go, httproutefilter_types.go); its go.mod pins k8s.io/api v0.36.3 and
 *   sigs.k8s.io/gateway-api v1.6.1.
 * - TargetGroupBinding: kubernetes-sigs/aws-load-balancer-controller apis/elbv2/v1beta1
 *   (targetgroupbinding_types.go).
 * The EnvoyProxy and HTTPRouteFilter field names, types and enums were compared with the CRDs the
 * v1.9.0 chart installs (charts/gateway-helm/charts/crds/crds/generated/*.yaml): every field listed
 * here exists there with the same type.
 * Only the fields this program may set are listed beyond the required ones: stricter, never looser.
 * Where a CRD embeds a Kubernetes core type (a pod security context, volumes, HPA metrics...), the zod
 * schema only says "an object" and `EMBEDDED_CORE_TYPES` names the core type: `strictProblems` holds
 * those parts to the same two core schema generations as the built-in kinds.
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
    networking: z
      .strictObject({
        ingress: z
          .array(
            z.strictObject({
              from: z.array(z.strictObject({ ipBlock: z.strictObject({ cidr: z.string() }).optional(), securityGroup: z.strictObject({ groupID: z.string() }).optional() })).min(1),
              ports: z.array(z.strictObject({ protocol: z.enum(["TCP", "UDP"]).optional(), port: z.union([z.number().int(), z.string()]).optional() })),
            }),
          )
          .optional(),
      })
      .optional(),
    multiClusterTargetGroup: z.boolean().optional(),
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

/** A Kubernetes core type embedded in a CRD: `path` (with "*" for every array item) and its type in both generations. */
export interface EmbeddedCoreType {
  readonly path: readonly string[];
  /** kubernetes-models module and interface (Kubernetes 1.33). */
  readonly module: string;
  readonly type: string;
  /** @pulumi/kubernetes `types.input` name (Kubernetes 1.37). */
  readonly pulumiType: string;
}

const coreType = (path: string, model: string, pulumiType: string): EmbeddedCoreType => {
  const slash = model.lastIndexOf("/");
  const dir = model.slice(0, slash);
  const name = model.slice(slash + 1);
  const module = dir === "meta/v1" ? `@kubernetes-models/apimachinery/apis/meta/v1/${name}` : `kubernetes-models/${dir}/${name}`;
  return { path: path.split("."), module, type: `I${name}`, pulumiType };
};

const ENVOY_K8S = "spec.provider.kubernetes";
const ENVOY_POD = `${ENVOY_K8S}.envoyDeployment.pod`;
const ENVOY_CONTAINER = `${ENVOY_K8S}.envoyDeployment.container`;

/** The core types each CRD kind embeds (Go field types in the sources named above). */
export const EMBEDDED_CORE_TYPES: Readonly<Record<string, readonly EmbeddedCoreType[]>> = {
  "gateway.envoyproxy.io/v1alpha1/EnvoyProxy": [
    coreType(`${ENVOY_K8S}.envoyDeployment.strategy`, "apps/v1/DeploymentStrategy", "apps.v1.DeploymentStrategy"),
    coreType(`${ENVOY_K8S}.envoyDeployment.initContainers.*`, "v1/Container", "core.v1.Container"),
    coreType(`${ENVOY_POD}.securityContext`, "v1/PodSecurityContext", "core.v1.PodSecurityContext"),
    coreType(`${ENVOY_POD}.affinity`, "v1/Affinity", "core.v1.Affinity"),
    coreType(`${ENVOY_POD}.tolerations.*`, "v1/Toleration", "core.v1.Toleration"),
    coreType(`${ENVOY_POD}.volumes.*`, "v1/Volume", "core.v1.Volume"),
    coreType(`${ENVOY_POD}.imagePullSecrets.*`, "v1/LocalObjectReference", "core.v1.LocalObjectReference"),
    coreType(`${ENVOY_POD}.topologySpreadConstraints.*`, "v1/TopologySpreadConstraint", "core.v1.TopologySpreadConstraint"),
    coreType(`${ENVOY_CONTAINER}.env.*`, "v1/EnvVar", "core.v1.EnvVar"),
    coreType(`${ENVOY_CONTAINER}.resources`, "v1/ResourceRequirements", "core.v1.ResourceRequirements"),
    coreType(`${ENVOY_CONTAINER}.securityContext`, "v1/SecurityContext", "core.v1.SecurityContext"),
    coreType(`${ENVOY_CONTAINER}.volumeMounts.*`, "v1/VolumeMount", "core.v1.VolumeMount"),
    coreType(`${ENVOY_K8S}.envoyHpa.metrics.*`, "autoscaling/v2/MetricSpec", "autoscaling.v2.MetricSpec"),
    coreType(`${ENVOY_K8S}.envoyHpa.behavior`, "autoscaling/v2/HorizontalPodAutoscalerBehavior", "autoscaling.v2.HorizontalPodAutoscalerBehavior"),
  ],
  "elbv2.k8s.aws/v1beta1/TargetGroupBinding": [coreType("spec.nodeSelector", "meta/v1/LabelSelector", "meta.v1.LabelSelector")],
};

/** Every value at an embedded type's path in an object, with its concrete path. */
export function embeddedValues(object: unknown, path: readonly string[]): Array<{ at: string; value: unknown }> {
  let found: Array<{ at: string; value: unknown }> = [{ at: "", value: object }];
  for (const key of path) {
    const next: Array<{ at: string; value: unknown }> = [];
    for (const { at, value } of found) {
      if (key === "*") {
        if (Array.isArray(value)) value.forEach((item, i) => next.push({ at: `${at}[${i}]`, value: item }));
      } else if (value !== null && typeof value === "object" && key in value) {
        next.push({ at: at === "" ? key : `${at}.${key}`, value: (value as Record<string, unknown>)[key] });
      }
    }
    found = next;
  }
  return found;
}
