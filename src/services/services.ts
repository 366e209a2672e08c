/**
 * The microservices platform on Kubernetes (D1, D3, D4): the EKS cluster, the Envoy Gateway edge wired
 * to the DMZ target group, the node autoscaler, the add-ons' own NetworkPolicies, and every catalog
 * service with its identity, configuration and network policies. Only composition here; the objects
 * come from the pure plans, and the node sizing is checked before anything is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config/validate";
import type { PlatformContext } from "../conventions/context";
import { PROXY_PORT } from "../dmz/squid/paths";
import { SMTP_SUBMISSION_PORT } from "../network/endpoint-plan";
import { EksCluster } from "./cluster";
import { IngressGateway } from "./ingress-gateway";
import { type PlanContext, planInputs } from "./plan-inputs";
import type { ServiceBindings } from "../messaging/messaging";
import { AUTOSCALER_MIRROR } from "./autoscaler-plan";
import { planCapacity, platformDemand, serviceDemand } from "./capacity-plan";
import { ENVOY_GATEWAY_MIRROR, ENVOY_PROXY_MIRROR, LB_CONTROLLER_MIRROR } from "./gateway-plan";
import { mirroredImage } from "./images";
import { NodeAutoscaler } from "./node-autoscaler";
import type { KubeObject } from "./objects";
import { registerObject } from "./register";
import { planSystemPolicies } from "./system-plan";
import { messagingEnvironment } from "./workload-plan";
import { ServiceWorkloads, type WorkloadDatabaseAccess, type WorkloadMessaging } from "./workloads";

interface HasId {
  readonly id: pulumi.Input<string>;
}

export interface ServicesArgs {
  readonly ctx: PlatformContext;
  readonly platform: PlatformConfig;
  readonly network: {
    readonly vpc: HasId;
    readonly plan: PlanContext["network"];
    readonly subnets: { readonly app: readonly HasId[] };
    readonly zoneSecurityGroups: { readonly app: HasId };
  };
  readonly edge: { readonly targetGroup: { readonly arn: pulumi.Input<string> } };
  readonly egress: { readonly proxyUrl: pulumi.Input<string>; readonly noProxy: string };
  readonly databases: {
    readonly plan: PlanContext["databases"];
    readonly access: Readonly<Record<string, WorkloadDatabaseAccess>>;
    readonly caCertPem: pulumi.Input<string>;
    readonly key: { readonly arn: pulumi.Input<string> };
  };
  readonly messaging: WorkloadMessaging & { bindingsFor(service: string): pulumi.Output<ServiceBindings> };
  readonly operatorRoleArn: pulumi.Input<string>;
  readonly logs: { readonly keyArn: pulumi.Input<string> };
  /** OperatorAccess.hostSessionPolicy: lets the host encrypt and log its Session Manager sessions (D4). */
  readonly hostSessionPolicyArn?: pulumi.Input<string>;
}

export class Services extends pulumi.ComponentResource {
  readonly eks: EksCluster;
  /** Absent in the `foundation` phase (config `deploy.phase`): nothing inside the cluster yet. */
  readonly workloads?: ServiceWorkloads;
  readonly gateway?: IngressGateway;
  readonly autoscaler?: NodeAutoscaler;
  readonly clusterName: pulumi.Output<string>;
  /** The plain objects registered outside the workloads (edge, controllers, kube-system policies). */
  readonly platformObjects: readonly KubeObject[] = [];

  constructor(name: string, args: ServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:services:Services", name, {}, opts);
    const { ctx, platform } = args;
    const { config, catalog } = platform;

    const inputs = planInputs({
      ctx,
      platform,
      network: args.network.plan,
      databases: args.databases.plan,
      caBundle: args.databases.caCertPem,
      databaseSecretArns: Object.fromEntries(Object.entries(args.databases.access).map(([service, access]) => [service, access.secretArn])),
      messagingEnv: (service) => args.messaging.bindingsFor(service).apply(messagingEnvironment),
      proxy: { url: args.egress.proxyUrl, noProxy: args.egress.noProxy, port: PROXY_PORT },
      smtpPort: SMTP_SUBMISSION_PORT,
    });
    const zones = config.network.availabilityZones.length;
    // Every service at its HPA maximum and the platform at its maxima must fit with one zone lost.
    planCapacity(config.cluster, zones, [
      ...serviceDemand(catalog),
      platformDemand("envoy", config.cluster.ingressGateway.maxReplicas + 1, "260m", "320Mi"),
      platformDemand("envoy-gateway", 2, "100m", "256Mi"),
      platformDemand("aws-load-balancer-controller", 2, "50m", "128Mi"),
      platformDemand("cluster-autoscaler", 1, "100m", "300Mi"),
      platformDemand("coredns", 2, "100m", "70Mi"),
      platformDemand("metrics-server", 1, "100m", "200Mi"),
    ]);

    this.eks = new EksCluster(
      `${name}-cluster`,
      {
        ctx,
        config: config.cluster,
        images: config.images,
        catalog,
        network: { ...args.network, appSubnetZones: args.network.plan.subnets.filter((s) => s.zone === "app").map((s) => s.az) },
        logs: { keyArn: args.logs.keyArn, retentionInDays: config.logs.logGroupRetentionDays },
        operatorRoleArn: args.operatorRoleArn,
        hostSessionPolicyArn: args.hostSessionPolicyArn,
      },
      { parent: this },
    );
    this.clusterName = this.eks.cluster.name;

    // The first deploy's `foundation` phase stops here: the in-cluster part is applied by the in-VPC deployer.
    if (config.deploy.phase === "foundation") {
      this.registerOutputs({ clusterName: this.clusterName });
      return;
    }
    this.workloads = new ServiceWorkloads(
      `${name}-workloads`,
      {
        ctx,
        plan: inputs.services,
        provider: this.eks.provider,
        clusterName: this.eks.cluster.name,
        messaging: args.messaging,
        notifier: config.messaging.notifications.service,
        databaseAccess: args.databases.access,
        databaseKeyArn: args.databases.key.arn,
        dependsOn: this.eks.ready,
      },
      { parent: this },
    );

    const scope = { project: ctx.project, accountId: inputs.services.accountId, region: ctx.region };
    this.gateway = new IngressGateway(
      `${name}-gateway`,
      {
        ctx,
        plan: inputs.gateway,
        cluster: config.cluster,
        scope,
        provider: this.eks.provider,
        clusterName: this.eks.cluster.name,
        vpcId: args.network.vpc.id,
        targetGroupArn: args.edge.targetGroup.arn,
        images: {
          controller: mirroredImage(scope, config.images, ENVOY_GATEWAY_MIRROR),
          proxy: mirroredImage(scope, config.images, ENVOY_PROXY_MIRROR),
          lbController: mirroredImage(scope, config.images, LB_CONTROLLER_MIRROR),
        },
        dependsOn: this.eks.ready,
      },
      { parent: this },
    );

    this.autoscaler = new NodeAutoscaler(
      `${name}-autoscaler`,
      {
        ctx,
        scope,
        addresses: inputs.addresses,
        chartVersion: config.cluster.clusterAutoscaler.chartVersion,
        image: mirroredImage(scope, config.images, AUTOSCALER_MIRROR),
        provider: this.eks.provider,
        clusterName: this.eks.cluster.name,
        dependsOn: this.eks.ready,
      },
      { parent: this },
    );

    // Strict enforcing mode: CoreDNS and metrics-server need their own policies to work at all.
    const systemPolicies = planSystemPolicies(inputs.addresses, config.network.vpcCidr);
    for (const policy of systemPolicies) registerObject(`${name}-system`, policy, { parent: this, provider: this.eks.provider, dependsOn: this.eks.ready });
    this.platformObjects = [...this.gateway.objects, ...this.autoscaler.objects, ...systemPolicies];

    this.registerOutputs({ clusterName: this.clusterName });
  }

  /** The repositories for stack outputs: name → URL. */
  repositoryUrls(): pulumi.Output<Record<string, string>> {
    const urls: Record<string, pulumi.Output<string>> = {};
    for (const [key, repo] of Object.entries(this.eks.repositories)) urls[key] = repo.repositoryUrl;
    return pulumi.all(urls);
  }
}
