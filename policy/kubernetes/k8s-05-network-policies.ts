import { defineStackPolicy } from "../framework/define";
import { at, isRecord, list, texts } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { helmReleases, type KubeObject, kubeObjects, label, namespaceOf, podTemplates } from "./objects";

/** A policy selecting every pod of its namespace that denies both directions (no rules at all). */
function isDefaultDeny(policy: KubeObject): boolean {
  const spec = at(policy.props, "spec");
  const selector = at(spec, "podSelector");
  const selectsAll = isRecord(selector) && Object.values(selector).every((v) => (isRecord(v) ? Object.keys(v).length === 0 : list(v).length === 0));
  const types = texts(at(spec, "policyTypes"));
  return selectsAll && types.includes("Ingress") && types.includes("Egress") && list(at(spec, "ingress")).length === 0 && list(at(spec, "egress")).length === 0;
}

function selects(policy: KubeObject, labels: Record<string, string>): boolean {
  const selector = at(policy.props, "spec", "podSelector");
  if (list(at(selector, "matchExpressions")).length > 0) return true; // expressions: assume selected rather than guess
  const match = at(selector, "matchLabels");
  return !isRecord(match) || Object.entries(match).every(([k, v]) => labels[k] === v);
}

export const k8sNetworkPolicies = defineStackPolicy({
  meta: {
    id: "K8S-05",
    title: "Default-deny ingress and egress in every namespace; every workload selected",
    severity: "high",
    decisions: ["D1", "D6"],
    controls: { checkov: ["CKV2_K8S_6"], other: ["Kyverno require-network-policy", "NSA/CISA Kubernetes Hardening 2.0"] },
    description:
      "Every Namespace the stack creates, and every namespace a registered workload or Helm release runs in, holds a " +
      "NetworkPolicy selecting all pods that denies ingress and egress (no rules); every registered pod template is selected " +
      "by at least one NetworkPolicy of its namespace. The VPC CNI enforces them (enableNetworkPolicy).",
    remediation: "Add the namespace's default-deny and allow-dns policies (src/services/network-policies.ts), then allow exactly the declared flows.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const objects = kubeObjects(index);
    if (objects.length === 0) args.notApplicable("the stack registers no Kubernetes objects");
    const policies = objects.filter((o) => o.kind === "NetworkPolicy");
    const denies = new Set(policies.filter(isDefaultDeny).map(namespaceOf));

    const namespaces = new Map<string, string>();
    for (const ns of objects.filter((o) => o.kind === "Namespace")) namespaces.set(ns.name, ns.resource.urn);
    for (const t of podTemplates(objects)) if (!namespaces.has(namespaceOf(t.owner))) namespaces.set(namespaceOf(t.owner), t.owner.resource.urn);
    for (const r of helmReleases(index)) if (!namespaces.has(r.namespace)) namespaces.set(r.namespace, r.resource.urn);
    for (const [ns, urn] of [...namespaces].sort(([a], [b]) => a.localeCompare(b))) {
      if (!denies.has(ns)) reportViolation(`namespace "${ns}" has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules).`, urn);
    }
    for (const t of podTemplates(objects)) {
      const own = policies.filter((p) => namespaceOf(p) === namespaceOf(t.owner));
      if (!own.some((p) => selects(p, t.labels))) reportViolation(`${label(t.owner)} is selected by no NetworkPolicy.`, t.owner.resource.urn);
    }
  },
});
