/**
 * A model of who may reach whom in the cluster under the Amazon VPC CNI's NetworkPolicy enforcement
 * (pure; used by the tests and by policy K8S-09). It is a model, not the agent: it follows the
 * documented semantics of the EKS network policy controller and node agent —
 * - the agent's eBPF programs sit on the pod's veth, so egress is judged on the destination as the pod
 *   dials it: for a Service that is the ClusterIP before kube-proxy's DNAT. The controller adds a
 *   Service's ClusterIP to an egress rule only when the rule's pod selector matches the Service's own
 *   selector in a selected namespace, on the Service's port (aws/amazon-network-policy-controller-k8s,
 *   pkg/resolvers/endpoints.go, getMatchingServiceClusterIPs). A Service without selector — the API
 *   server's `kubernetes.default` — is reachable only through an ipBlock holding its ClusterIP; a rule
 *   for the VPC block does not admit it;
 * - ingress is judged at the destination pod on the source pod's address and the container port;
 * - strict enforcing mode (NETWORK_POLICY_ENFORCING_MODE=strict, amazon-vpc-cni-k8s README): a pod
 *   that no policy selects is denied in both directions; once a policy selects it, a direction that no
 *   selecting policy restricts is open (aws-network-policy-agent issue #319); standard mode leaves
 *   unselected pods open;
 * - host-network pods and kubelet probes from the node are outside pod policies (not modelled).
 */
import { cidrContains, mustParseCidr, parseCidr } from "../config/cidr";
import type { KubeObject } from "./objects";

type Json = Record<string, unknown>;
const rec = (v: unknown): Json => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const labelsOf = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(rec(v)).filter((e): e is [string, string] => typeof e[1] === "string"));

/** A set of pods: the model places every pod of a workload at one representative address. */
export interface Workload {
  readonly id: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ip: string;
  /** Container ports (TCP), for ingress judged after DNAT. */
  readonly ports: readonly number[];
}

export interface ServiceEntry {
  readonly namespace: string;
  readonly name: string;
  readonly clusterIp: string;
  /** Undefined for a Service without selector (its endpoints are managed elsewhere, e.g. the API server). */
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports: readonly { readonly port: number; readonly targetPort: number; readonly protocol: string; readonly name?: string }[];
}

export type Destination = { readonly workload: string } | { readonly service: string } | { readonly ip: string };

export interface ClusterModel {
  readonly mode: "strict" | "standard";
  readonly policies: readonly KubeObject[];
  readonly namespaceLabels: (namespace: string) => Readonly<Record<string, string>>;
  readonly workloads: readonly Workload[];
  /** `<namespace>/<name>` → Service. */
  readonly services: ReadonlyMap<string, ServiceEntry>;
}

function selects(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  const s = rec(selector);
  const match = Object.entries(rec(s["matchLabels"])).every(([k, v]) => labels[k] === v);
  const expressions = arr(s["matchExpressions"]).every((e) => {
    const x = rec(e);
    const key = String(x["key"]);
    const values = arr(x["values"]).map(String);
    switch (x["operator"]) {
      case "In":
        return labels[key] !== undefined && values.includes(labels[key] as string);
      case "NotIn":
        return labels[key] === undefined || !values.includes(labels[key] as string);
      case "Exists":
        return labels[key] !== undefined;
      case "DoesNotExist":
        return labels[key] === undefined;
      default:
        // The API server rejects any other operator; such a selector selects nothing.
        return false;
    }
  });
  return match && expressions;
}

const ipIn = (ip: string, cidr: string) => {
  const block = parseCidr(cidr);
  return block !== undefined && cidrContains(block, mustParseCidr(`${ip}/32`));
};

function inBlock(peer: Json, ip: string): boolean {
  const block = rec(peer["ipBlock"]);
  return ipIn(ip, String(block["cidr"])) && !arr(block["except"]).some((c) => ipIn(ip, String(c)));
}

/** A rule's port list admits (port, protocol); names are resolved against `names` (container or service port names). */
function portAdmits(ports: unknown, port: number, protocol: string, names: Readonly<Record<string, number>> = {}): boolean {
  const list = arr(ports).map(rec);
  if (list.length === 0) return true;
  return list.some((p) => {
    if ((p["protocol"] ?? "TCP") !== protocol) return false;
    if (p["port"] === undefined) return true;
    const start = typeof p["port"] === "string" ? names[p["port"]] : Number(p["port"]);
    if (start === undefined) return false;
    const end = typeof p["endPort"] === "number" ? p["endPort"] : start;
    return port >= start && port <= end;
  });
}

function peerNamespaces(model: ClusterModel, peer: Json, policyNamespace: string): (ns: string) => boolean {
  return (ns) => (peer["namespaceSelector"] === undefined ? ns === policyNamespace : selects(peer["namespaceSelector"], model.namespaceLabels(ns)));
}

function applying(model: ClusterModel, w: Workload, type: "Ingress" | "Egress"): KubeObject[] {
  return model.policies.filter((p) => {
    const spec = rec(p["spec"]);
    const types = arr(spec["policyTypes"]);
    const effective = types.length > 0 ? types : rec(p["spec"])["egress"] !== undefined ? ["Ingress", "Egress"] : ["Ingress"];
    return p.metadata.namespace === w.namespace && selects(spec["podSelector"], w.labels) && effective.includes(type);
  });
}

/** No policy selects the pod in this direction: open, unless strict mode and no policy selects it at all. */
function unrestricted(model: ClusterModel, w: Workload, type: "Ingress" | "Egress"): boolean {
  if (applying(model, w, type).length > 0) return false;
  if (model.mode === "standard") return true;
  return applying(model, w, type === "Ingress" ? "Egress" : "Ingress").length > 0;
}

function egressAllows(model: ClusterModel, from: Workload, dest: Destination, port: number, protocol: string): boolean {
  if (unrestricted(model, from, "Egress")) return true;
  const svc = "service" in dest ? model.services.get(dest.service) : undefined;
  const target = "workload" in dest ? model.workloads.find((w) => w.id === dest.workload) : undefined;
  const ip = "ip" in dest ? dest.ip : svc !== undefined ? svc.clusterIp : target?.ip;
  if (ip === undefined) throw new Error(`unknown destination ${JSON.stringify(dest)}`);
  return applying(model, from, "Egress").some((p) =>
    arr(rec(p["spec"])["egress"]).some((ruleValue) => {
      const rule = rec(ruleValue);
      const peers = arr(rule["to"]).map(rec);
      if (peers.length === 0) return portAdmits(rule["ports"], port, protocol);
      return peers.some((peer) => {
        if (peer["ipBlock"] !== undefined) return inBlock(peer, ip) && portAdmits(rule["ports"], port, protocol);
        const nsOk = peerNamespaces(model, peer, p.metadata.namespace ?? "default");
        if (target !== undefined) return nsOk(target.namespace) && selects(peer["podSelector"], target.labels) && portAdmits(rule["ports"], port, protocol);
        if (svc !== undefined && svc.selector !== undefined) {
          // The controller's ClusterIP expansion: rule selector vs the Service's selector, Service port.
          const names = Object.fromEntries(svc.ports.filter((sp) => sp.name !== undefined).map((sp) => [sp.name as string, sp.port]));
          return nsOk(svc.namespace) && selects(peer["podSelector"], svc.selector) && portAdmits(rule["ports"], port, protocol, names);
        }
        return false;
      });
    }),
  );
}

function ingressAllows(model: ClusterModel, source: { readonly workload?: Workload; readonly ip: string }, to: Workload, port: number, protocol: string): boolean {
  if (unrestricted(model, to, "Ingress")) return true;
  return applying(model, to, "Ingress").some((p) =>
    arr(rec(p["spec"])["ingress"]).some((ruleValue) => {
      const rule = rec(ruleValue);
      const peers = arr(rule["from"]).map(rec);
      const portOk = portAdmits(rule["ports"], port, protocol);
      if (peers.length === 0) return portOk;
      return (
        portOk &&
        peers.some((peer) => {
          if (peer["ipBlock"] !== undefined) return inBlock(peer, source.ip);
          const w = source.workload;
          return w !== undefined && peerNamespaces(model, peer, p.metadata.namespace ?? "default")(w.namespace) && selects(peer["podSelector"], w.labels);
        })
      );
    }),
  );
}

/**
 * May `from` (a workload, or an outside address) open a connection to `to` on `port`? For a Service,
 * egress is judged on its ClusterIP and ingress at the backing pods on the target port; a Service
 * without selector (the API server) has no pods here, so only egress decides.
 */
export function canConnect(model: ClusterModel, from: { readonly workload: string } | { readonly ip: string }, to: Destination, port: number, protocol = "TCP"): boolean {
  const source = "workload" in from ? model.workloads.find((w) => w.id === from.workload) : undefined;
  if ("workload" in from && source === undefined) throw new Error(`unknown workload ${from.workload}`);
  const sourceIp = source?.ip ?? ("ip" in from ? from.ip : "");
  if (source !== undefined && !egressAllows(model, source, to, port, protocol)) return false;
  if ("ip" in to) return true;
  if ("workload" in to) {
    const target = model.workloads.find((w) => w.id === to.workload);
    if (target === undefined) throw new Error(`unknown workload ${to.workload}`);
    return target.ports.includes(port) && ingressAllows(model, { workload: source, ip: sourceIp }, target, port, protocol);
  }
  const svc = model.services.get(to.service);
  if (svc === undefined) throw new Error(`unknown service ${to.service}`);
  const sp = svc.ports.find((p) => p.port === port && p.protocol === protocol);
  if (sp === undefined) return false;
  if (svc.selector === undefined) return true;
  const backends = model.workloads.filter((w) => w.namespace === svc.namespace && Object.entries(svc.selector ?? {}).every(([k, v]) => w.labels[k] === v));
  return backends.some((b) => b.ports.includes(sp.targetPort) && ingressAllows(model, { workload: source, ip: sourceIp }, b, sp.targetPort, protocol));
}

/** Services of a plan's objects (numeric target ports; a named one would not resolve here). */
export function servicesOf(objects: readonly KubeObject[], clusterIps: (ns: string, name: string) => string): ServiceEntry[] {
  return objects
    .filter((o) => o.kind === "Service")
    .map((o) => {
      const spec = rec(o["spec"]);
      const namespace = o.metadata.namespace ?? "default";
      return {
        namespace,
        name: o.metadata.name,
        clusterIp: clusterIps(namespace, o.metadata.name),
        selector: spec["selector"] === undefined ? undefined : labelsOf(spec["selector"]),
        ports: arr(spec["ports"]).map((pv) => {
          const p = rec(pv);
          return { port: Number(p["port"]), targetPort: typeof p["targetPort"] === "number" ? p["targetPort"] : Number.NaN, protocol: String(p["protocol"] ?? "TCP"), ...(typeof p["name"] === "string" ? { name: p["name"] } : {}) };
        }),
      };
    });
}

/** Workloads of a plan's Deployments (pod template labels and container ports). */
export function deploymentWorkloads(objects: readonly KubeObject[], ipOf: (ns: string, name: string) => string): Workload[] {
  return objects
    .filter((o) => o.kind === "Deployment")
    .map((o) => {
      const template = rec(rec(o["spec"])["template"]);
      const ports = arr(rec(template["spec"])["containers"]).flatMap((c) => arr(rec(c)["ports"]).map((p) => Number(rec(p)["containerPort"])));
      const namespace = o.metadata.namespace ?? "default";
      return { id: `${namespace}/${o.metadata.name}`, namespace, labels: labelsOf(rec(template["metadata"])["labels"]), ip: ipOf(namespace, o.metadata.name), ports };
    });
}
