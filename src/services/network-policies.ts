/**
 * NetworkPolicies (K8S-05, D1/D3/D6), pure. Every namespace denies all ingress and egress by default and
 * allows DNS to CoreDNS; each workload then gets exactly the peers it needs. The VPC CNI's network
 * policy agent enforces them in strict mode, and it judges egress on the destination as the pod sends
 * it, i.e. on a Service's ClusterIP before kube-proxy translates it (see `reachability.ts`): a workload
 * that talks to the Kubernetes API therefore needs a rule for the API service address itself
 * (`apiServerRule`), not only for the control plane's ENIs behind it.
 */
import { type KubeObject, NAME_LABEL, NAMESPACE_NAME_LABEL } from "./objects";

/** EKS Pod Identity agent (host network, link-local): where pods fetch their role's credentials. */
export const POD_IDENTITY_AGENT_CIDR = "169.254.170.23/32";
export const POD_IDENTITY_AGENT_PORT = 80;
export const HTTPS_PORT = 443;
export const DNS_PORT = 53;

type Rule = Record<string, unknown>;

const tcp = (port: number) => ({ protocol: "TCP", port });

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
          ports: [{ protocol: "UDP", port: DNS_PORT }, tcp(DNS_PORT)],
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

/** Where the cluster's own endpoints live: the API service address and the app subnets (control-plane ENIs, VPC endpoints). */
export interface ClusterAddresses {
  /** `kubernetes.default`'s ClusterIP: the first host of the pinned service CIDR. */
  readonly apiServiceIp: string;
  /** The app zone's subnets: EKS places the control plane's ENIs and the interface endpoints there. */
  readonly appCidrs: readonly string[];
}

/**
 * The Kubernetes API: its Service address (what the client dials and the CNI judges) and the control
 * plane's ENIs in the app subnets (what it is translated to; the agent also sees endpoint addresses for
 * connections it tracks after translation), both on 443.
 */
export const apiServerRule = (addresses: ClusterAddresses): Rule => ({
  to: [ipBlock(`${addresses.apiServiceIp}/32`), ...addresses.appCidrs.map(ipBlock)],
  ports: [tcp(HTTPS_PORT)],
});

/** HTTPS to the interface VPC endpoints (STS, SQS, SNS, Secrets Manager, KMS, EC2, ELB ...), which sit in the app subnets. */
export const endpointsRule = (addresses: ClusterAddresses): Rule => ({ to: addresses.appCidrs.map(ipBlock), ports: [tcp(HTTPS_PORT)] });

export const podIdentityRule = (): Rule => ({ to: [ipBlock(POD_IDENTITY_AGENT_CIDR)], ports: [tcp(POD_IDENTITY_AGENT_PORT)] });

export { tcp };
