/**
 * The in-cluster edge (D3): Envoy Gateway (controller in its own namespace, Envoy fleet in `edge`)
 * behind the DMZ ALB, the Gateway API objects that configure it, and the AWS Load Balancer Controller
 * (own namespace, own pod identity) whose TargetGroupBinding keeps the Envoy pods registered in the edge
 * target group (type ip). Charts come from this account's ECR (OCI, mirrored by the pipeline; the
 * deployer's Helm is logged in to the registry) at pinned versions; images by tag@digest.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig } from "../config/sections/cluster";
import type { PlatformContext } from "../conventions/context";
import {
  envoyGatewayValues,
  GATEWAY_CHART,
  GATEWAY_CONTROLLER_NAMESPACE,
  GATEWAY_RELEASE,
  type GatewayPlanInput,
  LB_CONTROLLER_CHART,
  LB_CONTROLLER_NAMESPACE,
  LB_CONTROLLER_SERVICE_ACCOUNT,
  lbControllerValues,
  planEdgeNamespace,
  planGatewayControllerNamespace,
  planGatewayObjects,
  planLbControllerNamespace,
} from "./gateway-plan";
import { lbControllerPermissions, podIdentityTrust } from "./iam-documents";
import { chartReference, type ImageScope, type MirroredImageRef } from "./images";
import type { KubeObject } from "./objects";
import { registerObject } from "./register";

const COMPONENT = "ingress-gateway";

export interface IngressGatewayArgs {
  readonly ctx: PlatformContext;
  readonly plan: GatewayPlanInput;
  readonly cluster: ClusterConfig;
  readonly scope: ImageScope;
  readonly provider: k8s.Provider;
  readonly clusterName: pulumi.Input<string>;
  readonly vpcId: pulumi.Input<string>;
  /** `Edge.targetGroup.arn` (type ip, on the gateway port). */
  readonly targetGroupArn: pulumi.Input<string>;
  readonly images: { readonly controller: MirroredImageRef; readonly proxy: MirroredImageRef; readonly lbController: MirroredImageRef };
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class IngressGateway extends pulumi.ComponentResource {
  readonly gatewayRelease: k8s.helm.v3.Release;
  readonly controllerRelease: k8s.helm.v3.Release;
  readonly controllerRole: aws.iam.Role;
  /** Every plain object registered here (namespaces, policies, Gateway API objects, the binding). */
  readonly objects: readonly KubeObject[];

  constructor(name: string, args: IngressGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:services:IngressGateway", name, {}, opts);
    const { ctx } = args;
    const k8sOpts = { parent: this, provider: args.provider, dependsOn: args.dependsOn };
    const objects: KubeObject[] = [];

    const register = (planned: KubeObject[]) => {
      const [ns, ...rest] = planned;
      if (ns === undefined) throw new Error("gateway plan: empty namespace plan");
      objects.push(...planned);
      const namespace = registerObject(name, ns, k8sOpts);
      for (const o of rest) registerObject(name, o, { ...k8sOpts, dependsOn: [...args.dependsOn, namespace] });
      return namespace;
    };
    const controllerNs = register(planGatewayControllerNamespace(args.plan));
    const edgeNs = register(planEdgeNamespace(args.plan));
    const lbNs = register(planLbControllerNamespace(args.plan));

    const roleName = ctx.name(COMPONENT, "lb-controller", 64);
    this.controllerRole = new aws.iam.Role(
      `${name}-lb-controller-role`,
      {
        permissionsBoundary: ctx.permissionsBoundary,
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
        ...chartReference(args.scope, LB_CONTROLLER_CHART.name, args.cluster.loadBalancerController.chartVersion),
        namespace: LB_CONTROLLER_NAMESPACE,
        createNamespace: false,
        values: pulumi
          .all([args.clusterName, args.vpcId])
          .apply(([clusterName, vpcId]) => lbControllerValues({ image: args.images.lbController, clusterName, region: ctx.region, vpcId })),
        atomic: true,
        cleanupOnFail: true,
      },
      { ...k8sOpts, dependsOn: [...args.dependsOn, lbNs, association] },
    );

    // Installs the Gateway API and Envoy Gateway CRDs with the controller (chart dependency `crds`).
    this.gatewayRelease = new k8s.helm.v3.Release(
      `${name}-envoy-gateway`,
      {
        name: GATEWAY_RELEASE,
        ...chartReference(args.scope, GATEWAY_CHART.name, args.cluster.ingressGateway.chartVersion),
        namespace: GATEWAY_CONTROLLER_NAMESPACE,
        createNamespace: false,
        values: envoyGatewayValues({ controller: args.images.controller, proxy: args.images.proxy, catalog: args.plan.catalog }),
        atomic: true,
        cleanupOnFail: true,
      },
      // The watched namespaces must exist before the chart creates its Roles in them.
      { ...k8sOpts, dependsOn: [...args.dependsOn, controllerNs, edgeNs] },
    );

    const gatewayObjects = planGatewayObjects(args.plan, args.targetGroupArn);
    objects.push(...gatewayObjects);
    for (const object of gatewayObjects) {
      registerObject(name, object, { ...k8sOpts, dependsOn: [...args.dependsOn, edgeNs, this.gatewayRelease, this.controllerRelease] });
    }
    this.objects = objects;

    this.registerOutputs({ gateway: this.gatewayRelease.status, controllerRoleArn: this.controllerRole.arn });
  }
}
