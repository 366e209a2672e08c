/**
 * The ingress gateway (D3) and what ties it to the DMZ, pure: the `edge` namespace with its policies,
 * values for the official ingress-nginx chart (image from this account's ECR mirror by tag@digest,
 * non-root ports >= 1024, restricted security context, ClusterIP only, no admission webhook job), and
 * the AWS Load Balancer Controller (chart values, namespace, policies) whose TargetGroupBinding keeps the
 * gateway pods' IPs registered in the edge ALB's target group.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Catalog } from "../config/catalog-schema";
import type { ClusterConfig } from "../config/sections/cluster";
import type { MirroredImageRef } from "./images";
import {
  allowDns,
  defaultDeny,
  egressPolicy,
  ingressPolicy,
  ipBlock,
  podIdentityRule,
  podsOf,
  tcp,
  vpcHttpsRule,
} from "./network-policies";
import { type KubeObject, limitRangeObject, NAME_LABEL, namespaceObject, PART_OF_LABEL, resourceQuotaObject } from "./objects";
import { EDGE_NAMESPACE, GATEWAY_APP, INGRESS_CLASS } from "./workload-plan";

export const INGRESS_NGINX_CHART = { repo: "https://kubernetes.github.io/ingress-nginx", chart: "ingress-nginx" } as const;
export const LB_CONTROLLER_CHART = { repo: "https://aws.github.io/eks-charts", chart: "aws-load-balancer-controller" } as const;
export const LB_CONTROLLER_NAMESPACE = "aws-load-balancer-controller";
export const LB_CONTROLLER_APP = "aws-load-balancer-controller";
export const LB_CONTROLLER_SERVICE_ACCOUNT = "aws-load-balancer-controller";
export const LB_CONTROLLER_WEBHOOK_PORT = 9443;
export const GATEWAY_RELEASE = "ingress-nginx";
/** The chart names the controller's Service `<release>-controller`. */
export const GATEWAY_SERVICE = `${GATEWAY_RELEASE}-controller`;
export const GATEWAY_HEALTH_PORT = 10254;
export const GATEWAY_UID = 101;
export const INGRESS_NGINX_MIRROR = "ingress-nginx-controller";
export const LB_CONTROLLER_MIRROR = "aws-load-balancer-controller";

const RESTRICTED_CONTAINER = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

export interface GatewayPlanInput {
  readonly project: string;
  readonly catalog: Catalog;
  readonly cluster: ClusterConfig;
  readonly vpcCidr: string;
  readonly dmzCidrs: readonly string[];
}

/** The `edge` namespace: the gateway admits the ALB (DMZ subnets) on its port and sends only to public services. */
export function planEdgeNamespace(input: GatewayPlanInput): KubeObject[] {
  const port = input.cluster.ingressGateway.port;
  const publicServices = Object.entries(input.catalog.services)
    .filter(([, s]) => s.publicRoutes.length > 0)
    .sort(([a], [b]) => a.localeCompare(b));
  return [
    namespaceObject(EDGE_NAMESPACE, { [PART_OF_LABEL]: input.project }),
    defaultDeny(EDGE_NAMESPACE),
    allowDns(EDGE_NAMESPACE),
    ingressPolicy(EDGE_NAMESPACE, GATEWAY_APP, "gateway-ingress", [
      // Target type ip: the ALB connects to the pod directly from its DMZ addresses (and health-checks it there).
      { from: input.dmzCidrs.map(ipBlock), ports: [tcp(port)] },
    ]),
    egressPolicy(EDGE_NAMESPACE, GATEWAY_APP, "gateway-egress", [
      ...publicServices.map(([name, s]) => ({ to: [podsOf(name, name)], ports: [tcp(s.port)] })),
      // The Kubernetes API (Ingress, EndpointSlice watches) inside the VPC.
      vpcHttpsRule(input.vpcCidr),
    ]),
    resourceQuotaObject(EDGE_NAMESPACE, { pods: "10", "requests.cpu": "4", "requests.memory": "4Gi", "limits.cpu": "8", "limits.memory": "8Gi", "services.loadbalancers": "0", "services.nodeports": "0" }),
    limitRangeObject(EDGE_NAMESPACE, { default: { cpu: "1", memory: "512Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" }, max: { cpu: "2", memory: "1Gi" } }),
  ];
}

/** Values for the ingress-nginx chart; every field a policy checks is set explicitly here. */
export function ingressNginxValues(args: { image: MirroredImageRef; port: number; replicas: number; dmzCidrs: readonly string[] }): Record<string, unknown> {
  const { image, port } = args;
  const httpsPort = port === 8443 ? 8444 : 8443;
  return {
    fullnameOverride: GATEWAY_RELEASE,
    controller: {
      name: "controller",
      image: {
        registry: image.registry,
        image: image.path,
        tag: image.tag,
        digest: image.digest,
        chroot: false,
        pullPolicy: "IfNotPresent",
        runAsNonRoot: true,
        runAsUser: GATEWAY_UID,
        runAsGroup: GATEWAY_UID,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        seccompProfile: { type: "RuntimeDefault" },
      },
      labels: { [NAME_LABEL]: GATEWAY_APP },
      podLabels: { [NAME_LABEL]: GATEWAY_APP },
      ingressClass: INGRESS_CLASS,
      ingressClassResource: { enabled: true, default: false, name: INGRESS_CLASS, controllerValue: "k8s.io/ingress-nginx" },
      // Only Ingresses of this class, from any namespace (each service's Ingress lives in its own).
      watchIngressWithoutClass: false,
      allowSnippetAnnotations: false,
      hostNetwork: false,
      hostPort: { enabled: false },
      kind: "Deployment",
      replicaCount: args.replicas,
      minAvailable: 1,
      // Non-root: listen above 1024; TLS ends at the ALB, so only HTTP is served.
      containerPort: { http: port, https: httpsPort },
      extraArgs: { "http-port": String(port), "https-port": String(httpsPort) },
      podSecurityContext: { runAsNonRoot: true, runAsUser: GATEWAY_UID, runAsGroup: GATEWAY_UID, fsGroup: GATEWAY_UID, seccompProfile: { type: "RuntimeDefault" } },
      containerSecurityContext: { ...RESTRICTED_CONTAINER, runAsUser: GATEWAY_UID, runAsGroup: GATEWAY_UID },
      // nginx writes its temp files and rendered config under /tmp; the root filesystem stays read-only.
      extraVolumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
      extraVolumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
      automountServiceAccountToken: true,
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { [NAME_LABEL]: GATEWAY_APP } } },
      ],
      service: { enabled: true, type: "ClusterIP", external: { enabled: true }, ports: { http: port }, targetPorts: { http: "http" }, enableHttps: false },
      admissionWebhooks: { enabled: false },
      metrics: { enabled: false },
      config: { "use-forwarded-headers": "true", "server-tokens": "false", "proxy-real-ip-cidr": args.dmzCidrs.join(",") },
    },
    defaultBackend: { enabled: false },
    rbac: { create: true, scope: false },
    serviceAccount: { create: true, name: GATEWAY_RELEASE, automountServiceAccountToken: true },
  };
}

/** The LB controller's namespace: admits the API server to its webhook, sends to the VPC (ELB, EC2, EKS APIs). */
export function planLbControllerNamespace(input: GatewayPlanInput): KubeObject[] {
  const ns = LB_CONTROLLER_NAMESPACE;
  return [
    namespaceObject(ns, { [PART_OF_LABEL]: input.project }),
    defaultDeny(ns),
    allowDns(ns),
    ingressPolicy(ns, LB_CONTROLLER_APP, "webhook-ingress", [{ from: [ipBlock(input.vpcCidr)], ports: [tcp(LB_CONTROLLER_WEBHOOK_PORT)] }]),
    egressPolicy(ns, LB_CONTROLLER_APP, "controller-egress", [vpcHttpsRule(input.vpcCidr), podIdentityRule()]),
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
    podLabels: { [NAME_LABEL]: LB_CONTROLLER_APP },
    podSecurityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
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

/** Registers the gateway Service's pod IPs in the edge ALB's target group (type ip). */
export function targetGroupBinding(targetGroupArn: pulumi.Input<string>, port: number): KubeObject {
  return {
    apiVersion: "elbv2.k8s.aws/v1beta1",
    kind: "TargetGroupBinding",
    metadata: { name: "edge-alb", namespace: EDGE_NAMESPACE },
    spec: { serviceRef: { name: GATEWAY_SERVICE, port }, targetGroupARN: targetGroupArn, targetType: "ip" },
  };
}
