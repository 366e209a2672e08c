/**
 * The `logging` namespace around Fluent Bit (pure specs). Tailing node log files needs hostPath
 * volumes, which both the baseline and restricted Pod Security levels forbid, so this namespace
 * enforces `privileged` and warns/audits against `restricted`; the pod itself still drops every
 * capability (see fluent-bit-values.ts). Traffic: no ingress; egress only DNS, the Pod Identity
 * agent and HTTPS (API server, S3 through the gateway endpoint; the VPC has no internet route).
 */
import type * as k8s from "@pulumi/kubernetes";
import { FLUENT_BIT_NAMESPACE } from "./fluent-bit-values";

type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;
type LimitRangeSpec = k8s.types.input.core.v1.LimitRangeSpec;

export const POD_IDENTITY_AGENT_ADDRESS = "169.254.170.23/32";

export interface LoggingNamespacePlan {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly networkPolicies: readonly { readonly name: string; readonly spec: NetworkPolicySpec }[];
  readonly quota: Record<string, string>;
  readonly limitRange: LimitRangeSpec;
}

export function planLoggingNamespace(): LoggingNamespacePlan {
  return {
    name: FLUENT_BIT_NAMESPACE,
    labels: {
      "pod-security.kubernetes.io/enforce": "privileged",
      "pod-security.kubernetes.io/enforce-version": "latest",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/warn-version": "latest",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/audit-version": "latest",
    },
    networkPolicies: [
      { name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
      {
        name: "fluent-bit-egress",
        spec: {
          podSelector: { matchLabels: { "app.kubernetes.io/name": "fluent-bit" } },
          policyTypes: ["Egress"],
          egress: [
            {
              to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
              ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
            },
            { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT_ADDRESS } }], ports: [{ protocol: "TCP", port: 80 }] },
            { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
          ],
        },
      },
    ],
    quota: { "requests.cpu": "2", "requests.memory": "2Gi", "limits.cpu": "8", "limits.memory": "8Gi", pods: "200" },
    limitRange: {
      limits: [
        {
          type: "Container",
          default: { cpu: "500m", memory: "256Mi" },
          defaultRequest: { cpu: "50m", memory: "64Mi" },
          max: { cpu: "1", memory: "1Gi" },
        },
      ],
    },
  };
}
