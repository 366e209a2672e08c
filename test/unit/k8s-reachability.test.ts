import { describe, expect, it } from "vitest";
import { API_SERVER, KUBE_DNS } from "../../src/services/cluster-inventory";
import { type ClusterModel, canConnect, type Destination } from "../../src/services/reachability";
import { POD_IDENTITY_AGENT_CIDR } from "../../src/services/network-policies";
import type { KubeObject } from "../../src/services/objects";
import { build } from "./services-support";

/**
 * Who may reach whom, computed by the VPC CNI model (src/services/reachability.ts) over every object the
 * program plans, must equal what the catalog declares plus what the platform needs — nothing more.
 */
const stacks = { dev: build("dev"), prod: build("prod") };

type Target = { readonly name: string; readonly to: Destination; readonly port: number; readonly protocol?: string };

function targets(b: (typeof stacks)["dev"]): Target[] {
  const endpoint = b.services.addresses.appCidrs[1]!.replace(/\.0\/\d+$/, ".5");
  const list: Target[] = [
    { name: "api-server", to: { service: API_SERVER }, port: 443 },
    { name: "dns", to: { service: KUBE_DNS }, port: 53, protocol: "UDP" },
    { name: "vpc-endpoints", to: { ip: endpoint }, port: 443 },
    { name: "pod-identity", to: { ip: POD_IDENTITY_AGENT_CIDR.replace("/32", "") }, port: 80 },
    { name: "imds", to: { ip: "169.254.169.254" }, port: 80 },
    { name: "internet", to: { ip: "52.94.1.1" }, port: 443 },
    { name: "xds", to: { service: "envoy-gateway-system/envoy-gateway" }, port: 18000 },
  ];
  for (const [service, db] of Object.entries(b.services.databases)) list.push({ name: `db:${service}`, to: { ip: db.hostIp }, port: db.port });
  for (const [service, spec] of Object.entries(b.platform.catalog.services)) list.push({ name: `svc:${service}`, to: { service: `${service}/${service}` }, port: spec.port });
  return list;
}

function matrix(model: ClusterModel, list: readonly Target[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const w of model.workloads) out[w.id] = list.filter((t) => canConnect(model, { workload: w.id }, t.to, t.port, t.protocol)).map((t) => t.name).sort();
  return out;
}

function expected(b: (typeof stacks)["dev"]): Record<string, string[]> {
  const controller = ["api-server", "vpc-endpoints"]; // the API rule also names the app subnets (control-plane ENIs)
  const out: Record<string, string[]> = {
    "edge/envoy": ["dns", "xds", ...Object.entries(b.platform.catalog.services).filter(([, s]) => s.publicRoutes.length > 0).map(([n]) => `svc:${n}`)],
    "envoy-gateway-system/envoy-gateway": ["dns", ...controller],
    "aws-load-balancer-controller/aws-load-balancer-controller": ["dns", ...controller, "pod-identity"],
    "cluster-autoscaler/cluster-autoscaler": ["dns", ...controller, "pod-identity"],
    "kube-system/coredns": [...controller],
    "kube-system/metrics-server": [...controller],
  };
  for (const [service, spec] of Object.entries(b.platform.catalog.services)) {
    out[`${service}/${service}`] = [
      "dns",
      "vpc-endpoints",
      "pod-identity",
      ...(b.services.databases[service] === undefined ? [] : [`db:${service}`]),
      ...spec.calls.map((c) => `svc:${c}`),
    ];
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

describe.each(["dev", "prod"] as const)("reachability in %s (VPC CNI semantics, strict mode)", (stack) => {
  const b = stacks[stack];

  it("equals the catalog's declared calls plus the platform's needs", () => {
    expect(matrix(b.model, targets(b))).toEqual(expected(b));
  });

  it("lets every controller reach the API server through the kubernetes Service address (fault 2)", () => {
    for (const id of ["envoy-gateway-system/envoy-gateway", "aws-load-balancer-controller/aws-load-balancer-controller", "cluster-autoscaler/cluster-autoscaler", "kube-system/coredns"]) {
      expect(canConnect(b.model, { workload: id }, { service: API_SERVER }, 443), id).toBe(true);
    }
  });

  it("admits the internet-facing Envoy to nothing that holds credentials: no API server, no AWS, no database", () => {
    const envoy = { workload: "edge/envoy" };
    expect(canConnect(b.model, envoy, { service: API_SERVER }, 443)).toBe(false);
    expect(canConnect(b.model, envoy, { ip: POD_IDENTITY_AGENT_CIDR.replace("/32", "") }, 80)).toBe(false);
    for (const db of Object.values(b.services.databases)) expect(canConnect(b.model, envoy, { ip: db.hostIp }, db.port)).toBe(false);
  });
});

describe("the model's semantics (each one a fault the old offline checks missed)", () => {
  const b = stacks.dev;
  const vpc = b.platform.config.network.vpcCidr;
  const controllerEgress = (to: Record<string, unknown>[]): KubeObject => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "controller-egress", namespace: "aws-load-balancer-controller" },
    spec: { podSelector: { matchLabels: { "app.kubernetes.io/name": "aws-load-balancer-controller" } }, policyTypes: ["Egress"], egress: [{ to, ports: [{ protocol: "TCP", port: 443 }] }] },
  });
  const withPolicies = (replace: KubeObject): ClusterModel => ({
    ...b.model,
    policies: [...b.model.policies.filter((p) => !(p.metadata.namespace === replace.metadata.namespace && p.metadata.name === replace.metadata.name)), replace],
  });
  const lbc = { workload: "aws-load-balancer-controller/aws-load-balancer-controller" };

  it("judges egress on the ClusterIP before DNAT: a rule for the VPC block does not admit kubernetes.default (fault 2)", () => {
    const old = withPolicies(controllerEgress([{ ipBlock: { cidr: vpc } }]));
    expect(canConnect(old, lbc, { service: API_SERVER }, 443)).toBe(false);
    const fixed = withPolicies(controllerEgress([{ ipBlock: { cidr: `${b.services.addresses.apiServiceIp}/32` } }]));
    expect(canConnect(fixed, lbc, { service: API_SERVER }, 443)).toBe(true);
  });

  it("resolves a pod-selector rule to a Service's ClusterIP only when it matches the Service's selector, on the Service port", () => {
    const users = { service: "users/users" };
    const port = b.platform.catalog.services["users"]!.port;
    expect(canConnect(b.model, { workload: "edge/envoy" }, users, port)).toBe(true);
    expect(canConnect(b.model, { workload: "edge/envoy" }, users, port + 1)).toBe(false);
  });

  it("denies an unselected pod in strict mode and leaves it open in standard mode (fault 6)", () => {
    const stray = { id: "scratch/tool", namespace: "scratch", labels: { app: "tool" }, ip: "10.20.64.200", ports: [8080] };
    const strict: ClusterModel = { ...b.model, workloads: [...b.model.workloads, stray] };
    const standard: ClusterModel = { ...strict, mode: "standard" };
    expect(canConnect(strict, { workload: stray.id }, { service: API_SERVER }, 443)).toBe(false);
    expect(canConnect(strict, { workload: "orders/orders" }, { workload: stray.id }, 8080)).toBe(false);
    expect(canConnect(standard, { workload: stray.id }, { service: API_SERVER }, 443)).toBe(true);
  });
});
