import { defineStackPolicy } from "../framework/define";
import { at, flag, isRecord, list, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { containersOf, helmReleases, kubeObjects, label, namespaceOf, podTemplates, walk } from "./objects";

const EXPOSING_TYPES = new Set(["NodePort", "LoadBalancer"]);

export const k8sExposure = defineStackPolicy({
  meta: {
    id: "K8S-04",
    title: "No NodePort, LoadBalancer, externalIPs or hostNetwork outside the edge namespace",
    severity: "high",
    decisions: ["D3", "D6"],
    controls: { other: ["Kyverno restrict-nodeport", "Kyverno no-loadbalancer-service", "Kyverno restrict-external-ips"] },
    description:
      "The only way into the cluster is the DMZ ALB to the ingress gateway (D3, D6). Outside the namespaces in `edgeNamespaces` " +
      "(default `edge`) no Service is of type NodePort or LoadBalancer or has externalIPs, and no pod template uses the host " +
      "network or host ports. Helm release values are searched for `hostNetwork: true`, `hostPort` and service types too.",
    remediation: "Use ClusterIP Services; public traffic enters through an Ingress on the gateway (publicRoutes in the catalog).",
    enforcementLevel: "mandatory",
  },
  config: { edgeNamespaces: { type: "array", items: { type: "string" }, default: ["edge"] } },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const objects = kubeObjects(index);
    const releases = helmReleases(index);
    if (objects.length === 0 && releases.length === 0) args.notApplicable("the stack registers no Kubernetes objects");
    const edge = new Set(args.getConfig<{ edgeNamespaces?: string[] }>().edgeNamespaces ?? ["edge"]);

    for (const svc of objects.filter((o) => o.kind === "Service" && !edge.has(namespaceOf(o)))) {
      const type = text(at(svc.props, "spec", "type")) ?? "ClusterIP";
      if (EXPOSING_TYPES.has(type)) reportViolation(`${label(svc)} is of type ${type} outside the edge namespace.`, svc.resource.urn);
      if (list(at(svc.props, "spec", "externalIPs")).length > 0) reportViolation(`${label(svc)} sets externalIPs outside the edge namespace.`, svc.resource.urn);
    }
    for (const t of podTemplates(objects).filter((p) => !edge.has(namespaceOf(p.owner)))) {
      if (flag(t.spec["hostNetwork"]) === true) reportViolation(`${label(t.owner)} uses the host network outside the edge namespace.`, t.owner.resource.urn);
      for (const c of containersOf(t.spec)) {
        for (const port of list(c.props["ports"]).filter(isRecord)) {
          if (port["hostPort"] !== undefined && port["hostPort"] !== 0) reportViolation(`${label(t.owner)}: ${c.kind} "${c.name}" binds host port ${String(port["hostPort"])} outside the edge namespace.`, t.owner.resource.urn);
        }
      }
    }
    for (const release of releases.filter((r) => !edge.has(r.namespace))) {
      walk(release.values, (path, key, value, parent) => {
        const where = `Helm release "${release.namespace}/${release.name}": values ${path.join(".")}`;
        if (key === "hostNetwork" && flag(value) === true) reportViolation(`${where} is true outside the edge namespace.`, release.resource.urn);
        if (key === "type" && typeof value === "string" && EXPOSING_TYPES.has(value) && path.at(-2)?.toLowerCase().includes("service") === true) {
          reportViolation(`${where} is ${value} outside the edge namespace.`, release.resource.urn);
        }
        if (key === "hostPort" && (flag(at(parent, "hostPort", "enabled")) === true || typeof value === "number")) reportViolation(`${where} binds a host port outside the edge namespace.`, release.resource.urn);
      });
    }
  },
});
