import { describe, expect, it } from "vitest";
import { API_SERVER, KUBE_DNS } from "../../src/services/cluster-inventory";
import { type ClusterModel, canConnect, type Destination } from "../../src/services/reachability";
import { POD_IDENTITY_AGENT_CIDR } from "../../src/services/network-policies";
import { type KubeObject, NAMESPACE_NAME_LABEL } from "../../src/services/objects";
import { vpcResolver } from "../../src/services/system-plan";
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
    // Upstream DNS only through CoreDNS; the kubelets only for metrics-server.
    { name: "vpc-resolver", to: { ip: vpcResolver(b.platform.config.network.vpcCidr).replace("/32", "") }, port: 53, protocol: "UDP" },
    { name: "kubelet", to: { ip: b.services.addresses.appCidrs[0]!.replace(/\.0\/\d+$/, ".6") }, port: 10250 },
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
    "kube-system/coredns": [...controller, "vpc-resolver"],
    "kube-system/metrics-server": [...controller, "kubelet"],
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

describe("the model follows the network policy controller's endpoint resolution (aws/amazon-network-policy-controller-k8s, pkg/resolvers/endpoints.go)", () => {
  // Two namespaces: a client, and a server whose container port 8080 is named "http", behind a Service
  // whose listen port differs from its target port, and one whose target port is the name.
  const ns = (n: string) => ({ [NAMESPACE_NAME_LABEL]: n });
  const server = { id: "b/server", namespace: "b", labels: { app: "server" }, ip: "10.0.0.20", ports: [8080], portNames: { http: 8080 } };
  const client = { id: "a/client", namespace: "a", labels: { app: "client" }, ip: "10.0.0.10", ports: [] };
  const policy = (namespace: string, app: string, spec: Record<string, unknown>): KubeObject => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: `${app}-policy`, namespace },
    spec: { podSelector: { matchLabels: { app } }, ...spec },
  });
  const serverIngress = (ports: unknown[]) => policy("b", "server", { policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: ns("a") } }], ports }] });
  const clientEgress = (to: unknown[], ports: unknown[]) => policy("a", "client", { policyTypes: ["Egress"], egress: [{ to, ports }] });
  const toServerPods = [{ namespaceSelector: { matchLabels: ns("b") }, podSelector: { matchLabels: { app: "server" } } }];
  const model = (...policies: KubeObject[]): ClusterModel => ({
    mode: "strict",
    policies,
    namespaceLabels: ns,
    workloads: [client, server],
    services: new Map([
      ["b/server", { namespace: "b", name: "server", clusterIp: "172.20.0.50", selector: { app: "server" }, ports: [{ port: 80, targetPort: 8080, protocol: "TCP", name: "web" }] }],
      ["b/server-named", { namespace: "b", name: "server-named", clusterIp: "172.20.0.51", selector: { app: "server" }, ports: [{ port: 81, targetPort: "http", protocol: "TCP" }] }],
      ["default/kubernetes", { namespace: "default", name: "kubernetes", clusterIp: "172.20.0.1", ports: [{ port: 443, targetPort: 443, protocol: "TCP", name: "https" }] }],
    ]),
  });
  const from = { workload: client.id };
  const open = serverIngress([{ protocol: "TCP", port: 8080 }]);

  it("translates a rule's port (the pod's port) to the Service's listen port for the ClusterIP (LookupServiceListenPort)", () => {
    expect(canConnect(model(open, clientEgress(toServerPods, [{ protocol: "TCP", port: 8080 }])), from, { service: "b/server" }, 80)).toBe(true);
    // The Service's own port in the rule matches no target port and no container port: the ClusterIP is left out.
    expect(canConnect(model(open, clientEgress(toServerPods, [{ protocol: "TCP", port: 80 }])), from, { service: "b/server" }, 80)).toBe(false);
    // A named target port: the rule's number resolves through the pod's named container port (LookupListenPortFromPodSpec).
    expect(canConnect(model(open, clientEgress(toServerPods, [{ protocol: "TCP", port: 8080 }])), from, { service: "b/server-named" }, 81)).toBe(true);
  });

  it("resolves named ports against the pods' container ports, for pods and Services alike, and never for CIDRs", () => {
    const named = [{ protocol: "TCP", port: "http" }];
    expect(canConnect(model(open, clientEgress(toServerPods, named)), from, { workload: server.id }, 8080)).toBe(true);
    expect(canConnect(model(open, clientEgress(toServerPods, named)), from, { service: "b/server" }, 80)).toBe(true);
    expect(canConnect(model(open, clientEgress(toServerPods, named)), from, { service: "b/server-named" }, 81)).toBe(true);
    // Ingress: the name resolves on the pods the policy selects, and the source pod must carry a
    // container port of that name itself (getMatchingPodAddresses resolves the rule's ports on it).
    const egressAll = clientEgress(toServerPods, [{ protocol: "TCP", port: 8080 }]);
    expect(canConnect(model(serverIngress(named), egressAll), from, { workload: server.id }, 8080)).toBe(false);
    const namedClient: ClusterModel = { ...model(serverIngress(named), egressAll), workloads: [{ ...client, ports: [9000], portNames: { http: 9000 } }, server] };
    expect(canConnect(namedClient, from, { workload: server.id }, 8080)).toBe(true);
    expect(canConnect(namedClient, from, { workload: server.id }, 9000)).toBe(false);
    expect(canConnect(model(serverIngress([{ protocol: "TCP", port: "metrics" }]), egressAll), from, { workload: server.id }, 8080)).toBe(false);
    // An ipBlock rule whose ports are all names is dropped (convertToPolicyInfoPortForCIDRs).
    expect(canConnect(model(open, clientEgress([{ ipBlock: { cidr: "10.0.0.0/24" } }], named)), from, { workload: server.id }, 8080)).toBe(false);
  });

  it("admits a Service without selector (the API server) to a peer whose pod selector matches the empty label set", () => {
    const toDefault = (podSelector?: Record<string, unknown>) => clientEgress([{ namespaceSelector: { matchLabels: ns("default") }, ...(podSelector === undefined ? {} : { podSelector }) }], [{ protocol: "TCP", port: 443 }]);
    expect(canConnect(model(toDefault()), from, { service: "default/kubernetes" }, 443)).toBe(true);
    expect(canConnect(model(toDefault({})), from, { service: "default/kubernetes" }, 443)).toBe(true);
    expect(canConnect(model(toDefault({ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] })), from, { service: "default/kubernetes" }, 443)).toBe(true);
    expect(canConnect(model(toDefault({ matchLabels: { app: "apiserver" } })), from, { service: "default/kubernetes" }, 443)).toBe(false);
    // Every namespace, any pod: the API server's ClusterIP comes with it.
    expect(canConnect(model(clientEgress([{ namespaceSelector: {} }], [{ protocol: "TCP", port: 443 }])), from, { service: "default/kubernetes" }, 443)).toBe(true);
  });
});
