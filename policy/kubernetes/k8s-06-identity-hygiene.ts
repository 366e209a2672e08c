import { defineStackPolicy } from "../framework/define";
import { at, flag, isRecord, list, text, texts } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { containersOf, kubeObjects, label, namespaceOf, podTemplates } from "./objects";

/** Names of variables that hold secrets; their values must come from a Secret, never a literal. */
const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL/i;
const RBAC_KINDS = new Set(["Role", "ClusterRole"]);

export const k8sIdentityHygiene = defineStackPolicy({
  meta: {
    id: "K8S-06",
    title: "No token automount unless needed, no default service account or namespace, no secrets in env literals, no wildcard RBAC",
    severity: "medium",
    decisions: ["D1"],
    controls: { checkov: ["CKV_K8S_21", "CKV_K8S_35", "CKV_K8S_38", "CKV_K8S_41", "CKV_K8S_42", "CKV_K8S_49"] },
    description:
      "Registered pod templates name their own service account (never `default`) and do not run in the `default` namespace; " +
      "they do not mount a Kubernetes API token unless listed in `tokenAllowed` (`<namespace>/<serviceAccount>`), judged from " +
      "the pod's automountServiceAccountToken or else its ServiceAccount's; no environment variable named like a secret has a " +
      "literal value; no Role or ClusterRole grants `*` verbs, resources or API groups.",
    remediation: "Set automountServiceAccountToken: false on the pod and its ServiceAccount; read secrets through secretKeyRef; list verbs and resources in RBAC rules.",
    enforcementLevel: "mandatory",
  },
  config: { tokenAllowed: { type: "array", items: { type: "string" }, default: [] } },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const objects = kubeObjects(index);
    if (objects.length === 0) args.notApplicable("the stack registers no Kubernetes objects");
    const tokenAllowed = new Set(args.getConfig<{ tokenAllowed?: string[] }>().tokenAllowed ?? []);
    const accounts = new Map(objects.filter((o) => o.kind === "ServiceAccount").map((o) => [`${namespaceOf(o)}/${o.name}`, o]));

    for (const t of podTemplates(objects)) {
      const where = label(t.owner);
      const urn = t.owner.resource.urn;
      const ns = namespaceOf(t.owner);
      const account = text(t.spec["serviceAccountName"]) ?? "default";
      if (ns === "default") reportViolation(`${where} runs in the default namespace.`, urn);
      if (account === "default") reportViolation(`${where} uses the default service account.`, urn);
      const podMount = flag(t.spec["automountServiceAccountToken"]);
      const saMount = flag(accounts.get(`${ns}/${account}`)?.props["automountServiceAccountToken"]);
      const mounts = podMount ?? saMount ?? true;
      if (mounts && !tokenAllowed.has(`${ns}/${account}`)) reportViolation(`${where} mounts a service account token (automountServiceAccountToken is not false).`, urn);
      for (const c of containersOf(t.spec)) {
        for (const env of list(c.props["env"]).filter(isRecord)) {
          const name = text(env["name"]) ?? "";
          if (SECRET_NAME.test(name) && env["value"] !== undefined) reportViolation(`${where}: ${c.kind} "${c.name}" sets ${name} as a literal; use a secretKeyRef.`, urn);
        }
      }
    }
    for (const role of objects.filter((o) => RBAC_KINDS.has(o.kind))) {
      list(at(role.props, "rules")).forEach((rule, i) => {
        for (const field of ["verbs", "resources", "apiGroups"]) {
          if (texts(at(rule, field)).includes("*")) reportViolation(`${label(role)} rule ${i} grants "*" ${field}.`, role.resource.urn);
        }
      });
    }
  },
});
