/**
 * The cluster as the reachability model sees it (pure): every workload the program runs — the catalog's
 * Deployments and the platform's pods that Helm charts and EKS add-ons create (labels and ports as the
 * pinned charts and add-ons set them) — and every Service, with the two that EKS itself provides: the
 * API server's `kubernetes` (no selector, first host of the service CIDR) and CoreDNS's `kube-dns`
 * (tenth host). Pods sit at representative addresses in the first app subnet.
 */
import { Address4 } from "ip-address";
import { mustParseCidr } from "../config/cidr";
import { AUTOSCALER_APP, AUTOSCALER_NAMESPACE } from "./autoscaler-plan";
import { EDGE_NAMESPACE, ENVOY_POD_LABELS, GATEWAY_CONTROLLER_NAMESPACE, GATEWAY_CONTROLLER_POD_LABELS, GATEWAY_SERVICE, LB_CONTROLLER_APP, LB_CONTROLLER_NAMESPACE, LB_CONTROLLER_WEBHOOK_PORT, XDS_PORT } from "./gateway-plan";
import type { KubeObject } from "./objects";
import { NAMESPACE_NAME_LABEL } from "./objects";
import { type ClusterModel, deploymentWorkloads, type ServiceEntry, servicesOf, type Workload } from "./reachability";
import { COREDNS_LABELS, METRICS_SERVER_LABELS, METRICS_SERVER_PORT, SYSTEM_NAMESPACE } from "./system-plan";

export const API_SERVER = "default/kubernetes";
export const KUBE_DNS = "kube-system/kube-dns";

const nth = (cidr: string, n: number) => Address4.fromBigInt(mustParseCidr(cidr).first + BigInt(n)).correctForm();

export interface InventoryInput {
  readonly objects: readonly KubeObject[];
  readonly serviceCidr: string;
  readonly appCidrs: readonly string[];
  readonly gatewayPort: number;
  readonly mode: "strict" | "standard";
}

/** The platform's pods that no plan Deployment describes (chart- and add-on-made). */
export function platformWorkloads(gatewayPort: number): Omit<Workload, "ip">[] {
  return [
    { id: `${EDGE_NAMESPACE}/envoy`, namespace: EDGE_NAMESPACE, labels: { ...ENVOY_POD_LABELS, "app.kubernetes.io/component": "proxy" }, ports: [gatewayPort] },
    { id: `${GATEWAY_CONTROLLER_NAMESPACE}/envoy-gateway`, namespace: GATEWAY_CONTROLLER_NAMESPACE, labels: { ...GATEWAY_CONTROLLER_POD_LABELS, "control-plane": "envoy-gateway" }, ports: [XDS_PORT] },
    { id: `${LB_CONTROLLER_NAMESPACE}/${LB_CONTROLLER_APP}`, namespace: LB_CONTROLLER_NAMESPACE, labels: { "app.kubernetes.io/name": LB_CONTROLLER_APP }, ports: [LB_CONTROLLER_WEBHOOK_PORT] },
    { id: `${AUTOSCALER_NAMESPACE}/${AUTOSCALER_APP}`, namespace: AUTOSCALER_NAMESPACE, labels: { "app.kubernetes.io/name": AUTOSCALER_APP }, ports: [] },
    { id: `${SYSTEM_NAMESPACE}/coredns`, namespace: SYSTEM_NAMESPACE, labels: { ...COREDNS_LABELS }, ports: [53] },
    { id: `${SYSTEM_NAMESPACE}/metrics-server`, namespace: SYSTEM_NAMESPACE, labels: { ...METRICS_SERVER_LABELS }, ports: [METRICS_SERVER_PORT] },
  ];
}

export function clusterModel(input: InventoryInput): ClusterModel {
  const pod = input.appCidrs[0];
  if (pod === undefined) throw new Error("cluster inventory: no app subnet");
  let nextPod = 50;
  let nextService = 100;
  const podIps = new Map<string, string>();
  const podIp = (id: string) => podIps.get(id) ?? (podIps.set(id, nth(pod, nextPod++)), podIps.get(id) as string);
  const workloads: Workload[] = [
    ...deploymentWorkloads(input.objects, (ns, name) => podIp(`${ns}/${name}`)),
    ...platformWorkloads(input.gatewayPort).map((w) => ({ ...w, ip: podIp(w.id) })),
  ];
  const planned = servicesOf(input.objects, () => nth(input.serviceCidr, nextService++));
  const services: ServiceEntry[] = [
    ...planned,
    { namespace: "default", name: "kubernetes", clusterIp: nth(input.serviceCidr, 1), ports: [{ port: 443, targetPort: 443, protocol: "TCP", name: "https" }] },
    {
      namespace: SYSTEM_NAMESPACE,
      name: "kube-dns",
      clusterIp: nth(input.serviceCidr, 10),
      selector: { ...COREDNS_LABELS },
      ports: [{ port: 53, targetPort: 53, protocol: "UDP", name: "dns" }, { port: 53, targetPort: 53, protocol: "TCP", name: "dns-tcp" }],
    },
    { namespace: GATEWAY_CONTROLLER_NAMESPACE, name: "envoy-gateway", clusterIp: nth(input.serviceCidr, nextService++), selector: { ...GATEWAY_CONTROLLER_POD_LABELS }, ports: [{ port: XDS_PORT, targetPort: XDS_PORT, protocol: "TCP", name: "grpc" }] },
    { namespace: EDGE_NAMESPACE, name: GATEWAY_SERVICE, clusterIp: nth(input.serviceCidr, nextService++), selector: { ...ENVOY_POD_LABELS }, ports: [{ port: input.gatewayPort, targetPort: input.gatewayPort, protocol: "TCP" }] },
  ];
  const namespaceLabels = new Map<string, Record<string, string>>();
  for (const o of input.objects.filter((x) => x.kind === "Namespace")) namespaceLabels.set(o.metadata.name, { ...(o.metadata.labels ?? {}) });
  return {
    mode: input.mode,
    policies: input.objects.filter((o) => o.kind === "NetworkPolicy"),
    namespaceLabels: (ns) => ({ ...(namespaceLabels.get(ns) ?? {}), [NAMESPACE_NAME_LABEL]: ns }),
    workloads,
    services: new Map(services.map((s) => [`${s.namespace}/${s.name}`, s])),
  };
}
