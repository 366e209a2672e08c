import { canConnect, type ClusterModel } from "../../src/services/reachability";
import { defineStackPolicy } from "../framework/define";
import { at, flag, isRecord, texts } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { apiServiceAddress } from "./api-server-address";
import { networkPolicyMode } from "./network-policy-mode";
import { helmReleases, type KubeObject, kubeObjects, namespaceOf, podTemplates } from "./objects";

const labelsOf = (value: unknown): Record<string, string> =>
  isRecord(value) ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string")) : {};

/**
 * Namespaces that run something talking to the Kubernetes API: a Helm release (controllers), or a pod
 * template that mounts a service-account token. Each gets the pods its egress policies select.
 */
function apiClients(objects: readonly KubeObject[], releases: ReturnType<typeof helmReleases>, exempt: ReadonlySet<string>) {
  const clients = new Map<string, { urn: string; what: string; pods: Record<string, string>[] }>();
  const egressSelectors = (ns: string) =>
    objects
      .filter((o) => o.kind === "NetworkPolicy" && namespaceOf(o) === ns && texts(at(o.props, "spec", "policyTypes")).includes("Egress"))
      .map((o) => labelsOf(at(o.props, "spec", "podSelector", "matchLabels")));
  for (const r of releases) {
    if (exempt.has(r.namespace) || clients.has(r.namespace)) continue;
    const selectors = egressSelectors(r.namespace);
    clients.set(r.namespace, { urn: r.resource.urn, what: `Helm release "${r.namespace}/${r.name}"`, pods: selectors.length > 0 ? selectors : [{}] });
  }
  for (const t of podTemplates(objects)) {
    const ns = namespaceOf(t.owner);
    if (exempt.has(ns) || flag(t.spec["automountServiceAccountToken"]) === false) continue;
    clients.set(`${ns}/${t.owner.name}`, { urn: t.owner.resource.urn, what: `${t.owner.kind} "${ns}/${t.owner.name}"`, pods: [t.labels] });
  }
  return clients;
}

export const k8sApiReachability = defineStackPolicy({
  meta: {
    id: "K8S-09",
    title: "Controllers can reach the API server under the VPC CNI's NetworkPolicy semantics",
    severity: "high",
    decisions: ["D1", "D3"],
    controls: { other: ["EKS Best Practices: network policies (VPC CNI)", "aws/amazon-network-policy-controller-k8s endpoint resolution"] },
    description:
      "The VPC CNI judges egress on the address a pod dials, i.e. a Service's ClusterIP before DNAT; the network policy " +
      "controller adds a Service's ClusterIP to a rule only when the rule's pod selector matches the Service's selector, " +
      "and the API server's `kubernetes` Service has none: it is admitted by an ipBlock holding its ClusterIP, or by a " +
      "peer in its namespace whose pod selector matches the empty label set — a rule for the VPC block or for labelled " +
      "pods does not. Every namespace with a Helm release (a controller) and every pod template that mounts a service-account " +
      "token must be allowed, by the stack's NetworkPolicies in the vpc-cni add-on's enforcing mode (strict unless it says " +
      "standard), to open 443 to the API service address — the " +
      "first host of the EKS cluster's pinned `kubernetesNetworkConfig.serviceIpv4Cidr` (unpinned is a violation).",
    remediation: "Pin cluster.serviceIpv4Cidr and add apiServerRule (src/services/network-policies.ts) to the controller's egress policy.",
    enforcementLevel: "mandatory",
  },
  config: { exemptNamespaces: { type: "array", items: { type: "string" }, default: [] } },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const objects = kubeObjects(index);
    const releases = helmReleases(index);
    if (objects.length === 0 && releases.length === 0) args.notApplicable("the stack registers no Kubernetes objects");
    const exempt = new Set(args.getConfig<{ exemptNamespaces?: string[] }>().exemptNamespaces ?? []);
    const clients = apiClients(objects, releases, exempt);
    if (clients.size === 0) return;
    const apiIp = apiServiceAddress(index);
    if (apiIp === undefined) {
      for (const [, c] of clients) reportViolation(`${c.what} talks to the Kubernetes API, but no EKS cluster pins kubernetesNetworkConfig.serviceIpv4Cidr, so no policy can name the API service address.`, c.urn);
      return;
    }
    const nsLabels = new Map(objects.filter((o) => o.kind === "Namespace").map((o) => [o.name, labelsOf(at(o.props, "metadata", "labels"))]));
    const mode = networkPolicyMode(index);
    // Without enforcement every pod reaches everything; nothing to judge.
    if (mode === "off") return;
    const model: ClusterModel = {
      mode,
      policies: objects.filter((o) => o.kind === "NetworkPolicy").map((o) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: o.name, namespace: namespaceOf(o) }, spec: at(o.props, "spec") })),
      namespaceLabels: (ns) => ({ ...(nsLabels.get(ns) ?? {}), "kubernetes.io/metadata.name": ns }),
      workloads: [],
      services: new Map([["default/kubernetes", { namespace: "default", name: "kubernetes", clusterIp: apiIp, ports: [{ port: 443, targetPort: 443, protocol: "TCP" }] }]]),
    };
    for (const [key, c] of [...clients].sort(([a], [b]) => a.localeCompare(b))) {
      const ns = key.split("/")[0] ?? key;
      const reaches = c.pods.some((labels, i) => {
        const probe = { ...model, workloads: [{ id: `probe-${i}`, namespace: ns, labels, ip: "0.0.0.1", ports: [] }] };
        return canConnect(probe, { workload: `probe-${i}` }, { service: "default/kubernetes" }, 443);
      });
      if (!reaches) reportViolation(`${c.what} cannot reach the API server: no egress rule of namespace "${ns}" admits ${apiIp}:443 (egress is judged on the ClusterIP, before DNAT).`, c.urn);
    }
  },
});
