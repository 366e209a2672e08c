import type { PolicyResource } from "@pulumi/policy";
import { at, isRecord, type Json, list, text } from "../framework/props";
import type { StackIndex } from "../framework/stack-index";

/**
 * The Kubernetes objects of a stack as policies see them: every `kubernetes:*` resource but providers
 * and Helm releases (whose rendered objects live only in the cluster; their values are read
 * separately, where practical), with kind, namespace, name and pod templates.
 */
export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

export interface KubeObject {
  readonly resource: PolicyResource;
  readonly kind: string;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly props: Json;
}

export function kubeObjects(index: StackIndex): KubeObject[] {
  return index.resources
    .filter((r) => r.type.startsWith("kubernetes:") && r.type !== HELM_RELEASE && !r.type.startsWith("pulumi:"))
    .map((r) => {
      const props = isRecord(r.props) ? r.props : {};
      return {
        resource: r,
        kind: text(props["kind"]) ?? r.type.split(":").pop() ?? r.type,
        namespace: text(at(props, "metadata", "namespace")),
        name: text(at(props, "metadata", "name")) ?? r.name,
        props,
      };
    });
}

export const label = (o: KubeObject) => `${o.kind} "${o.namespace === undefined ? "" : `${o.namespace}/`}${o.name}"`;

export interface PodTemplate {
  readonly owner: KubeObject;
  readonly spec: Json;
  readonly labels: Record<string, string>;
}

const TEMPLATE_PATHS: Readonly<Record<string, (string | number)[]>> = {
  Deployment: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  ReplicationController: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
};

export function podTemplates(objects: readonly KubeObject[]): PodTemplate[] {
  const out: PodTemplate[] = [];
  for (const o of objects) {
    const path = TEMPLATE_PATHS[o.kind];
    const template = o.kind === "Pod" ? o.props : path === undefined ? undefined : at(o.props, ...path);
    if (template === undefined) continue;
    const spec = at(template, "spec");
    const labels = at(template, "metadata", "labels");
    out.push({
      owner: o,
      spec: isRecord(spec) ? spec : {},
      labels: isRecord(labels) ? Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === "string")) : {},
    });
  }
  return out;
}

export interface Container {
  readonly name: string;
  readonly kind: "container" | "initContainer" | "ephemeralContainer";
  readonly props: Json;
}

export function containersOf(spec: Json): Container[] {
  const of = (key: string, kind: Container["kind"]) =>
    list(spec[key])
      .filter(isRecord)
      .map((c) => ({ name: text(c["name"]) ?? "?", kind, props: c }));
  return [...of("containers", "container"), ...of("initContainers", "initContainer"), ...of("ephemeralContainers", "ephemeralContainer")];
}

/** The namespace of a namespaced object; Kubernetes puts objects without one into `default`. */
export const namespaceOf = (o: KubeObject) => o.namespace ?? "default";

export const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass", "PriorityClass", "IngressClass"]);

export interface HelmRelease {
  readonly resource: PolicyResource;
  readonly name: string;
  readonly namespace: string;
  readonly values: Json;
}

export function helmReleases(index: StackIndex): HelmRelease[] {
  return index.ofType(HELM_RELEASE).map((r) => {
    const props = isRecord(r.props) ? r.props : {};
    const values = props["values"];
    return { resource: r, name: text(props["name"]) ?? r.name, namespace: text(props["namespace"]) ?? "default", values: isRecord(values) ? values : {} };
  });
}

/** Every `(path, value)` pair in a values tree, for keys that matter wherever a chart nests them. */
export function walk(value: unknown, visit: (path: string[], key: string, value: unknown, parent: Json) => void, path: string[] = []): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, visit, [...path, String(i)]));
    return;
  }
  if (!isRecord(value)) return;
  for (const [k, v] of Object.entries(value)) {
    visit([...path, k], k, v, value);
    walk(v, visit, [...path, k]);
  }
}
