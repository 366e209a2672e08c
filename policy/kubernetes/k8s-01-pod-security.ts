import { defineStackPolicy } from "../framework/define";
import { at, flag, isRecord, type Json, list, text, texts } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { containersOf, kubeObjects, label, podTemplates } from "./objects";

/** Volume types the restricted level admits. */
const RESTRICTED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);
const PSS_LABEL = "pod-security.kubernetes.io";

export const k8sPodSecurity = defineStackPolicy({
  meta: {
    id: "K8S-01",
    title: "Pod Security Standards restricted on every pod template; namespaces enforce restricted",
    severity: "critical",
    decisions: ["D1"],
    controls: {
      pss: [
        "spec.securityContext.runAsNonRoot",
        "spec.securityContext.seccompProfile.type",
        "spec.containers[*].securityContext.allowPrivilegeEscalation",
        "spec.containers[*].securityContext.capabilities",
        "spec.hostNetwork/hostPID/hostIPC",
        "spec.volumes[*].hostPath",
      ],
      checkov: ["CKV_K8S_16", "CKV_K8S_17", "CKV_K8S_18", "CKV_K8S_19", "CKV_K8S_20", "CKV_K8S_23", "CKV_K8S_28", "CKV_K8S_31", "CKV_K8S_37", "CKV_K8S_40"],
    },
    description:
      "Every pod template registered by the stack (Deployments, DaemonSets, StatefulSets, Jobs, CronJobs, Pods) meets the " +
      "Pod Security Standards restricted level: non-root, seccomp RuntimeDefault or Localhost, no privilege escalation, every " +
      "capability dropped (only NET_BIND_SERVICE may be added), not privileged, no host namespaces, ports or hostPath volumes. " +
      "Every Namespace enforces, audits and warns `restricted`. Allowance: the namespaces in `hostLogNamespaces` (default " +
      "`logging`, Fluent Bit tails node log files through hostPath) may enforce `privileged` if they still audit and warn " +
      "`restricted`; the objects registered in them are checked like all others. Helm releases render their pods in the " +
      "cluster and are not visible here; their namespaces' labels are.",
    remediation:
      "Use the restricted security contexts of src/services/objects.ts; label the namespace pod-security.kubernetes.io/enforce=restricted " +
      "(and audit, warn). A namespace that truly needs host access goes into hostLogNamespaces with a decision record.",
    enforcementLevel: "mandatory",
  },
  config: {
    hostLogNamespaces: { type: "array", items: { type: "string" }, default: ["logging"] },
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const objects = kubeObjects(index);
    if (objects.length === 0) args.notApplicable("the stack registers no Kubernetes objects");
    const allowance = new Set(args.getConfig<{ hostLogNamespaces?: string[] }>().hostLogNamespaces ?? ["logging"]);

    for (const ns of objects.filter((o) => o.kind === "Namespace")) {
      const labels = at(ns.props, "metadata", "labels");
      const level = (mode: string) => (isRecord(labels) ? text(labels[`${PSS_LABEL}/${mode}`]) : undefined);
      const enforce = level("enforce");
      const allowed = enforce === "restricted" || (allowance.has(ns.name) && enforce === "privileged");
      if (!allowed) reportViolation(`Namespace "${ns.name}" enforces ${JSON.stringify(enforce ?? "no level")}; it must enforce "restricted".`, ns.resource.urn);
      for (const mode of ["audit", "warn"]) {
        if (level(mode) !== "restricted") reportViolation(`Namespace "${ns.name}" does not ${mode} "restricted" (label ${PSS_LABEL}/${mode}).`, ns.resource.urn);
      }
    }

    for (const template of podTemplates(objects)) {
      const where = label(template.owner);
      const report = (message: string) => reportViolation(`${where}: ${message}`, template.owner.resource.urn);
      for (const problem of podProblems(template.spec)) report(problem);
    }
  },
});

/** The restricted level's violations of one pod spec, as sentences. */
export function podProblems(spec: Json): string[] {
  const problems: string[] = [];
  const pod = isRecord(spec["securityContext"]) ? spec["securityContext"] : {};
  for (const host of ["hostNetwork", "hostPID", "hostIPC"]) if (flag(spec[host]) === true) problems.push(`uses the host's namespace (${host}: true).`);
  for (const volume of list(spec["volumes"]).filter(isRecord)) {
    const type = Object.keys(volume).find((k) => k !== "name");
    if (type !== undefined && !RESTRICTED_VOLUMES.has(type)) problems.push(`volume "${text(volume["name"]) ?? "?"}" is of type ${type}, which the restricted level forbids.`);
  }
  const containers = containersOf(spec);
  const podNonRoot = flag(pod["runAsNonRoot"]) === true;
  const podSeccomp = text(at(pod, "seccompProfile", "type"));
  if (at(pod, "runAsUser") === 0) problems.push("runs as uid 0 (securityContext.runAsUser).");
  for (const c of containers) {
    const sc = isRecord(c.props["securityContext"]) ? c.props["securityContext"] : {};
    const name = `${c.kind} "${c.name}"`;
    if (!(flag(sc["runAsNonRoot"]) === true || (podNonRoot && flag(sc["runAsNonRoot"]) !== false))) problems.push(`${name} may run as root (runAsNonRoot is not true).`);
    if (sc["runAsUser"] === 0) problems.push(`${name} runs as uid 0.`);
    const seccomp = text(at(sc, "seccompProfile", "type")) ?? podSeccomp;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") problems.push(`${name} has no RuntimeDefault or Localhost seccomp profile.`);
    if (flag(sc["privileged"]) === true) problems.push(`${name} is privileged.`);
    if (flag(sc["allowPrivilegeEscalation"]) !== false) problems.push(`${name} allows privilege escalation (allowPrivilegeEscalation must be false).`);
    if (!texts(at(sc, "capabilities", "drop")).includes("ALL")) problems.push(`${name} does not drop ALL capabilities.`);
    const added = texts(at(sc, "capabilities", "add")).filter((cap) => cap !== "NET_BIND_SERVICE");
    if (added.length > 0) problems.push(`${name} adds capabilities ${added.join(", ")}.`);
    for (const port of list(c.props["ports"]).filter(isRecord)) {
      if (port["hostPort"] !== undefined && port["hostPort"] !== 0) problems.push(`${name} binds host port ${String(port["hostPort"])}.`);
    }
  }
  return problems;
}
