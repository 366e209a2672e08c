import { defineStackPolicy } from "../framework/define";
import { at, flag, isRecord } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { containersOf, kubeObjects, label, namespaceOf, podTemplates } from "./objects";

/** Long-running workloads are probed; run-to-completion ones (Job, CronJob) are not. */
const SERVING_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod"]);
const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;

export const k8sResourcesProbes = defineStackPolicy({
  meta: {
    id: "K8S-02",
    title: "Read-only root filesystem, requests and limits, probes; ResourceQuota and LimitRange per namespace",
    severity: "medium",
    decisions: ["D1"],
    controls: {
      checkov: ["CKV_K8S_8", "CKV_K8S_9", "CKV_K8S_10", "CKV_K8S_11", "CKV_K8S_12", "CKV_K8S_13", "CKV_K8S_22"],
      other: ["Kyverno require-requests-limits", "Kyverno require-pod-probes"],
    },
    description:
      "Every container of a registered pod template has a read-only root filesystem and CPU and memory requests and limits; " +
      "the main containers of long-running workloads have liveness, readiness and startup probes. Every Namespace the stack " +
      "creates holds a ResourceQuota and a LimitRange.",
    remediation: "Take resources and healthPath from the service catalog (src/config/catalog.yaml); the services plan adds probes, quota and limits.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const objects = kubeObjects(index);
    if (objects.length === 0) args.notApplicable("the stack registers no Kubernetes objects");

    for (const template of podTemplates(objects)) {
      const where = label(template.owner);
      for (const c of containersOf(template.spec).filter((x) => x.kind !== "ephemeralContainer")) {
        const name = `${where}: ${c.kind} "${c.name}"`;
        if (flag(at(c.props, "securityContext", "readOnlyRootFilesystem")) !== true) reportViolation(`${name} has a writable root filesystem.`, template.owner.resource.urn);
        const missing = ["requests", "limits"].flatMap((kind) =>
          ["cpu", "memory"].filter((res) => at(c.props, "resources", kind, res) === undefined).map((res) => `${kind}.${res}`),
        );
        if (missing.length > 0) reportViolation(`${name} sets no ${missing.join(", ")}.`, template.owner.resource.urn);
        if (c.kind === "container" && SERVING_KINDS.has(template.owner.kind)) {
          const absent = PROBES.filter((p) => !isRecord(c.props[p]));
          if (absent.length > 0) reportViolation(`${name} has no ${absent.join(", ")}.`, template.owner.resource.urn);
        }
      }
    }

    for (const ns of objects.filter((o) => o.kind === "Namespace")) {
      for (const kind of ["ResourceQuota", "LimitRange"]) {
        if (!objects.some((o) => o.kind === kind && namespaceOf(o) === ns.name)) reportViolation(`Namespace "${ns.name}" has no ${kind}.`, ns.resource.urn);
      }
    }
  },
});
