/**
 * Builds the plans' inputs from the validated stack configuration and the other areas' plans (pure
 * apart from the deploy-time values passed through): the account comes from `aws:allowedAccountIds`,
 * database hosts from the databases plan, proxy settings only for services with a live exception.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config/validate";
import type { PlatformContext } from "../conventions/context";
import { apiServiceIp, checkAddonVersions, checkServiceCidr } from "./cluster-plan";
import type { GatewayPlanInput } from "./gateway-plan";
import type { ClusterAddresses } from "./network-policies";
import { type DbClientSettings, dbClientSettings } from "./db-client-settings";
import { proxiedServices } from "./service-identity";
import type { ServiceDatabase, ServicesPlanInput } from "./workload-plan";

export interface PlanContext {
  readonly network: { readonly vpcCidr: string; readonly subnets: readonly { readonly zone: string; readonly az: string; readonly cidr: string }[] };
  readonly databases: {
    readonly hosts: readonly {
      readonly dnsName: string;
      readonly port: number;
      readonly placement: { readonly privateIp: string };
      readonly members?: readonly { readonly placement: { readonly privateIp: string } }[];
      readonly owners: readonly { readonly service: string; readonly database: string; readonly role: string }[];
    }[];
  };
}

export interface PlanInputsArgs {
  readonly ctx: Pick<PlatformContext, "project" | "region">;
  readonly platform: Pick<PlatformConfig, "config" | "catalog" | "liveEgressExceptions" | "aws" | "stack">;
  readonly network: PlanContext["network"];
  readonly databases: PlanContext["databases"];
  readonly caBundle: pulumi.Input<string>;
  /** Owning service → Secrets Manager ARN of its database credentials. */
  readonly databaseSecretArns: Readonly<Record<string, pulumi.Input<string>>>;
  readonly messagingEnv: (service: string) => pulumi.Input<Record<string, string>>;
  readonly proxy: { readonly url: pulumi.Input<string>; readonly noProxy: string; readonly port: number };
  readonly smtpPort: number;
}

/** The account every image reference names; the provider refuses any other (`allowedAccountIds`). */
export function registryAccount(platform: Pick<PlatformConfig, "aws" | "stack">): string {
  const account = platform.aws.allowedAccountIds?.[0];
  if (account === undefined || (platform.aws.allowedAccountIds?.length ?? 0) !== 1) {
    throw new Error(`Pulumi.${platform.stack}.yaml aws:allowedAccountIds: allowed: exactly one account id (image references name its ECR registry)`);
  }
  return account;
}

/** `replication`: the Patroni timing of the replicated domains (their clients detect a dead leader within its ttl). */
export function databasesByService(plan: PlanContext["databases"], replication: Parameters<typeof dbClientSettings>[0]): Record<string, ServiceDatabase> {
  const out: Record<string, ServiceDatabase> = {};
  for (const host of plan.hosts) {
    const hostIps = (host.members ?? []).map((m) => m.placement.privateIp);
    const client: DbClientSettings = dbClientSettings(hostIps.length > 1 ? replication : undefined);
    for (const owner of host.owners) {
      out[owner.service] = {
        host: host.dnsName,
        hostIp: host.placement.privateIp,
        ...(hostIps.length > 1 ? { hostIps } : {}),
        port: host.port,
        database: owner.database,
        username: owner.role,
        client,
      };
    }
  }
  return out;
}

export function planInputs(args: PlanInputsArgs): { services: ServicesPlanInput; gateway: GatewayPlanInput; addresses: ClusterAddresses } {
  const { config, catalog } = args.platform;
  const dmzCidrs = args.network.subnets.filter((s) => s.zone === "dmz").map((s) => s.cidr);
  checkServiceCidr(config.cluster.serviceIpv4Cidr, args.network.vpcCidr);
  checkAddonVersions(config.cluster);
  const addresses: ClusterAddresses = {
    apiServiceIp: apiServiceIp(config.cluster.serviceIpv4Cidr),
    appCidrs: args.network.subnets.filter((s) => s.zone === "app").map((s) => s.cidr),
  };
  const services: ServicesPlanInput = {
    project: args.ctx.project,
    region: args.ctx.region,
    accountId: registryAccount(args.platform),
    catalog,
    images: config.images,
    addresses,
    edgeDomain: config.edge.domainName,
    dmzCidrs,
    databases: databasesByService(args.databases, config.databases.replication),
    databaseSecretArns: args.databaseSecretArns,
    caBundle: args.caBundle,
    messaging: Object.fromEntries(Object.keys(catalog.services).map((s) => [s, args.messagingEnv(s)])),
    smtp: { service: config.messaging.notifications.service, port: args.smtpPort },
    proxy: { ...args.proxy, services: proxiedServices(args.platform.liveEgressExceptions) },
  };
  const gateway: GatewayPlanInput = {
    project: args.ctx.project,
    catalog,
    cluster: config.cluster,
    addresses,
    dmzCidrs,
    edgeDomain: config.edge.domainName,
    minReplicas: Math.max(2, config.network.availabilityZones.length),
    healthCheckPath: config.edge.healthCheckPath,
  };
  return { services, gateway, addresses };
}
