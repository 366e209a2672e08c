/**
 * NetworkPolicies (K8S-05, D1/D3/D6), pure. Every namespace denies all ingress and egress by default and
 * allows DNS to CoreDNS; a service then admits only the edge gateway (when it has public routes) and the
 * services that declare a call to it, and sends only to the services it calls, its database host, the
 * VPC endpoints (and the EKS API, also inside the VPC) on 443, the Pod Identity agent, and the egress
 * proxy only while an exception names it. The VPC CNI enforces them (`enableNetworkPolicy`).
 */
import { type KubeObject, NAME_LABEL, NAMESPACE_NAME_LABEL } from "./objects";

/** EKS Pod Identity agent (host network, link-local): where pods fetch their role's credentials. */
export const POD_IDENTITY_AGENT_CIDR = "169.254.170.23/32";
export const POD_IDENTITY_AGENT_PORT = 80;
export const HTTPS_PORT = 443;

type Rule = Record<string, unknown>;

const tcp = (port: number | string) => ({ protocol: "TCP", port });

export function defaultDeny(namespace: string): KubeObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "default-deny", namespace },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  };
}

export function allowDns(namespace: string): KubeObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "allow-dns", namespace },
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
          ports: [{ protocol: "UDP", port: 53 }, tcp(53)],
        },
      ],
    },
  };
}

/** Pods of `app` in namespace `namespace`, as a NetworkPolicy peer. */
export const podsOf = (namespace: string, app: string) => ({
  namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
  podSelector: { matchLabels: { [NAME_LABEL]: app } },
});

export const ipBlock = (cidr: string) => ({ ipBlock: { cidr } });

export function ingressPolicy(namespace: string, app: string, name: string, rules: Rule[]): KubeObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace },
    spec: { podSelector: { matchLabels: { [NAME_LABEL]: app } }, policyTypes: ["Ingress"], ingress: rules },
  };
}

export function egressPolicy(namespace: string, app: string, name: string, rules: Rule[]): KubeObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace },
    spec: { podSelector: { matchLabels: { [NAME_LABEL]: app } }, policyTypes: ["Egress"], egress: rules },
  };
}

/** HTTPS inside the VPC: interface endpoints (STS, SQS, SNS, Secrets Manager, KMS ...) and the EKS API. */
export const vpcHttpsRule = (vpcCidr: string): Rule => ({ to: [ipBlock(vpcCidr)], ports: [tcp(HTTPS_PORT)] });

export const podIdentityRule = (): Rule => ({ to: [ipBlock(POD_IDENTITY_AGENT_CIDR)], ports: [tcp(POD_IDENTITY_AGENT_PORT)] });

export { tcp };
