/**
 * Builds the services plans from the committed stack config (optionally edited), and the reachability
 * model (VPC CNI semantics, src/services/reachability.ts) over every planned object.
 */
import { type PlatformConfig, validatePlatformConfig } from "../../src/config/validate";
import { planDatabaseHosts } from "../../src/databases/plan";
import { privateDomain } from "../../src/network/network";
import { planSubnets, subnetsOf } from "../../src/network/subnet-plan";
import { planAutoscalerNamespace } from "../../src/services/autoscaler-plan";
import { clusterModel } from "../../src/services/cluster-inventory";
import { type GatewayPlanInput, planEdgeNamespace, planGatewayControllerNamespace, planGatewayObjects, planLbControllerNamespace } from "../../src/services/gateway-plan";
import type { KubeObject } from "../../src/services/objects";
import type { ClusterModel } from "../../src/services/reachability";
import { planSystemPolicies } from "../../src/services/system-plan";
import { planInputs } from "../../src/services/plan-inputs";
import { planServiceObjects, type ServiceObjects, type ServicesPlanInput } from "../../src/services/workload-plan";
import { committedCatalogText, committedConfigData, encodeConfig } from "../support/stack-config";

export const NOW = new Date("2026-11-24T12:00:00Z");
export const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
export const PROXY_URL = "http://proxy.dev.fitness.internal:3128";
export const TARGET_GROUP_ARN = "arn:aws:elasticloadbalancing:eu-central-1:111111111111:targetgroup/gw/0123";

export interface Built {
  readonly platform: PlatformConfig;
  readonly services: ServicesPlanInput;
  readonly gateway: GatewayPlanInput;
  readonly planned: ServiceObjects[];
  /** Every object: services, edge, gateway controller, LB controller, autoscaler, kube-system policies. */
  readonly all: KubeObject[];
  readonly model: ClusterModel;
}

export function build(stack: "dev" | "prod", edit?: { config?: (c: Record<string, unknown>) => void; catalogText?: string }): Built {
  const data = committedConfigData(stack);
  edit?.config?.(data);
  const platform = validatePlatformConfig({ stack, config: encodeConfig(data), catalogFile: "src/config/catalog.yaml", catalogText: edit?.catalogText ?? committedCatalogText(), now: NOW });
  const subnets = planSubnets({ vpcCidr: platform.config.network.vpcCidr, availabilityZones: platform.config.network.availabilityZones });
  const databases = planDatabaseHosts({
    project: platform.project,
    stack,
    environment: platform.config.environment,
    region: "eu-central-1",
    config: platform.config.databases,
    catalog: platform.catalog,
    dataSubnets: subnetsOf(subnets, "data"),
    appCidrs: subnetsOf(subnets, "app").map((s) => s.cidr),
    privateZoneName: privateDomain(stack),
  });
  const inputs = planInputs({
    ctx: { project: platform.project, region: platform.aws.region },
    platform,
    network: subnets,
    databases,
    caBundle: CA_PEM,
    databaseSecretArns: Object.fromEntries(databases.hosts.flatMap((h) => h.owners.map((o) => [o.service, `arn:aws:secretsmanager:eu-central-1:111111111111:secret:${o.service}-db`]))),
    messagingEnv: (service) => ({ [`TOPIC_ARN_${service.toUpperCase()}`]: `arn:aws:sns:eu-central-1:111111111111:${service}` }),
    proxy: { url: PROXY_URL, noProxy: "localhost,.internal", port: 3128 },
    smtpPort: 587,
  });
  const planned = planServiceObjects(inputs.services);
  const all = [
    ...planned.flatMap((s) => s.objects),
    ...planGatewayControllerNamespace(inputs.gateway),
    ...planEdgeNamespace(inputs.gateway),
    ...planLbControllerNamespace(inputs.gateway),
    ...planGatewayObjects(inputs.gateway, TARGET_GROUP_ARN),
    ...planAutoscalerNamespace(platform.project, inputs.addresses),
    ...planSystemPolicies(inputs.addresses, platform.config.network.vpcCidr),
  ];
  const model = clusterModel({
    objects: all,
    serviceCidr: platform.config.cluster.serviceIpv4Cidr,
    appCidrs: inputs.addresses.appCidrs,
    gatewayPort: platform.config.cluster.ingressGateway.port,
    mode: "strict",
  });
  return { platform, services: inputs.services, gateway: inputs.gateway, planned, all, model };
}

export function find(objects: readonly KubeObject[], kind: string, namespace: string | undefined, name: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);
  if (found.length !== 1) throw new Error(`${kind} ${namespace ?? ""}/${name}: found ${found.length}`);
  return found[0] as KubeObject;
}

