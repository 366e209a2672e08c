/**
 * Container logs: Fluent Bit on every node (DaemonSet from the official chart), shipping to the
 * application log bucket under `containers/` with its own Pod Identity role. Built by the composition
 * root once the cluster exists (it needs the cluster's name and a Kubernetes provider).
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { LogsConfig } from "../config/sections/logs";
import type { PlatformContext } from "../conventions/context";
import { chartReference } from "../services/images";
import { renderFluentBitConfig, type S3BufferSettings } from "./fluent-bit-config";
import { fluentBitPermissions, fluentBitTrustPolicy } from "./fluent-bit-identity";
import {
  ecrMirrorRepository,
  FLUENT_BIT_CHART,
  FLUENT_BIT_MIRROR_NAME,
  FLUENT_BIT_NAMESPACE,
  FLUENT_BIT_SERVICE_ACCOUNT,
  fluentBitChartValues,
} from "./fluent-bit-values";
import { planLoggingNamespace } from "./logging-namespace";

export interface FluentBitArgs {
  readonly ctx: PlatformContext;
  readonly config: LogsConfig;
  /** Provider of the EKS cluster the DaemonSet runs in. */
  readonly provider: k8s.Provider;
  readonly clusterName: pulumi.Input<string>;
  /** `LogArchive.appLogsBucket`. */
  readonly appLogsBucket: { readonly arn: pulumi.Input<string>; readonly bucket: pulumi.Input<string> };
  /** `LogArchive.logsKey.arn`. */
  readonly logsKeyArn: pulumi.Input<string>;
  readonly buffer?: S3BufferSettings;
}

const COMPONENT = "logs";

export class FluentBit extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly namespace: k8s.core.v1.Namespace;
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: FluentBitArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:logs:FluentBit", name, {}, opts);
    const { ctx } = args;
    const tags = (resourceName?: string) => ctx.tags({ component: COMPONENT, zone: "app", dataClass: "internal" }, resourceName);
    const k8sOpts = { parent: this, provider: args.provider };

    const roleName = ctx.name(COMPONENT, "fluent-bit", 64);
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        permissionsBoundary: ctx.permissionsBoundary,
        name: roleName,
        description: "Fluent Bit (EKS Pod Identity): put container logs into the application log bucket",
        assumeRolePolicy: pulumi
          .all([ctx.accountId, args.clusterName])
          .apply(([accountId, clusterName]) => JSON.stringify(fluentBitTrustPolicy({ accountId, region: ctx.region, clusterName }))),
        maxSessionDuration: 3600,
        tags: tags(roleName),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-role-policy`,
      {
        role: this.role.id,
        policy: pulumi
          .all([args.appLogsBucket.arn, args.logsKeyArn])
          .apply(([bucketArn, keyArn]) => JSON.stringify(fluentBitPermissions({ bucketArn, keyArn, region: ctx.region }))),
      },
      { parent: this },
    );

    const ns = planLoggingNamespace();
    this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: ns.name, labels: { ...ns.labels } } }, k8sOpts);
    const inNamespace = { ...k8sOpts, dependsOn: [this.namespace] };
    for (const policy of ns.networkPolicies) {
      new k8s.networking.v1.NetworkPolicy(`${name}-${policy.name}`, { metadata: { name: policy.name, namespace: ns.name }, spec: policy.spec }, inNamespace);
    }
    new k8s.core.v1.ResourceQuota(`${name}-quota`, { metadata: { name: "logging", namespace: ns.name }, spec: { hard: ns.quota } }, inNamespace);
    new k8s.core.v1.LimitRange(`${name}-limits`, { metadata: { name: "logging", namespace: ns.name }, spec: ns.limitRange }, inNamespace);

    const association = new aws.eks.PodIdentityAssociation(
      `${name}-pod-identity`,
      {
        clusterName: args.clusterName,
        namespace: FLUENT_BIT_NAMESPACE,
        serviceAccount: FLUENT_BIT_SERVICE_ACCOUNT,
        roleArn: this.role.arn,
        tags: tags(`${roleName}-association`),
      },
      { parent: this },
    );

    const values = pulumi.all([ctx.accountId, args.appLogsBucket.bucket]).apply(([accountId, bucket]) =>
      fluentBitChartValues({
        image: {
          repository: ecrMirrorRepository({ accountId, region: ctx.region, project: ctx.project, name: FLUENT_BIT_MIRROR_NAME }),
          tag: args.config.fluentBit.imageTag,
          digest: args.config.fluentBit.imageDigest,
        },
        config: renderFluentBitConfig({ region: ctx.region, bucket, buffer: args.buffer }),
      }),
    );
    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: "fluent-bit",
        ...chartReference({ project: ctx.project, accountId: ctx.account, region: ctx.region }, FLUENT_BIT_CHART.name, args.config.fluentBit.chartVersion),
        namespace: FLUENT_BIT_NAMESPACE,
        createNamespace: false,
        values,
        atomic: true,
        cleanupOnFail: true,
      },
      // The association first, so the very first pod already gets the role's credentials.
      { ...k8sOpts, dependsOn: [this.namespace, association] },
    );

    this.registerOutputs({ roleArn: this.role.arn, namespace: this.namespace.metadata.name, release: this.release.status });
  }
}
