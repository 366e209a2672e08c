/**
 * Policies for the EKS add-ons' own pods in kube-system (pure). In strict enforcing mode the VPC CNI
 * denies a pod's traffic until a policy selects it (amazon-vpc-cni-k8s README,
 * NETWORK_POLICY_ENFORCING_MODE), so the add-ons that are not on the host network need theirs:
 * CoreDNS answers every pod and asks the VPC resolver and the API server; metrics-server is asked by
 * the API server (aggregated API) and scrapes the kubelets. The host-network add-ons (aws-node,
 * kube-proxy, the Pod Identity agent) are not subject to pod policies.
 */
import { Address4 } from "ip-address";
import { mustParseCidr } from "../config/cidr";
import { apiServerRule, type ClusterAddresses, DNS_PORT, ipBlock, tcp } from "./network-policies";
import type { KubeObject } from "./objects";

export const SYSTEM_NAMESPACE = "kube-system";
export const COREDNS_LABELS = { "k8s-app": "kube-dns" } as const;
export const METRICS_SERVER_LABELS = { "app.kubernetes.io/name": "metrics-server" } as const;
/** The EKS metrics-server add-on serves on 10251 (10250 is the kubelet's). */
export const METRICS_SERVER_PORT = 10251;
export const KUBELET_PORT = 10250;
/** Amazon-provided DNS: the VPC base address + 2 (and its link-local alias). */
export const AMAZON_DNS_LINK_LOCAL = "169.254.169.253/32";

export function vpcResolver(vpcCidr: string): string {
  return `${Address4.fromBigInt(mustParseCidr(vpcCidr).first + 2n).correctForm()}/32`;
}

const dnsPorts = [{ protocol: "UDP", port: DNS_PORT }, tcp(DNS_PORT)];

export function planSystemPolicies(addresses: ClusterAddresses, vpcCidr: string): KubeObject[] {
  const ns = SYSTEM_NAMESPACE;
  return [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "coredns", namespace: ns },
      spec: {
        podSelector: { matchLabels: { ...COREDNS_LABELS } },
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [{ namespaceSelector: {} }], ports: dnsPorts }],
        egress: [{ to: [ipBlock(vpcResolver(vpcCidr)), ipBlock(AMAZON_DNS_LINK_LOCAL)], ports: dnsPorts }, apiServerRule(addresses)],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "metrics-server", namespace: ns },
      spec: {
        podSelector: { matchLabels: { ...METRICS_SERVER_LABELS } },
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: addresses.appCidrs.map(ipBlock), ports: [tcp(METRICS_SERVER_PORT)] }],
        egress: [apiServerRule(addresses), { to: addresses.appCidrs.map(ipBlock), ports: [tcp(KUBELET_PORT)] }],
      },
    },
  ];
}
