/**
 * The edge gateway (D3, D6) and what ties it to the DMZ, pure. Envoy Gateway (Gateway API) replaces
 * ingress-nginx, which upstream retired in March 2026 (docs/decisions.md, "The edge gateway is Envoy
 * Gateway"). Facts read from envoyproxy/gateway at the pinned release line (v1.9):
 * - the chart (`gateway-helm`) creates namespaced Roles, not a ClusterRole, for Secrets, Services and
 *   routes when `config.envoyGateway.provider.kubernetes.watch.namespaces` is set (templates/_rbac.tpl);
 *   its cluster-wide role then covers only nodes, namespaces and GatewayClasses;
 * - with `deploy.type: GatewayNamespace` the Envoy fleet runs in the Gateway's namespace (`edge`) and the
 *   controller stays in its own (`envoy-gateway-system`); the proxies authenticate to the controller's
 *   xDS port (18000) with a projected service-account token;
 * - Envoy and its shutdown-manager run as uid/gid 65532 with every capability dropped and no privilege
 *   escalation; the controller leaves their root filesystem writable only because Envoy writes its
 *   admin socket/log and the shutdown-manager its drain marker `/tmp/shutdown-ready`
 *   (internal/infrastructure/kubernetes/proxy/resource.go, internal/cmd/envoy/shutdown_manager.go): we
 *   make the root filesystem read-only and give both an emptyDir at /tmp;
 * - a listener port >= 1024 is used as the container port unchanged (no capability to bind low ports);
 * - the proxy pods carry `app.kubernetes.io/name: envoy` and `gateway.envoyproxy.io/owning-gateway-name`.
 * The DMZ's ALB forwards to the Envoy pods through the AWS Load Balancer Controller's TargetGroupBinding.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Catalog } from "../config/catalog-schema";
import type { ClusterConfig } from "../config/sections/cluster";
import type { MirroredImageRef } from "./images";
import {
  allowDns,
  apiServerRule,
  type ClusterAddresses,
  defaultDeny,
  egressPolicy,
  endpointsRule,
  ingressPolicy,
  ipBlock,
  podIdentityRule,
  podsOf,
  tcp,
} from "./network-policies";
import { type KubeObject, limitRangeObject, namespaceObject, PART_OF_LABEL, resourceQuotaObject } from "./objects";

export const EDGE_NAMESPACE = "edge";
export const GATEWAY_CONTROLLER_NAMESPACE = "envoy-gateway-system";
export const GATEWAY_CHART = { name: "gateway-helm", upstream: "oci://docker.io/envoyproxy/gateway-helm" } as const;
export const LB_CONTROLLER_CHART = { name: "aws-load-balancer-controller", upstream: "https://aws.github.io/eks-charts" } as const;
export const GATEWAY_RELEASE = "envoy-gateway";
export const GATEWAY_CLASS = "edge";
export const GATEWAY_NAME = "edge";
export const ENVOY_PROXY_CONFIG = "edge-proxy";
/** Fixed name of the Envoy fleet's Service (EnvoyProxy `envoyService.name`): the TargetGroupBinding names it. */
export const GATEWAY_SERVICE = "edge-gateway";
export const GATEWAY_LISTENER = "http";
export const HEALTH_LISTENER = "health";
/** Labels Envoy Gateway puts on the proxy pods; the NetworkPolicies select them. */
export const ENVOY_POD_LABELS = { "app.kubernetes.io/name": "envoy", "gateway.envoyproxy.io/owning-gateway-name": GATEWAY_NAME } as const;
/** Labels of the controller's pods (chart selector labels). */
export const GATEWAY_CONTROLLER_POD_LABELS = { "app.kubernetes.io/name": "gateway-helm" } as const;
export const ENVOY_UID = 65532;
export const XDS_PORT = 18000;
/** Envoy's readiness listener (bootstrap.EnvoyReadinessPort). */
export const ENVOY_READINESS_PORT = 19003;
export const GATEWAY_CONTROLLER_NAME = "gateway.envoyproxy.io/gatewayclass-controller";
export const LB_CONTROLLER_NAMESPACE = "aws-load-balancer-controller";
export const LB_CONTROLLER_APP = "aws-load-balancer-controller";
export const LB_CONTROLLER_SERVICE_ACCOUNT = "aws-load-balancer-controller";
export const LB_CONTROLLER_WEBHOOK_PORT = 9443;
export const ENVOY_GATEWAY_MIRROR = "envoy-gateway";
export const ENVOY_PROXY_MIRROR = "envoy-proxy";
export const LB_CONTROLLER_MIRROR = "aws-load-balancer-controller";
/** The label every namespace allowed to attach routes to the edge Gateway carries. */
export const PUBLIC_ROUTES_LABEL = "fitness.example.com/public-routes";

const RESTRICTED_CONTAINER = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};
const restrictedPod = (uid: number) => ({ runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: "RuntimeDefault" } });

export interface GatewayPlanInput {
  readonly project: string;
  readonly catalog: Catalog;
  readonly cluster: ClusterConfig;
  readonly addresses: ClusterAddresses;
  readonly dmzCidrs: readonly string[];
  readonly edgeDomain: string;
  /** Gateway pods: at least one per availability zone. */
  readonly minReplicas: number;
  /** The ALB's health-check path, answered by Envoy itself. */
  readonly healthCheckPath: string;
}

/** Services with public routes, sorted: the gateway sends only to these. */
export function publicServices(catalog: Catalog): [string, Catalog["services"][string]][] {
  return Object.entries(catalog.services)
    .filter(([, s]) => s.publicRoutes.length > 0)
    .sort(([a], [b]) => a.localeCompare(b));
}

/** Namespaces the controller watches (namespaced RBAC only): the edge and every service with public routes. */
export const watchedNamespaces = (catalog: Catalog) => [EDGE_NAMESPACE, ...publicServices(catalog).map(([name]) => name)];

const envoyPeer = () => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": EDGE_NAMESPACE } }, podSelector: { matchLabels: { ...ENVOY_POD_LABELS } } });

/** The `edge` namespace: Envoy admits the ALB (DMZ subnets) on its port and sends only to public services and the controller. */
export function planEdgeNamespace(input: GatewayPlanInput): KubeObject[] {
  const port = input.cluster.ingressGateway.port;
  const ns = EDGE_NAMESPACE;
  return [
    namespaceObject(ns, { [PART_OF_LABEL]: input.project }),
    defaultDeny(ns),
    allowDns(ns),
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "envoy-ingress", namespace: ns },
      // Target type ip: the ALB connects to the pod directly from its DMZ addresses (and health-checks it there).
      spec: { podSelector: { matchLabels: { ...ENVOY_POD_LABELS } }, policyTypes: ["Ingress"], ingress: [{ from: input.dmzCidrs.map(ipBlock), ports: [tcp(port)] }] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "envoy-egress", namespace: ns },
      spec: {
        podSelector: { matchLabels: { ...ENVOY_POD_LABELS } },
        policyTypes: ["Egress"],
        egress: [
          ...publicServices(input.catalog).map(([name, s]) => ({ to: [podsOf(name, name)], ports: [tcp(s.port)] })),
          // xDS from the controller; the proxies need nothing else (no Kubernetes API, no AWS).
          { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": GATEWAY_CONTROLLER_NAMESPACE } }, podSelector: { matchLabels: { ...GATEWAY_CONTROLLER_POD_LABELS } } }], ports: [tcp(XDS_PORT)] },
        ],
      },
    },
    resourceQuotaObject(ns, { pods: String(input.cluster.ingressGateway.maxReplicas + 2), "requests.cpu": "4", "requests.memory": "4Gi", "limits.cpu": "8", "limits.memory": "8Gi", "services.loadbalancers": "0", "services.nodeports": "0" }),
    limitRangeObject(ns, { default: { cpu: "1", memory: "512Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" }, max: { cpu: "2", memory: "1Gi" } }),
  ];
}

/** The controller's namespace: it reaches the API server, serves xDS to the edge, and nothing else. */
export function planGatewayControllerNamespace(input: GatewayPlanInput): KubeObject[] {
  const ns = GATEWAY_CONTROLLER_NAMESPACE;
  return [
    namespaceObject(ns, { [PART_OF_LABEL]: input.project }),
    defaultDeny(ns),
    allowDns(ns),
    // The controller and its certgen job talk to the API server (watch routes, write status, create the xDS certificates).
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "controller-egress", namespace: ns },
      spec: { podSelector: {}, policyTypes: ["Egress"], egress: [apiServerRule(input.addresses)] },
    },
    ingressPolicy(ns, GATEWAY_CONTROLLER_POD_LABELS["app.kubernetes.io/name"], "xds-ingress", [{ from: [envoyPeer()], ports: [tcp(XDS_PORT)] }]),
    resourceQuotaObject(ns, { pods: "6", "requests.cpu": "2", "requests.memory": "4Gi", "limits.cpu": "4", "limits.memory": "6Gi", "services.loadbalancers": "0", "services.nodeports": "0" }),
    limitRangeObject(ns, { default: { cpu: "500m", memory: "1Gi" }, defaultRequest: { cpu: "100m", memory: "256Mi" }, max: { cpu: "1", memory: "2Gi" } }),
  ];
}

/** Values for the Envoy Gateway chart; every field a policy checks is set here. */
export function envoyGatewayValues(args: { controller: MirroredImageRef; proxy: MirroredImageRef; catalog: Catalog }): Record<string, unknown> {
  const image = `${args.controller.repository}:${args.controller.tag}@${args.controller.digest}`;
  return {
    global: {
      imageRegistry: "",
      images: {
        envoyGateway: { image, pullPolicy: "IfNotPresent" },
        // Envoy's image: the default the controller stamps into every proxy Deployment.
        envoyProxy: { image: `${args.proxy.repository}:${args.proxy.tag}@${args.proxy.digest}`, pullPolicy: "IfNotPresent" },
      },
    },
    deployment: {
      replicas: 2,
      envoyGateway: {
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1024Mi" } },
        securityContext: { ...RESTRICTED_CONTAINER, runAsUser: ENVOY_UID, runAsGroup: ENVOY_UID },
      },
      pod: {
        securityContext: restrictedPod(ENVOY_UID),
        topologySpreadConstraints: [
          { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { ...GATEWAY_CONTROLLER_POD_LABELS } } },
        ],
      },
    },
    podDisruptionBudget: { minAvailable: 1 },
    service: { type: "ClusterIP" },
    // The mutating webhook that copies zone labels onto proxy pods is not needed (no zone-aware routing).
    topologyInjector: { enabled: false },
    config: {
      envoyGateway: {
        gateway: { controllerName: GATEWAY_CONTROLLER_NAME },
        provider: {
          type: "Kubernetes",
          kubernetes: {
            // Namespaced RBAC only: no cluster-wide Secret read anywhere.
            watch: { type: "Namespaces", namespaces: watchedNamespaces(args.catalog) },
            deploy: { type: "GatewayNamespace" },
          },
        },
        logging: { level: { default: "info" } },
      },
    },
    certgen: { job: { securityContext: { ...RESTRICTED_CONTAINER, runAsUser: ENVOY_UID, runAsGroup: ENVOY_UID }, pod: { securityContext: restrictedPod(ENVOY_UID) } } },
  };
}

const tmpVolume = { name: "tmp", emptyDir: { sizeLimit: "64Mi" } };

/** GatewayClass, EnvoyProxy (how the fleet runs), Gateway, the health-check answer and the target-group binding. */
export function planGatewayObjects(input: GatewayPlanInput, targetGroupArn: pulumi.Input<string>): KubeObject[] {
  const port = input.cluster.ingressGateway.port;
  const containerSecurity = { ...RESTRICTED_CONTAINER, runAsUser: ENVOY_UID, runAsGroup: ENVOY_UID };
  return [
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "GatewayClass",
      metadata: { name: GATEWAY_CLASS },
      spec: { controllerName: GATEWAY_CONTROLLER_NAME, parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: ENVOY_PROXY_CONFIG, namespace: EDGE_NAMESPACE } },
    },
    {
      apiVersion: "gateway.envoyproxy.io/v1alpha1",
      kind: "EnvoyProxy",
      metadata: { name: ENVOY_PROXY_CONFIG, namespace: EDGE_NAMESPACE },
      spec: {
        provider: {
          type: "Kubernetes",
          kubernetes: {
            envoyDeployment: {
              pod: {
                securityContext: restrictedPod(ENVOY_UID),
                volumes: [tmpVolume],
                topologySpreadConstraints: [
                  { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { ...ENVOY_POD_LABELS } } },
                ],
              },
              container: {
                securityContext: containerSecurity,
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
              },
              // The shutdown-manager sidecar gets the same restricted context and the same writable /tmp
              // (strategic merge on the generated Deployment; it writes /tmp/shutdown-ready).
              patch: {
                type: "StrategicMerge",
                value: { spec: { template: { spec: { containers: [{ name: "shutdown-manager", securityContext: containerSecurity, volumeMounts: [{ name: "tmp", mountPath: "/tmp" }] }] } } } },
              },
            },
            envoyService: { name: GATEWAY_SERVICE, type: "ClusterIP" },
            envoyHpa: {
              minReplicas: input.minReplicas,
              maxReplicas: input.cluster.ingressGateway.maxReplicas,
              metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }],
            },
            envoyPDB: { maxUnavailable: 1 },
          },
        },
        // Connections drain before the pod goes (the ALB deregisters first, then Envoy stops accepting).
        shutdown: { drainTimeout: "60s", minDrainDuration: "15s" },
      },
    },
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name: GATEWAY_NAME, namespace: EDGE_NAMESPACE },
      spec: {
        gatewayClassName: GATEWAY_CLASS,
        listeners: [
          {
            name: GATEWAY_LISTENER,
            protocol: "HTTP",
            port,
            hostname: input.edgeDomain,
            // Routes attach only from namespaces the platform labels as public (the catalog's services with publicRoutes).
            allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { [PUBLIC_ROUTES_LABEL]: "true" } } }, kinds: [{ kind: "HTTPRoute" }] },
          },
          // ALB health checks carry the target's address as Host: a host-less listener on the same port
          // takes them, and only the edge namespace's own health route may attach to it.
          { name: HEALTH_LISTENER, protocol: "HTTP", port, allowedRoutes: { namespaces: { from: "Same" }, kinds: [{ kind: "HTTPRoute" }] } },
        ],
      },
    },
    {
      apiVersion: "gateway.envoyproxy.io/v1alpha1",
      kind: "HTTPRouteFilter",
      metadata: { name: "health", namespace: EDGE_NAMESPACE },
      spec: { directResponse: { contentType: "text/plain", statusCode: 200, body: { type: "Inline", inline: "ok" } } },
    },
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "alb-health", namespace: EDGE_NAMESPACE },
      spec: {
        parentRefs: [{ name: GATEWAY_NAME, sectionName: HEALTH_LISTENER }],
        // Envoy answers the ALB's health check itself: a target is healthy when Envoy is up and configured.
        rules: [{ matches: [{ path: { type: "Exact", value: input.healthCheckPath } }], filters: [{ type: "ExtensionRef", extensionRef: { group: "gateway.envoyproxy.io", kind: "HTTPRouteFilter", name: "health" } }] }],
      },
    },
    targetGroupBinding(targetGroupArn, port),
  ];
}

/** The LB controller's namespace: admits the API server (control-plane ENIs) to its webhook; sends to the API server, the ELB/EC2 endpoints and its pod identity. */
export function planLbControllerNamespace(input: GatewayPlanInput): KubeObject[] {
  const ns = LB_CONTROLLER_NAMESPACE;
  return [
    namespaceObject(ns, { [PART_OF_LABEL]: input.project }),
    defaultDeny(ns),
    allowDns(ns),
    ingressPolicy(ns, LB_CONTROLLER_APP, "webhook-ingress", [{ from: input.addresses.appCidrs.map(ipBlock), ports: [tcp(LB_CONTROLLER_WEBHOOK_PORT)] }]),
    egressPolicy(ns, LB_CONTROLLER_APP, "controller-egress", [apiServerRule(input.addresses), endpointsRule(input.addresses), podIdentityRule()]),
    resourceQuotaObject(ns, { pods: "4", "requests.cpu": "1", "requests.memory": "1Gi", "limits.cpu": "2", "limits.memory": "2Gi", "services.loadbalancers": "0", "services.nodeports": "0" }),
    limitRangeObject(ns, { default: { cpu: "200m", memory: "256Mi" }, defaultRequest: { cpu: "50m", memory: "128Mi" }, max: { cpu: "1", memory: "1Gi" } }),
  ];
}

export function lbControllerValues(args: { image: MirroredImageRef; clusterName: string; region: string; vpcId: string }): Record<string, unknown> {
  return {
    clusterName: args.clusterName,
    region: args.region,
    vpcId: args.vpcId,
    replicaCount: 2,
    image: { repository: args.image.repository, tag: `${args.image.tag}@${args.image.digest}`, pullPolicy: "IfNotPresent" },
    serviceAccount: { create: true, name: LB_CONTROLLER_SERVICE_ACCOUNT, automountServiceAccountToken: true },
    podLabels: { "app.kubernetes.io/name": LB_CONTROLLER_APP },
    podSecurityContext: restrictedPod(65534),
    securityContext: { ...RESTRICTED_CONTAINER, runAsUser: 65534, runAsGroup: 65534 },
    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
    hostNetwork: false,
    webhookBindPort: LB_CONTROLLER_WEBHOOK_PORT,
    // Only TargetGroupBinding is used: no Ingress class, no Service mutation, no Shield/WAF calls (the edge owns WAF).
    createIngressClassResource: false,
    enableServiceMutatorWebhook: false,
    enableShield: false,
    enableWaf: false,
    enableWafv2: false,
    defaultTargetType: "ip",
  };
}

/** Registers the Envoy Service's pod IPs in the edge ALB's target group (type ip). */
export function targetGroupBinding(targetGroupArn: pulumi.Input<string>, port: number): KubeObject {
  return {
    apiVersion: "elbv2.k8s.aws/v1beta1",
    kind: "TargetGroupBinding",
    metadata: { name: "edge-alb", namespace: EDGE_NAMESPACE },
    spec: { serviceRef: { name: GATEWAY_SERVICE, port }, targetGroupARN: targetGroupArn, targetType: "ip" },
  };
}
