/**
 * The Cluster Autoscaler (D1: node groups' maxima are used): its namespace and policies, its pod
 * identity (Auto Scaling writes only on this cluster's groups) and the pinned chart from ECR.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../conventions/context";
import { AUTOSCALER_CHART, AUTOSCALER_NAMESPACE, AUTOSCALER_SERVICE_ACCOUNT, autoscalerPermissions, autoscalerValues, planAutoscalerNamespace } from "./autoscaler-plan";
import { podIdentityTrust } from "./iam-documents";
import { chartReference, type ImageScope, type MirroredImageRef } from "./images";
import type { ClusterAddresses } from "./network-policies";
import type { KubeObject } from "./objects";
import { registerObject } from "./register";

const COMPONENT = "node-autoscaler";

export interface NodeAutoscalerArgs {
  readonly ctx: PlatformContext;
  readonly scope: ImageScope;
  readonly addresses: ClusterAddresses;
  readonly chartVersion: string;
  readonly image: MirroredImageRef;
  readonly provider: k8s.Provider;
  readonly clusterName: pulumi.Input<string>;
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class NodeAutoscaler extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly role: aws.iam.Role;
  readonly objects: readonly KubeObject[];

  constructor(name: string, args: NodeAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:services:NodeAutoscaler", name, {}, opts);
    const { ctx } = args;
    const k8sOpts = { parent: this, provider: args.provider, dependsOn: args.dependsOn };
    const planned = planAutoscalerNamespace(ctx.project, args.addresses);
    const [nsObject, ...rest] = planned;
    if (nsObject === undefined) throw new Error("autoscaler plan: empty namespace plan");
    const namespace = registerObject(name, nsObject, k8sOpts);
    for (const o of rest) registerObject(name, o, { ...k8sOpts, dependsOn: [...args.dependsOn, namespace] });
    this.objects = planned;

    const roleName = ctx.name(COMPONENT, "role", 64);
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        permissionsBoundary: ctx.permissionsBoundary,
        name: roleName,
        description: "Cluster Autoscaler (Pod Identity): scales this cluster's node groups",
        assumeRolePolicy: pulumi.all([ctx.accountId, args.clusterName]).apply(([accountId, clusterName]) => JSON.stringify(podIdentityTrust({ partition: "aws", region: ctx.region, accountId, clusterName }))),
        maxSessionDuration: 3600,
        tags: ctx.tags({ component: COMPONENT, zone: "app" }, roleName),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-rights`,
      { role: this.role.id, name: "scale-node-groups", policy: pulumi.output(args.clusterName).apply((c) => JSON.stringify(autoscalerPermissions(c))) },
      { parent: this },
    );
    const association = new aws.eks.PodIdentityAssociation(
      `${name}-pod-identity`,
      { clusterName: args.clusterName, namespace: AUTOSCALER_NAMESPACE, serviceAccount: AUTOSCALER_SERVICE_ACCOUNT, roleArn: this.role.arn, tags: ctx.tags({ component: COMPONENT, zone: "app" }, `${roleName}-association`) },
      { parent: this },
    );
    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: "cluster-autoscaler",
        ...chartReference(args.scope, AUTOSCALER_CHART.name, args.chartVersion),
        namespace: AUTOSCALER_NAMESPACE,
        createNamespace: false,
        values: pulumi.output(args.clusterName).apply((clusterName) => autoscalerValues({ image: args.image, clusterName, region: ctx.region })),
        atomic: true,
        cleanupOnFail: true,
      },
      { ...k8sOpts, dependsOn: [...args.dependsOn, namespace, association] },
    );
    this.registerOutputs({ roleArn: this.role.arn });
  }
}
