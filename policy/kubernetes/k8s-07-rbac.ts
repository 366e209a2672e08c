import { defineStackPolicy } from "../framework/define";
import { at, list, text, texts } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { type KubeObject, kubeObjects, label } from "./objects";

/**
 * RBAC that hands out more than the holder's own rights (Kubernetes RBAC good practices, "Privilege
 * escalation risks"): `escalate` and `bind` let a subject grant itself any permission, `impersonate`
 * lets it act as anyone, reading Secrets cluster-wide reads every service's credentials, `nodes/proxy`
 * reaches the kubelet API, wildcards grant whatever exists now or later; and bindings that give
 * cluster-admin away or grant to the anonymous, unauthenticated or system:masters groups.
 */
const ESCALATING_VERBS = ["escalate", "bind", "impersonate"];
const READ_VERBS = ["get", "list", "watch", "*"];
const RISKY_GROUPS = new Set(["system:anonymous", "system:unauthenticated", "system:masters"]);

interface Rule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
}

function rulesOf(o: KubeObject): Rule[] {
  return list(o.props["rules"]).map((r) => ({ apiGroups: texts(at(r, "apiGroups")), resources: texts(at(r, "resources")), verbs: texts(at(r, "verbs")).map((v) => v.toLowerCase()) }));
}

const coreGroup = (r: Rule) => r.apiGroups.length === 0 || r.apiGroups.includes("") || r.apiGroups.includes("*");

export const k8sRbac = defineStackPolicy({
  meta: {
    id: "K8S-07",
    title: "Kubernetes RBAC grants no escalation, impersonation, cluster-wide Secret reads or wildcards",
    severity: "high",
    decisions: ["D1"],
    controls: {
      checkov: ["CKV_K8S_49", "CKV_K8S_157", "CKV_K8S_158"],
      other: [
        "Kyverno restrict-escalation-verbs-roles",
        "Kyverno restrict-wildcard-verbs",
        "Kyverno restrict-wildcard-resources",
        "Kyverno restrict-binding-clusteradmin",
        "Kyverno restrict-binding-system-groups",
        "Kyverno restrict-clusterrole-nodesproxy",
      ],
    },
    description:
      "No Role or ClusterRole grants the escalate, bind or impersonate verbs, access to nodes/proxy, or a wildcard verb, resource " +
      "or API group; no ClusterRole that reads Secrets (get, list, watch) is bound cluster-wide (ClusterRoleBinding) or left for " +
      "any binding; no binding grants cluster-admin, or names the system:anonymous, system:unauthenticated or system:masters group.",
    remediation:
      "Name the verbs and resources each workload needs, in a namespaced Role bound by a RoleBinding; read a service's own Secret " +
      "by resourceNames in its namespace; leave role administration to the platform's deployer.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const objects = kubeObjects(new StackIndex(args.resources));
    const roles = objects.filter((o) => o.kind === "Role" || o.kind === "ClusterRole");
    const bindings = objects.filter((o) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding");
    if (roles.length === 0 && bindings.length === 0) args.notApplicable("the stack has no RBAC objects");

    for (const role of roles) {
      const what = label(role);
      const report = (message: string, key: string) => reportViolation(`${what} ${message}.`, role.resource.urn, key);
      rulesOf(role).forEach((rule) => {
        const on = rule.resources.join(",") || "(none)";
        for (const verb of ESCALATING_VERBS.filter((v) => rule.verbs.includes(v))) report(`grants the ${verb} verb on ${on}`, `verb ${verb} on ${on}`);
        if (rule.verbs.includes("*")) report(`grants every verb ("*") on ${on}`, `verbs * on ${on}`);
        if (rule.resources.includes("*")) report(`grants ${rule.verbs.join(",")} on every resource ("*")`, `resources * ${rule.verbs.join(",")}`);
        if (rule.apiGroups.includes("*")) report(`grants ${rule.verbs.join(",")} on ${on} in every API group ("*")`, `apiGroups * ${on}`);
        if (rule.resources.includes("nodes/proxy")) report("grants access to nodes/proxy (the kubelet API)", "nodes/proxy");
        const readsSecrets = coreGroup(rule) && (rule.resources.includes("secrets") || rule.resources.includes("*")) && rule.verbs.some((v) => READ_VERBS.includes(v));
        if (role.kind === "ClusterRole" && readsSecrets) {
          const refs = bindings.filter((b) => text(at(b.props, "roleRef", "kind")) === "ClusterRole" && text(at(b.props, "roleRef", "name")) === role.name);
          const clusterWide = refs.length === 0 || refs.some((b) => b.kind === "ClusterRoleBinding");
          if (clusterWide) report("reads Secrets in every namespace (bound by a ClusterRoleBinding, or by nothing this stack controls)", "cluster-wide secrets read");
        }
      });
    }

    for (const binding of bindings) {
      const what = label(binding);
      if (text(at(binding.props, "roleRef", "name")) === "cluster-admin") reportViolation(`${what} grants cluster-admin.`, binding.resource.urn, "cluster-admin");
      for (const subject of list(binding.props["subjects"])) {
        const name = text(at(subject, "name")) ?? "";
        if (text(at(subject, "kind")) === "Group" && RISKY_GROUPS.has(name)) reportViolation(`${what} grants to the group ${name}.`, binding.resource.urn, `group ${name}`);
        if (text(at(subject, "kind")) === "User" && name === "system:anonymous") reportViolation(`${what} grants to the anonymous user.`, binding.resource.urn, "user system:anonymous");
      }
    }
  },
});
