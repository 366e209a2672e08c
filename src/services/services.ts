/**
 * The microservices platform on Kubernetes (D1, D3, D4): the EKS cluster, the ingress gateway wired to
 * the DMZ target group, and every catalog service with its identity, configuration and network
 * policies. Only composition here; the objects come from the pure plans.
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
import { INGRESS_NGINX_MIRROR, LB_CONTROLLER_MIRROR } from "./gateway-plan";
import { mirroredImage } from "./images";
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
  readonly clusterName: pulumi.Output<string>;

  constructor(name: string, args: ServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:services:Services", name, {}, opts);
    const { ctx, platform } = args;
    const { config, catalog } = platform;

    this.eks = new EksCluster(
      `${name}-cluster`,
      {
        ctx,
        config: config.cluster,
        images: config.images,
        catalog,
        network: args.network,
        logs: { keyArn: args.logs.keyArn, retentionInDays: config.logs.logGroupRetentionDays },
        operatorRoleArn: args.operatorRoleArn,
        hostSessionPolicyArn: args.hostSessionPolicyArn,
      },
      { parent: this },
    );
    this.clusterName = this.eks.cluster.name;

    const inputs = planInputs({
      ctx,
      platform,
      network: args.network.plan,
      databases: args.databases.plan,
      caBundle: args.databases.caCertPem,
      messagingEnv: (service) => args.messaging.bindingsFor(service).apply(messagingEnvironment),
      proxy: { url: args.egress.proxyUrl, noProxy: args.egress.noProxy, port: PROXY_PORT },
      smtpPort: SMTP_SUBMISSION_PORT,
    });

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
        provider: this.eks.provider,
        clusterName: this.eks.cluster.name,
        vpcId: args.network.vpc.id,
        targetGroupArn: args.edge.targetGroup.arn,
        images: { gateway: mirroredImage(scope, config.images, INGRESS_NGINX_MIRROR), lbController: mirroredImage(scope, config.images, LB_CONTROLLER_MIRROR) },
        replicas: Math.max(2, config.network.availabilityZones.length),
        dependsOn: this.eks.ready,
      },
      { parent: this },
    );

    this.registerOutputs({ clusterName: this.clusterName });
  }

  /** The repositories for stack outputs: name → URL. */
  repositoryUrls(): pulumi.Output<Record<string, string>> {
    const urls: Record<string, pulumi.Output<string>> = {};
    for (const [key, repo] of Object.entries(this.eks.repositories)) urls[key] = repo.repositoryUrl;
    return pulumi.all(urls);
  }
}
