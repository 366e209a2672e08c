import { defineStackPolicy } from "../framework/define";
import { at, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { kubeObjects, label, namespaceOf } from "./objects";

export const k8sHpaReplicas = defineStackPolicy({
  meta: {
    id: "K8S-10",
    title: "No workload both sets spec.replicas and is scaled by a HorizontalPodAutoscaler",
    severity: "medium",
    decisions: ["D1"],
    controls: { other: ["Kubernetes docs: migrating Deployments to horizontal autoscaling (remove spec.replicas)", "Kyverno best practices"] },
    description:
      "With server-side apply the program and the HPA would both own spec.replicas: every deploy either conflicts with " +
      "the HPA's field manager or resets a scaled-out workload to the declared count under load. A Deployment, StatefulSet " +
      "or ReplicaSet that an HPA targets (scaleTargetRef kind and name in the same namespace) leaves spec.replicas unset.",
    remediation: "Remove spec.replicas from the workload (src/services/workload-plan.ts); the HPA's minReplicas sets the floor.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const objects = kubeObjects(new StackIndex(args.resources));
    const hpas = objects.filter((o) => o.kind === "HorizontalPodAutoscaler");
    if (hpas.length === 0) args.notApplicable("the stack registers no HorizontalPodAutoscaler");
    for (const hpa of hpas) {
      const kind = text(at(hpa.props, "spec", "scaleTargetRef", "kind"));
      const name = text(at(hpa.props, "spec", "scaleTargetRef", "name"));
      const target = objects.find((o) => o.kind === kind && o.name === name && namespaceOf(o) === namespaceOf(hpa));
      if (target !== undefined && at(target.props, "spec", "replicas") !== undefined) {
        reportViolation(`${label(target)} sets spec.replicas while ${label(hpa)} scales it.`, target.resource.urn);
      }
    }
  },
});
