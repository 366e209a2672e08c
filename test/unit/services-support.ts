/**
 * Builds the services plans from the committed stack config (optionally edited) and evaluates
 * NetworkPolicies with Kubernetes semantics, so tests can assert who may talk to whom.
 */
import { type PlatformConfig, validatePlatformConfig } from "../../src/config/validate";
import { planDatabaseHosts } from "../../src/databases/plan";
import { privateDomain } from "../../src/network/network";
import { planSubnets, subnetsOf } from "../../src/network/subnet-plan";
import { type GatewayPlanInput, planEdgeNamespace, planLbControllerNamespace, targetGroupBinding } from "../../src/services/gateway-plan";
import { NAME_LABEL, NAMESPACE_NAME_LABEL, type KubeObject } from "../../src/services/objects";
import { planInputs } from "../../src/services/plan-inputs";
import { planServiceObjects, type ServiceObjects, type ServicesPlanInput } from "../../src/services/workload-plan";
import { committedCatalogText, committedConfigData, encodeConfig } from "../support/stack-config";

export const NOW = new Date("2026-11-24T12:00:00Z");
export const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
export const PROXY_URL = "http://proxy.dev.fitness.internal:3128";

export interface Built {
  readonly platform: PlatformConfig;
  readonly services: ServicesPlanInput;
  readonly gateway: GatewayPlanInput;
  readonly planned: ServiceObjects[];
  /** Every object: services, edge, LB controller, the target group binding. */
  readonly all: KubeObject[];
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
    messagingEnv: (service) => ({ [`TOPIC_ARN_${service.toUpperCase()}`]: `arn:aws:sns:eu-central-1:111111111111:${service}` }),
    proxy: { url: PROXY_URL, noProxy: "localhost,.internal", port: 3128 },
    smtpPort: 587,
  });
  const planned = planServiceObjects(inputs.services);
  const all = [
    ...planned.flatMap((s) => s.objects),
    ...planEdgeNamespace(inputs.gateway),
    ...planLbControllerNamespace(inputs.gateway),
    targetGroupBinding("arn:aws:elasticloadbalancing:eu-central-1:111111111111:targetgroup/gw/0123", platform.config.cluster.ingressGateway.port),
  ];
  return { platform, services: inputs.services, gateway: inputs.gateway, planned, all };
}

export function find(objects: readonly KubeObject[], kind: string, namespace: string | undefined, name: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);
  if (found.length !== 1) throw new Error(`${kind} ${namespace ?? ""}/${name}: found ${found.length}`);
  return found[0] as KubeObject;
}

/** A pod or an address as seen by NetworkPolicy evaluation. */
export type Endpoint = { readonly namespace: string; readonly labels: Readonly<Record<string, string>> } | { readonly ip: string };

export const pod = (namespace: string, app: string): Endpoint => ({ namespace, labels: { [NAME_LABEL]: app } });

type Json = Record<string, unknown>;
const rec = (v: unknown): Json => (typeof v === "object" && v !== null ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function selects(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  const s = rec(selector);
  const match = rec(s["matchLabels"]);
  if (arr(s["matchExpressions"]).length > 0) throw new Error("matchExpressions not supported by the test evaluator");
  return Object.entries(match).every(([k, v]) => labels[k] === v);
}

function ipIn(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const toInt = (a: string) => a.split(".").reduce((n, o) => n * 256 + Number(o), 0);
  const mask = Number(bits) === 0 ? 0 : 2 ** 32 - 2 ** (32 - Number(bits));
  const and = (n: number) => Number(BigInt(n) & BigInt(mask));
  return and(toInt(ip)) === and(toInt(base ?? ""));
}

function peerMatches(peer: unknown, other: Endpoint, policyNamespace: string, namespaceLabels: (ns: string) => Record<string, string>): boolean {
  const p = rec(peer);
  if (p["ipBlock"] !== undefined) {
    if (!("ip" in other)) return false;
    const block = rec(p["ipBlock"]);
    return ipIn(other.ip, String(block["cidr"])) && !arr(block["except"]).some((c) => ipIn(other.ip, String(c)));
  }
  if ("ip" in other) return false;
  const nsOk = p["namespaceSelector"] === undefined ? other.namespace === policyNamespace : selects(p["namespaceSelector"], namespaceLabels(other.namespace));
  const podOk = p["podSelector"] === undefined ? true : selects(p["podSelector"], other.labels);
  return nsOk && podOk;
}

function portMatches(ports: unknown, port: number, protocol: string): boolean {
  const list = arr(ports);
  return list.length === 0 || list.some((p) => rec(p)["port"] === port && (rec(p)["protocol"] ?? "TCP") === protocol);
}

/**
 * Kubernetes semantics: a direction is allowed when no policy selecting the pod restricts it, or when
 * one of those that do has a rule admitting the peer and port. Both the source's egress and the
 * destination's ingress must allow.
 */
export function allowed(objects: readonly KubeObject[], from: Endpoint, to: Endpoint, port: number, protocol = "TCP"): boolean {
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const namespaceLabels = (ns: string) => ({ [NAMESPACE_NAME_LABEL]: ns });
  const side = (self: Endpoint, peer: Endpoint, type: "Ingress" | "Egress"): boolean => {
    if ("ip" in self) return true;
    const applying = policies.filter((p) => {
      const spec = rec(p["spec"]);
      return p.metadata.namespace === self.namespace && selects(spec["podSelector"], self.labels) && arr(spec["policyTypes"]).includes(type);
    });
    if (applying.length === 0) return true;
    const key = type === "Ingress" ? "ingress" : "egress";
    const peerKey = type === "Ingress" ? "from" : "to";
    return applying.some((p) =>
      arr(rec(p["spec"])[key]).some((rule) => {
        const peers = arr(rec(rule)[peerKey]);
        const peerOk = peers.length === 0 || peers.some((x) => peerMatches(x, peer, p.metadata.namespace ?? "", namespaceLabels));
        return peerOk && portMatches(rec(rule)["ports"], port, protocol);
      }),
    );
  };
  return side(from, to, "Egress") && side(to, from, "Ingress");
}
