/**
 * The in-cluster ingress gateway (D3): ingress-nginx in the `edge` namespace behind the DMZ ALB, and the
 * AWS Load Balancer Controller (own namespace, own pod identity) whose TargetGroupBinding keeps the
 * gateway pods registered in the edge target group (type ip). The charts are pinned; their images come
 * from this account's ECR mirror by tag@digest.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig } from "../config/sections/cluster";
import type { PlatformContext } from "../conventions/context";
import {
  GATEWAY_RELEASE,
  type GatewayPlanInput,
  INGRESS_NGINX_CHART,
  ingressNginxValues,
  LB_CONTROLLER_CHART,
  LB_CONTROLLER_NAMESPACE,
  LB_CONTROLLER_SERVICE_ACCOUNT,
  lbControllerValues,
  planEdgeNamespace,
  planLbControllerNamespace,
  targetGroupBinding,
} from "./gateway-plan";
import { lbControllerPermissions, podIdentityTrust } from "./iam-documents";
import type { MirroredImageRef } from "./images";
import { registerObject } from "./register";
import { EDGE_NAMESPACE } from "./workload-plan";

const COMPONENT = "ingress-gateway";

export interface IngressGatewayArgs {
  readonly ctx: PlatformContext;
  readonly plan: GatewayPlanInput;
  readonly cluster: ClusterConfig;
  readonly provider: k8s.Provider;
  readonly clusterName: pulumi.Input<string>;
  readonly vpcId: pulumi.Input<string>;
  /** `Edge.targetGroup.arn` (type ip, on the gateway port). */
  readonly targetGroupArn: pulumi.Input<string>;
  readonly images: { readonly gateway: MirroredImageRef; readonly lbController: MirroredImageRef };
  /** Gateway replicas: one per AZ at least. */
  readonly replicas: number;
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class IngressGateway extends pulumi.ComponentResource {
  readonly gatewayRelease: k8s.helm.v3.Release;
  readonly controllerRelease: k8s.helm.v3.Release;
  readonly controllerRole: aws.iam.Role;

  constructor(name: string, args: IngressGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:services:IngressGateway", name, {}, opts);
    const { ctx } = args;
    const k8sOpts = { parent: this, provider: args.provider, dependsOn: args.dependsOn };

    const register = (objects: ReturnType<typeof planEdgeNamespace>) => {
      const [ns, ...rest] = objects;
      if (ns === undefined) throw new Error("gateway plan: empty namespace plan");
      const namespace = registerObject(name, ns, k8sOpts);
      for (const o of rest) registerObject(name, o, { ...k8sOpts, dependsOn: [...args.dependsOn, namespace] });
      return namespace;
    };
    const edgeNs = register(planEdgeNamespace(args.plan));
    const controllerNs = register(planLbControllerNamespace(args.plan));

    const roleName = ctx.name(COMPONENT, "lb-controller", 64);
    this.controllerRole = new aws.iam.Role(
      `${name}-lb-controller-role`,
      {
        name: roleName,
        description: "AWS Load Balancer Controller (Pod Identity): registers the gateway pods in the edge target group",
        assumeRolePolicy: pulumi
          .all([ctx.accountId, args.clusterName])
          .apply(([accountId, clusterName]) => JSON.stringify(podIdentityTrust({ partition: "aws", region: ctx.region, accountId, clusterName }))),
        maxSessionDuration: 3600,
        tags: ctx.tags({ component: COMPONENT, zone: "app" }, roleName),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-lb-controller-rights`,
      { role: this.controllerRole.id, name: "target-group-binding", policy: pulumi.output(args.targetGroupArn).apply((arn) => JSON.stringify(lbControllerPermissions(arn))) },
      { parent: this },
    );
    const association = new aws.eks.PodIdentityAssociation(
      `${name}-lb-controller-pod-identity`,
      {
        clusterName: args.clusterName,
        namespace: LB_CONTROLLER_NAMESPACE,
        serviceAccount: LB_CONTROLLER_SERVICE_ACCOUNT,
        roleArn: this.controllerRole.arn,
        tags: ctx.tags({ component: COMPONENT, zone: "app" }, `${roleName}-association`),
      },
      { parent: this },
    );

    this.controllerRelease = new k8s.helm.v3.Release(
      `${name}-lb-controller`,
      {
        name: "aws-load-balancer-controller",
        chart: LB_CONTROLLER_CHART.chart,
        version: args.cluster.loadBalancerController.chartVersion,
        repositoryOpts: { repo: LB_CONTROLLER_CHART.repo },
        namespace: LB_CONTROLLER_NAMESPACE,
        createNamespace: false,
        values: pulumi
          .all([args.clusterName, args.vpcId])
          .apply(([clusterName, vpcId]) => lbControllerValues({ image: args.images.lbController, clusterName, region: ctx.region, vpcId })),
        atomic: true,
        cleanupOnFail: true,
      },
      { ...k8sOpts, dependsOn: [...args.dependsOn, controllerNs, association] },
    );

    this.gatewayRelease = new k8s.helm.v3.Release(
      `${name}-ingress-nginx`,
      {
        name: GATEWAY_RELEASE,
        chart: INGRESS_NGINX_CHART.chart,
        version: args.cluster.ingressGateway.chartVersion,
        repositoryOpts: { repo: INGRESS_NGINX_CHART.repo },
        namespace: EDGE_NAMESPACE,
        createNamespace: false,
        values: ingressNginxValues({ image: args.images.gateway, port: args.cluster.ingressGateway.port, replicas: args.replicas, dmzCidrs: args.plan.dmzCidrs }),
        atomic: true,
        cleanupOnFail: true,
      },
      { ...k8sOpts, dependsOn: [...args.dependsOn, edgeNs] },
    );

    // The binding's CRD comes with the controller's chart.
    registerObject(name, targetGroupBinding(args.targetGroupArn, args.cluster.ingressGateway.port), {
      ...k8sOpts,
      dependsOn: [...args.dependsOn, this.controllerRelease, this.gatewayRelease],
    });

    this.registerOutputs({ gateway: this.gatewayRelease.status, controllerRoleArn: this.controllerRole.arn });
  }
}
