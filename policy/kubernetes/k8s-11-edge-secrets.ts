import { defineStackPolicy } from "../framework/define";
import { at, isRecord, list, text, texts } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { helmReleases, type KubeObject, kubeObjects, label, namespaceOf } from "./objects";

const READS = new Set(["get", "list", "watch", "*"]);

/** A role's rules that let its holder read Secrets. */
function readsSecrets(role: KubeObject): boolean {
  return list(at(role.props, "rules")).some((rule) => {
    const groups = texts(at(rule, "apiGroups"));
    const resources = texts(at(rule, "resources"));
    const verbs = texts(at(rule, "verbs"));
    return (groups.includes("") || groups.includes("*")) && (resources.includes("secrets") || resources.includes("*")) && verbs.some((v) => READS.has(v));
  });
}

/** Envoy Gateway's provider settings wherever a chart nests them (`config.envoyGateway.provider.kubernetes`). */
function gatewayProvider(values: unknown): unknown {
  return at(values, "config", "envoyGateway", "provider");
}

export const k8sEdgeSecrets = defineStackPolicy({
  meta: {
    id: "K8S-11",
    title: "No Secret readable by the edge: no cluster-wide Secret access for the gateway, no Secret where it reads",
    severity: "critical",
    decisions: ["D3", "D5", "D6"],
    controls: { other: ["CIS Kubernetes 5.1.2 (minimize access to secrets)", "NSA/CISA Kubernetes Hardening 2.0 (RBAC)"] },
    description:
      "The internet-facing edge must not be able to read application secrets. (1) A gateway controller installed by Helm " +
      "(Envoy Gateway's `config.envoyGateway.provider`) must restrict itself to listed namespaces " +
      "(`kubernetes.watch.namespaces`), so its chart grants Secret read through namespaced Roles only, never a ClusterRole; " +
      "(2) no Secret object is registered in an edge namespace or a namespace the gateway controller watches; (3) no Role or " +
      "ClusterRole that reads Secrets is bound to a subject in an edge namespace.",
    remediation: "Set watch.namespaces in the gateway chart values; keep credentials in Secrets Manager (pod identity), not in Kubernetes Secrets.",
    enforcementLevel: "mandatory",
  },
  config: { edgeNamespaces: { type: "array", items: { type: "string" }, default: ["edge"] } },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const objects = kubeObjects(index);
    const releases = helmReleases(index);
    if (objects.length === 0 && releases.length === 0) args.notApplicable("the stack registers no Kubernetes objects");
    const edge = new Set(args.getConfig<{ edgeNamespaces?: string[] }>().edgeNamespaces ?? ["edge"]);
    const readable = new Set(edge);

    for (const release of releases) {
      const provider = gatewayProvider(release.values);
      if (provider === undefined) continue;
      const watched = texts(at(provider, "kubernetes", "watch", "namespaces"));
      if (text(at(provider, "kubernetes", "watch", "type")) !== "Namespaces" || watched.length === 0) {
        reportViolation(`Helm release "${release.namespace}/${release.name}" installs a gateway controller without kubernetes.watch.namespaces: its chart grants it cluster-wide Secret read.`, release.resource.urn);
      }
      for (const ns of watched) readable.add(ns);
      readable.add(release.namespace);
    }
    for (const secret of objects.filter((o) => o.kind === "Secret" && readable.has(namespaceOf(o)))) {
      reportViolation(`${label(secret)} lives in a namespace the edge gateway can read.`, secret.resource.urn);
    }
    const roles = objects.filter((o) => (o.kind === "Role" || o.kind === "ClusterRole") && readsSecrets(o));
    for (const binding of objects.filter((o) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding")) {
      const ref = at(binding.props, "roleRef");
      const role = roles.find((r) => r.kind === text(at(ref, "kind")) && r.name === text(at(ref, "name")) && (r.kind === "ClusterRole" || namespaceOf(r) === namespaceOf(binding)));
      if (role === undefined) continue;
      for (const subject of list(at(binding.props, "subjects")).filter(isRecord)) {
        const ns = text(subject["namespace"]) ?? namespaceOf(binding);
        if (edge.has(ns)) reportViolation(`${label(binding)} lets ${text(subject["kind"]) ?? "subject"} "${ns}/${text(subject["name"]) ?? "?"}" in the edge read Secrets through ${label(role)}.`, binding.resource.urn);
      }
    }
  },
});
