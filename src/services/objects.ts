/**
 * Plain Kubernetes objects as the plans produce them: the same objects are registered by the
 * components (one typed resource each, with the cluster's provider) and written as manifests.
 * Values only known at deploy time (queue URLs, the CA certificate) may be Outputs inside `data`.
 */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly [field: string]: unknown;
}

/** `<kind>/<namespace>/<name>`: unique per cluster, used for resource names and manifest paths. */
export const objectKey = (o: KubeObject) => [o.kind.toLowerCase(), o.metadata.namespace, o.metadata.name].filter((p) => p !== undefined).join("/");

export const NAME_LABEL = "app.kubernetes.io/name";
export const PART_OF_LABEL = "app.kubernetes.io/part-of";
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Pod Security Standards `restricted`, enforced, audited and warned, on every namespace we run code in (K8S-01). */
export const RESTRICTED_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/enforce-version": "latest",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/audit-version": "latest",
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/warn-version": "latest",
};

export function namespaceObject(name: string, labels: Readonly<Record<string, string>> = {}): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { ...RESTRICTED_NAMESPACE_LABELS, ...labels } } };
}

/** The restricted pod-level security context (non-root, RuntimeDefault seccomp). */
export function restrictedPodSecurityContext(uid: number): Record<string, unknown> {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: "RuntimeDefault" } };
}

/** The restricted container security context: no escalation, no capabilities, read-only root filesystem. */
export function restrictedContainerSecurityContext(uid: number): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export interface ContainerResources {
  readonly cpu: string;
  readonly memory: string;
}

/** A namespace's ResourceQuota (K8S-02); callers name every limit, LB and NodePort counts included. */
export function resourceQuotaObject(namespace: string, hard: Readonly<Record<string, string>>, labels?: Readonly<Record<string, string>>): KubeObject {
  return { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "quota", namespace, ...(labels ? { labels } : {}) }, spec: { hard } };
}

/** A namespace's LimitRange for containers (K8S-02): defaults for what a pod leaves out, and a ceiling. */
export function limitRangeObject(
  namespace: string,
  limits: { readonly default: ContainerResources; readonly defaultRequest: ContainerResources; readonly max: ContainerResources },
  labels?: Readonly<Record<string, string>>,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: "limits", namespace, ...(labels ? { labels } : {}) },
    spec: { limits: [{ type: "Container", ...limits }] },
  };
}
