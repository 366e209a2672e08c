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
 * - ports are resolved as the controller resolves them (pkg/resolvers/endpoints.go, pkg/k8s): a rule's
 *   port names the pod's port. For a pod peer it is looked up among the target pod's container ports
 *   (a number always stands for itself, a name must be a container port's name); for a Service's
 *   ClusterIP it becomes the Service's listen port — the port whose targetPort equals it (same type),
 *   else the one whose targetPort is the backing pod's container port of that number or name
 *   (LookupServiceListenPort, LookupListenPortFromPodSpec); a port that resolves nowhere is dropped, and
 *   a peer none of whose ports resolve is left out. For ipBlock and peer-less rules names are dropped
 *   (convertToPolicyInfoPortForCIDRs). The rule's selector is matched against a Service's selector as a
 *   label set, so a Service without selector (the API server's `kubernetes`) comes with any peer whose
 *   pod selector matches the empty set (absent, `{}`, or only NotIn/DoesNotExist terms);
 * - ingress is judged at the destination pod on the source pod's address and the container port; a
 *   pod peer's ports are the rule's ports resolved on every pod the policy selects (getIngressRulesPorts),
 *   and the source pod must itself resolve one of them (getMatchingPodAddresses) — so a named port admits
 *   only sources that carry a container port of that name;
 * - strict enforcing mode (NETWORK_POLICY_ENFORCING_MODE=strict, amazon-vpc-cni-k8s README): a pod
 *   that no policy selects is denied in both directions; once a policy selects it, a direction that no
 *   selecting policy restricts is open (aws-network-policy-agent issue #319); standard mode leaves
 *   unselected pods open;
 * - host-network pods are outside pod policies, and the agent admits the node's own address to a
 *   pod so kubelet probes pass in strict mode ("node IP addresses are automatically allowed for kubelet
 *   health probes", AWS re:Post "Troubleshooting Kubernetes network policies", cited in
 *   aws-network-policy-agent#635): neither is modelled.
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
  /** Container port names → numbers (named ports in rules and Services resolve through them). */
  readonly portNames?: Readonly<Record<string, number>>;
}

export interface ServiceEntry {
  readonly namespace: string;
  readonly name: string;
  readonly clusterIp: string;
  /** Undefined for a Service without selector (its endpoints are managed elsewhere, e.g. the API server). */
  readonly selector?: Readonly<Record<string, string>>;
  /** `targetPort` is a number or a container port name, as the Service declares it. */
  readonly ports: readonly { readonly port: number; readonly targetPort: number | string; readonly protocol: string; readonly name?: string }[];
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

interface RulePort {
  readonly protocol: string;
  readonly port?: number | string;
  readonly endPort?: number;
}

const rulePorts = (ports: unknown): RulePort[] =>
  arr(ports)
    .map(rec)
    .map((p) => ({
      protocol: String(p["protocol"] ?? "TCP"),
      ...(typeof p["port"] === "number" || typeof p["port"] === "string" ? { port: p["port"] } : {}),
      ...(typeof p["endPort"] === "number" ? { endPort: p["endPort"] } : {}),
    }));

/** A resolved port entry: `start` undefined means every port of the protocol. */
interface PortRange {
  readonly protocol: string;
  readonly start?: number;
  readonly end?: number;
}

const inRange = (ranges: readonly PortRange[], port: number, protocol: string) =>
  ranges.some((r) => r.protocol === protocol && (r.start === undefined || (port >= r.start && port <= (r.end ?? r.start))));

/**
 * Resolves each rule port with `resolve` (undefined: dropped). `undefined` result: the rule named ports
 * and none resolved, so the peer is left out; `[]`: no ports named, every port admitted.
 */
function resolvePorts(ports: readonly RulePort[], resolve: (port: number | string, protocol: string) => number | undefined): PortRange[] | undefined {
  if (ports.length === 0) return [];
  const out: PortRange[] = [];
  for (const p of ports) {
    if (p.port === undefined) {
      out.push({ protocol: p.protocol });
      continue;
    }
    const start = resolve(p.port, p.protocol);
    if (start !== undefined) out.push({ protocol: p.protocol, start, ...(p.endPort !== undefined ? { end: p.endPort } : {}) });
  }
  return out.length === 0 ? undefined : out;
}

const admits = (ranges: readonly PortRange[] | undefined, port: number, protocol: string) => ranges !== undefined && (ranges.length === 0 || inRange(ranges, port, protocol));

/** ipBlock and peer-less rules: numbers only (convertToPolicyInfoPortForCIDRs). */
const cidrPorts = (ports: readonly RulePort[]) => resolvePorts(ports, (p) => (typeof p === "number" ? p : undefined));

/** LookupContainerPortAndName: a number always stands for itself; a name must be one of the pod's container ports. */
function containerPort(w: Workload, port: number | string): { readonly port: number; readonly name?: string } | undefined {
  const names = w.portNames ?? {};
  if (typeof port === "number") {
    const name = Object.entries(names).find(([, n]) => n === port)?.[0];
    return name === undefined ? { port } : { port, name };
  }
  const n = names[port];
  return n === undefined ? undefined : { port: n, name: port };
}

/** The workloads a Service's selector picks (an absent selector is the empty one: every pod of its namespace). */
const backendsOf = (model: ClusterModel, svc: ServiceEntry) => model.workloads.filter((w) => w.namespace === svc.namespace && Object.entries(svc.selector ?? {}).every(([k, v]) => w.labels[k] === v));

/** getMatchingServicePort: the Service's listen port for a rule port, or undefined. */
function serviceListenPort(model: ClusterModel, svc: ServiceEntry, port: number | string, protocol: string): number | undefined {
  const direct = svc.ports.find((sp) => sp.protocol === protocol && typeof sp.targetPort === typeof port && String(sp.targetPort) === String(port));
  if (direct !== undefined) return direct.port;
  for (const pod of backendsOf(model, svc)) {
    const cp = containerPort(pod, port);
    if (cp === undefined) continue;
    const sp = svc.ports.find((x) => x.protocol === protocol && (typeof x.targetPort === "string" ? x.targetPort === cp.name : x.targetPort === cp.port));
    if (sp !== undefined) return sp.port;
  }
  return undefined;
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
      const ports = rulePorts(rule["ports"]);
      if (rule["to"] === undefined) return admits(cidrPorts(ports), port, protocol);
      return arr(rule["to"])
        .map(rec)
        .some((peer) => {
          if (peer["ipBlock"] !== undefined) return inBlock(peer, ip) && admits(cidrPorts(ports), port, protocol);
          const nsOk = peerNamespaces(model, peer, p.metadata.namespace ?? "default");
          if (target !== undefined) {
            if (!nsOk(target.namespace) || !selects(peer["podSelector"], target.labels)) return false;
            return admits(
              resolvePorts(ports, (rp) => containerPort(target, rp)?.port),
              port,
              protocol,
            );
          }
          if (svc !== undefined) {
            // The controller's ClusterIP expansion: the rule's selector against the Service's selector.
            if (!nsOk(svc.namespace) || !selects(peer["podSelector"], svc.selector ?? {})) return false;
            return admits(
              resolvePorts(ports, (rp, proto) => serviceListenPort(model, svc, rp, proto)),
              port,
              protocol,
            );
          }
          return false;
        });
    }),
  );
}

function ingressAllows(model: ClusterModel, source: { readonly workload?: Workload; readonly ip: string }, to: Workload, port: number, protocol: string): boolean {
  if (unrestricted(model, to, "Ingress")) return true;
  return applying(model, to, "Ingress").some((p) => {
    // getIngressRulesPorts: the rule's ports resolved on every pod the policy selects.
    const selected = model.workloads.filter((w) => w.namespace === p.metadata.namespace && selects(rec(p["spec"])["podSelector"], w.labels));
    return arr(rec(p["spec"])["ingress"]).some((ruleValue) => {
      const rule = rec(ruleValue);
      const ports = rulePorts(rule["ports"]);
      if (rule["from"] === undefined) return admits(cidrPorts(ports), port, protocol);
      return arr(rule["from"])
        .map(rec)
        .some((peer) => {
          if (peer["ipBlock"] !== undefined) return inBlock(peer, source.ip) && admits(cidrPorts(ports), port, protocol);
          const w = source.workload;
          if (w === undefined || !peerNamespaces(model, peer, p.metadata.namespace ?? "default")(w.namespace) || !selects(peer["podSelector"], w.labels)) return false;
          // The source pod is left out unless it resolves one of the rule's ports itself.
          if (resolvePorts(ports, (rp) => containerPort(w, rp)?.port) === undefined) return false;
          const union = ports.flatMap((rp) =>
            rp.port === undefined
              ? [{ protocol: rp.protocol }]
              : selected.flatMap((s) => {
                  const cp = containerPort(s, rp.port as number | string);
                  return cp === undefined ? [] : [{ protocol: rp.protocol, start: cp.port, ...(rp.endPort !== undefined ? { end: rp.endPort } : {}) }];
                }),
          );
          // An empty list admits every port (as the controller writes it when nothing resolved).
          return union.length === 0 || inRange(union, port, protocol);
        });
    });
  });
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
  // After DNAT: each backing pod on the target port (a name resolves on that pod).
  return backendsOf(model, svc).some((b) => {
    const targetPort = typeof sp.targetPort === "number" ? sp.targetPort : b.portNames?.[sp.targetPort];
    return targetPort !== undefined && b.ports.includes(targetPort) && ingressAllows(model, { workload: source, ip: sourceIp }, b, targetPort, protocol);
  });
}

/** Services of a plan's objects (a missing target port defaults to the port, as the API server sets it). */
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
          const targetPort = typeof p["targetPort"] === "number" || typeof p["targetPort"] === "string" ? p["targetPort"] : Number(p["port"]);
          return { port: Number(p["port"]), targetPort, protocol: String(p["protocol"] ?? "TCP"), ...(typeof p["name"] === "string" ? { name: p["name"] } : {}) };
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
      const declared = arr(rec(template["spec"])["containers"]).flatMap((c) => arr(rec(c)["ports"]).map(rec));
      const ports = declared.map((p) => Number(p["containerPort"]));
      const portNames = Object.fromEntries(declared.filter((p) => typeof p["name"] === "string").map((p) => [p["name"] as string, Number(p["containerPort"])]));
      const namespace = o.metadata.namespace ?? "default";
      return { id: `${namespace}/${o.metadata.name}`, namespace, labels: labelsOf(rec(template["metadata"])["labels"]), ip: ipOf(namespace, o.metadata.name), ports, portNames };
    });
}
