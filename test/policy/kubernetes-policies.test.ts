import { beforeAll, describe, expect, it } from "vitest";
import { eksCluster } from "../../policy/kubernetes/eks-01-cluster";
import { k8sPodSecurity } from "../../policy/kubernetes/k8s-01-pod-security";
import { k8sResourcesProbes } from "../../policy/kubernetes/k8s-02-resources-probes";
import { k8sImages } from "../../policy/kubernetes/k8s-03-images";
import { k8sExposure } from "../../policy/kubernetes/k8s-04-exposure";
import { k8sNetworkPolicies } from "../../policy/kubernetes/k8s-05-network-policies";
import { k8sIdentityHygiene } from "../../policy/kubernetes/k8s-06-identity-hygiene";
import { k8sApiReachability } from "../../policy/kubernetes/k8s-09-api-reachability";
import { k8sHpaReplicas } from "../../policy/kubernetes/k8s-10-hpa-replicas";
import { k8sEdgeSecrets } from "../../policy/kubernetes/k8s-11-edge-secrets";
import { eksNetworkPolicyEngine } from "../../policy/kubernetes/eks-02-network-policy-engine";
import { kubernetesPolicies } from "../../policy/kubernetes/policies";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { ROOT } from "../support/stack-config";
import { audit, messages } from "./support/audit";

/** K8S-01..06 and EKS-01 on the real dev and prod stacks, and on crafted violations of them. */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- snapshots are free-form JSON

const snapshots = {} as Record<"dev" | "prod", StackExport>;

beforeAll(async () => {
  for (const stack of ["dev", "prod"] as const) snapshots[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
}, 300_000);

const copy = (stack: "dev" | "prod"): StackExport => structuredClone(snapshots[stack]);

function find(s: StackExport, type: string, pred: (props: Json) => boolean): ResourceState {
  const found = s.deployment.resources.filter((r) => r.type === type && pred((r.outputs ?? r.inputs ?? {}) as Json));
  if (found.length !== 1) throw new Error(`${type}: ${found.length} matches`);
  return found[0]!;
}
const obj = (s: StackExport, kind: string, namespace: string | undefined, name: string) =>
  find(s, `kubernetes:${kind}`, (p) => p.metadata?.name === name && p.metadata?.namespace === namespace);

function edit(resource: ResourceState, change: (props: Json) => void): void {
  for (const props of [resource.inputs, resource.outputs]) if (props !== undefined) change(props as Json);
}
const container = (p: Json) => p.spec.template.spec.containers[0];

/** The audit orders messages its own way: compare as a set, with the exact count. */
function same(actual: string[], expected: unknown[]): void {
  expect(actual).toHaveLength(expected.length);
  expect(actual).toEqual(expect.arrayContaining(expected));
}

describe.each(["dev", "prod"] as const)("the real %s stack", (stack) => {
  it("passes every Kubernetes and EKS policy", async () => {
    const result = await audit(snapshots[stack], kubernetesPolicies);
    for (const p of kubernetesPolicies) expect(messages(result, p.meta.id), p.meta.id).toEqual([]);
    // They ran: none was skipped as not applicable.
    expect(result.violations).toEqual([]);
  });
});

describe("K8S-01 Pod Security Standards", () => {
  it("catches an escalating, capable, root-permitting container with a hostPath volume, and a namespace not enforcing restricted", async () => {
    const s = copy("dev");
    edit(obj(s, "apps/v1:Deployment", "orders", "orders"), (p) => {
      const c = container(p);
      c.securityContext.allowPrivilegeEscalation = true;
      c.securityContext.capabilities = { drop: [], add: ["NET_ADMIN"] };
      c.securityContext.runAsNonRoot = false;
      p.spec.template.spec.volumes.push({ name: "host", hostPath: { path: "/var/run" } });
    });
    edit(obj(s, "core/v1:Namespace", undefined, "users"), (p) => {
      p.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline";
    });
    same(messages(await audit(s, [k8sPodSecurity]), "K8S-01"), [
      'Namespace "users" enforces "baseline"; it must enforce "restricted".',
      'Deployment "orders/orders": volume "host" is of type hostPath, which the restricted level forbids.',
      'Deployment "orders/orders": container "orders" may run as root (runAsNonRoot is not true).',
      'Deployment "orders/orders": container "orders" allows privilege escalation (allowPrivilegeEscalation must be false).',
      'Deployment "orders/orders": container "orders" does not drop ALL capabilities.',
      'Deployment "orders/orders": container "orders" adds capabilities NET_ADMIN.',
    ]);
  });

  it("allows the logging namespace to enforce privileged only while it audits and warns restricted", async () => {
    const s = copy("prod");
    edit(obj(s, "core/v1:Namespace", undefined, "logging"), (p) => {
      p.metadata.labels["pod-security.kubernetes.io/warn"] = "privileged";
    });
    same(messages(await audit(s, [k8sPodSecurity]), "K8S-01"), ['Namespace "logging" does not warn "restricted" (label pod-security.kubernetes.io/warn).']);
    expect(messages(await audit(s, [k8sPodSecurity], { config: { "K8S-01": { hostLogNamespaces: [] } } } as never), "K8S-01")).toContain(
      'Namespace "logging" enforces "privileged"; it must enforce "restricted".',
    );
  });
});

describe("K8S-02 resources, probes, quotas", () => {
  it("catches a writable root filesystem, missing limits and probes, and a namespace without quota", async () => {
    const s = copy("dev");
    edit(obj(s, "apps/v1:Deployment", "catalog", "catalog"), (p) => {
      const c = container(p);
      c.securityContext.readOnlyRootFilesystem = false;
      delete c.resources.limits;
      delete c.startupProbe;
    });
    s.deployment.resources = s.deployment.resources.filter((r) => r !== obj(s, "core/v1:ResourceQuota", "users", "quota"));
    same(messages(await audit(s, [k8sResourcesProbes]), "K8S-02"), [
      'Deployment "catalog/catalog": container "catalog" has a writable root filesystem.',
      'Deployment "catalog/catalog": container "catalog" sets no limits.cpu, limits.memory.',
      'Deployment "catalog/catalog": container "catalog" has no startupProbe.',
      'Namespace "users" has no ResourceQuota.',
    ]);
  });
});

describe("K8S-03 images", () => {
  it("catches a public image, a mutable tag and an unmirrored chart image", async () => {
    const s = copy("dev");
    edit(obj(s, "apps/v1:Deployment", "users", "users"), (p) => {
      container(p).image = "docker.io/library/nginx:1.27";
    });
    edit(obj(s, "apps/v1:Deployment", "orders", "orders"), (p) => {
      container(p).image = container(p).image.replace(/:[^/]+$/, ":latest");
    });
    edit(find(s, "kubernetes:helm.sh/v3:Release", (p) => p.name === "fluent-bit"), (p) => {
      p.values.image.repository = "cr.fluentbit.io/fluent/fluent-bit";
    });
    same(messages(await audit(s, [k8sImages]), "K8S-03"), [
      'Deployment "orders/orders": container "orders" image "111111111111.dkr.ecr.eu-central-1.amazonaws.com/fitness-platform/services/orders:latest" is not pinned (no digest, tag "latest").',
      'Deployment "users/users": container "users" image "docker.io/library/nginx:1.27" is not from one of this stack\'s ECR repositories.',
      expect.stringMatching(/^Helm release "logging\/fluent-bit": values image "cr\.fluentbit\.io\/fluent\/fluent-bit:3\.2\.10@sha256:[0-9a-f]{64}" is not from one of this stack's ECR repositories\.$/),
    ]);
  });

  it("accepts a tag only in a repository with immutable tags", async () => {
    const s = copy("dev");
    edit(find(s, "aws:ecr/repository:Repository", (p) => p.name === "fitness-platform/services/users"), (p) => {
      p.imageTagMutability = "MUTABLE";
    });
    edit(obj(s, "apps/v1:Deployment", "users", "users"), (p) => {
      container(p).image = container(p).image.replace(/@sha256:[0-9a-f]{64}$/, "");
    });
    same(messages(await audit(s, [k8sImages]), "K8S-03"), [
      'Deployment "users/users": container "users" image "111111111111.dkr.ecr.eu-central-1.amazonaws.com/fitness-platform/services/users:1.4.2" is pinned by tag "1.4.2" in a repository with mutable tags; add the digest.',
    ]);
  });
});

describe("K8S-04 exposure", () => {
  it("catches a LoadBalancer Service, externalIPs and the host network outside edge, but not in edge", async () => {
    const s = copy("prod");
    edit(obj(s, "core/v1:Service", "orders", "orders"), (p) => {
      p.spec.type = "LoadBalancer";
      p.spec.externalIPs = ["203.0.113.9"];
    });
    edit(obj(s, "apps/v1:Deployment", "users", "users"), (p) => {
      p.spec.template.spec.hostNetwork = true;
    });
    edit(find(s, "kubernetes:helm.sh/v3:Release", (p) => p.name === "fluent-bit"), (p) => {
      p.values.hostNetwork = true;
    });
    edit(find(s, "kubernetes:helm.sh/v3:Release", (p) => p.name === "envoy-gateway"), (p) => {
      p.values.deployment.pod.hostNetwork = true;
    });
    same(messages(await audit(s, [k8sExposure]), "K8S-04"), [
      'Deployment "users/users" uses the host network outside the edge namespace.',
      'Helm release "envoy-gateway-system/envoy-gateway": values deployment.pod.hostNetwork is true outside the edge namespace.',
      'Helm release "logging/fluent-bit": values hostNetwork is true outside the edge namespace.',
      'Service "orders/orders" is of type LoadBalancer outside the edge namespace.',
      'Service "orders/orders" sets externalIPs outside the edge namespace.',
    ]);
  });
});

describe("K8S-05 network policies", () => {
  it("catches a namespace without default deny and a workload no policy selects", async () => {
    const s = copy("dev");
    s.deployment.resources = s.deployment.resources.filter((r) => r !== obj(s, "networking.k8s.io/v1:NetworkPolicy", "trainings", "default-deny"));
    edit(obj(s, "networking.k8s.io/v1:NetworkPolicy", "notifications", "default-deny"), (p) => {
      p.spec.podSelector = { matchLabels: { app: "other" } };
    });
    for (const name of ["allow-dns", "notifications-egress"]) s.deployment.resources = s.deployment.resources.filter((r) => r !== obj(s, "networking.k8s.io/v1:NetworkPolicy", "notifications", name));
    same(messages(await audit(s, [k8sNetworkPolicies]), "K8S-05"), [
      'namespace "notifications" has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules).',
      'namespace "trainings" has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules).',
      'Deployment "notifications/notifications" is selected by no NetworkPolicy.',
    ]);
  });
});

describe("K8S-06 identity hygiene", () => {
  it("catches a mounted token, the default account, a secret literal and wildcard RBAC", async () => {
    const s = copy("dev");
    edit(obj(s, "apps/v1:Deployment", "orders", "orders"), (p) => {
      p.spec.template.spec.automountServiceAccountToken = true;
      container(p).env = [{ name: "STRIPE_API_KEY", value: "sk_live_x" }];
    });
    edit(obj(s, "apps/v1:Deployment", "users", "users"), (p) => {
      delete p.spec.template.spec.serviceAccountName;
      delete p.spec.template.spec.automountServiceAccountToken;
    });
    const role = structuredClone(obj(s, "core/v1:ServiceAccount", "users", "users"));
    role.urn = role.urn.replace("ServiceAccount", "ClusterRole");
    role.type = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
    for (const props of [role.inputs, role.outputs] as Json[]) Object.assign(props, { kind: "ClusterRole", apiVersion: "rbac.authorization.k8s.io/v1", metadata: { name: "too-much" }, rules: [{ apiGroups: [""], resources: ["*"], verbs: ["get"] }] });
    s.deployment.resources.push(role);
    same(messages(await audit(s, [k8sIdentityHygiene]), "K8S-06"), [
      'ClusterRole "too-much" rule 0 grants "*" resources.',
      'Deployment "orders/orders" mounts a service account token (automountServiceAccountToken is not false).',
      'Deployment "orders/orders": container "orders" sets STRIPE_API_KEY as a literal; use a secretKeyRef.',
      'Deployment "users/users" mounts a service account token (automountServiceAccountToken is not false).',
      'Deployment "users/users" uses the default service account.',
    ]);
  });
});

describe("EKS-01 cluster", () => {
  it("catches a public prod endpoint, missing encryption and logs, an unsupported version and a DMZ subnet", async () => {
    const s = copy("prod");
    const dmz = s.deployment.resources.find((r) => r.type === "aws:ec2/subnet:Subnet" && (r.inputs as Json).tags?.zone === "dmz")!;
    edit(find(s, "aws:eks/cluster:Cluster", () => true), (p) => {
      p.vpcConfig.endpointPublicAccess = true;
      delete p.encryptionConfig;
      p.enabledClusterLogTypes = ["api"];
      p.version = "1.27";
    });
    const cluster = find(s, "aws:eks/cluster:Cluster", () => true);
    cluster.propertyDependencies = { ...cluster.propertyDependencies, vpcConfig: [...(cluster.propertyDependencies?.["vpcConfig"] ?? []), dmz.urn] };
    same(messages(await audit(s, [eksCluster]), "EKS-01"), [
      'EKS cluster "fitness-platform-prod-eks-cluster" does not encrypt Kubernetes secrets with a KMS key.',
      'EKS cluster "fitness-platform-prod-eks-cluster" does not log audit, authenticator, controllerManager, scheduler.',
      'EKS cluster "fitness-platform-prod-eks-cluster" has a public API endpoint in prod.',
      'EKS cluster "fitness-platform-prod-eks-cluster" runs Kubernetes 1.27; supported: 1.35, 1.36.',
      expect.stringMatching(/^EKS cluster "fitness-platform-prod-eks-cluster" uses subnet ".*" of zone dmz; only app subnets\.$/),
    ]);
  });

  it("catches a dev endpoint open to the whole internet", async () => {
    const s = copy("dev");
    edit(find(s, "aws:eks/cluster:Cluster", () => true), (p) => {
      p.vpcConfig.publicAccessCidrs = ["0.0.0.0/0"];
    });
    same(messages(await audit(s, [eksCluster]), "EKS-01"), ['EKS cluster "fitness-platform-dev-eks-cluster" has a public API endpoint open to 0.0.0.0/0.']);
  });
});

describe("K8S-09 controllers reach the API server (VPC CNI semantics)", () => {
  it("catches a controller whose only HTTPS egress is the VPC block (fault 2), and an unpinned service CIDR", async () => {
    const s = copy("dev");
    edit(obj(s, "networking.k8s.io/v1:NetworkPolicy", "aws-load-balancer-controller", "controller-egress"), (p) => {
      p.spec.egress = [{ to: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ protocol: "TCP", port: 443 }] }];
    });
    same(messages(await audit(s, [k8sApiReachability]), "K8S-09"), [
      'Helm release "aws-load-balancer-controller/aws-load-balancer-controller" cannot reach the API server: no egress rule of namespace "aws-load-balancer-controller" admits 172.20.0.1:443 (egress is judged on the ClusterIP, before DNAT).',
    ]);
    // The controller's endpoint resolution: a namespace peer with an empty pod selector matches the
    // selector-less kubernetes Service (its ClusterIP is added); a labelled pod selector does not.
    for (const [podSelector, violations] of [[undefined, 0], [{ matchLabels: { component: "apiserver" } }, 1]] as const) {
      const t = copy("dev");
      edit(obj(t, "networking.k8s.io/v1:NetworkPolicy", "aws-load-balancer-controller", "controller-egress"), (p) => {
        p.spec.egress = [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "default" } }, ...(podSelector === undefined ? {} : { podSelector }) }], ports: [{ protocol: "TCP", port: 443 }] }];
      });
      expect(messages(await audit(t, [k8sApiReachability]), "K8S-09"), JSON.stringify(podSelector)).toHaveLength(violations);
    }
    const unpinned = copy("dev");
    edit(find(unpinned, "aws:eks/cluster:Cluster", () => true), (p) => {
      delete p.kubernetesNetworkConfig;
    });
    const lines = messages(await audit(unpinned, [k8sApiReachability]), "K8S-09");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/no EKS cluster pins kubernetesNetworkConfig\.serviceIpv4Cidr/);
  });
});

describe("K8S-10 replicas left to the HPA", () => {
  it("catches a Deployment that sets spec.replicas while an HPA scales it (fault 4)", async () => {
    const s = copy("prod");
    edit(obj(s, "apps/v1:Deployment", "orders", "orders"), (p) => {
      p.spec.replicas = 2;
    });
    same(messages(await audit(s, [k8sHpaReplicas]), "K8S-10"), ['Deployment "orders/orders" sets spec.replicas while HorizontalPodAutoscaler "orders/orders" scales it.']);
  });
});

describe("K8S-11 no Secret readable by the edge", () => {
  it("catches a gateway controller with cluster-wide Secret read, a Secret where it reads, and a Secret-reading role bound in the edge (fault 3)", async () => {
    const s = copy("dev");
    edit(find(s, "kubernetes:helm.sh/v3:Release", (p) => p.name === "envoy-gateway"), (p) => {
      delete p.values.config.envoyGateway.provider.kubernetes.watch;
    });
    const secret = structuredClone(obj(s, "core/v1:ServiceAccount", "users", "users"));
    secret.urn = secret.urn.replace("ServiceAccount", "Secret");
    secret.type = "kubernetes:core/v1:Secret";
    for (const props of [secret.inputs, secret.outputs] as Json[]) Object.assign(props, { kind: "Secret", apiVersion: "v1", metadata: { name: "users-database", namespace: "edge" }, type: "Opaque" });
    s.deployment.resources.push(secret);
    const role = structuredClone(secret);
    role.urn = role.urn.replace("Secret", "ClusterRole");
    role.type = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
    for (const props of [role.inputs, role.outputs] as Json[]) Object.assign(props, { kind: "ClusterRole", apiVersion: "rbac.authorization.k8s.io/v1", metadata: { name: "secret-reader" }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }] });
    const binding = structuredClone(secret);
    binding.urn = binding.urn.replace("Secret", "ClusterRoleBinding");
    binding.type = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
    for (const props of [binding.inputs, binding.outputs] as Json[]) {
      Object.assign(props, { kind: "ClusterRoleBinding", apiVersion: "rbac.authorization.k8s.io/v1", metadata: { name: "gateway-secrets" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "secret-reader" }, subjects: [{ kind: "ServiceAccount", name: "envoy", namespace: "edge" }] });
    }
    s.deployment.resources.push(role, binding);
    same(messages(await audit(s, [k8sEdgeSecrets]), "K8S-11"), [
      'Helm release "envoy-gateway-system/envoy-gateway" installs a gateway controller without kubernetes.watch.namespaces: its chart grants it cluster-wide Secret read.',
      'Secret "edge/users-database" lives in a namespace the edge gateway can read.',
      'ClusterRoleBinding "gateway-secrets" lets ServiceAccount "edge/envoy" in the edge read Secrets through ClusterRole "secret-reader".',
    ]);
  });
});

describe("EKS-02 network policy engine", () => {
  it("catches standard enforcing mode, a CNI on the node role and an unpinned service CIDR (faults 2 and 6)", async () => {
    const s = copy("prod");
    edit(find(s, "aws:eks/addon:Addon", (p) => p.addonName === "vpc-cni"), (p) => {
      p.configurationValues = JSON.stringify({ enableNetworkPolicy: "true" });
      delete p.podIdentityAssociations;
    });
    edit(find(s, "aws:eks/cluster:Cluster", () => true), (p) => {
      delete p.kubernetesNetworkConfig;
    });
    same(messages(await audit(s, [eksNetworkPolicyEngine]), "EKS-02"), [
      'EKS cluster "fitness-platform-prod-eks-cluster" does not pin kubernetesNetworkConfig.serviceIpv4Cidr.',
      'vpc-cni add-on of "fitness-platform-prod-eks-cluster" enforces in standard mode: new pods are open until their policies attach.',
      'vpc-cni add-on of "fitness-platform-prod-eks-cluster" has no pod identity for aws-node: it would need the node role through IMDS.',
    ]);
  });
});
