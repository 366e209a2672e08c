import { isRecord, propsOf, type SnapshotIndex } from "../diff/resource-facts";

/**
 * The synchronous service-to-service calls (D3) as the snapshot holds them: the catalog's `calls` become
 * each caller's egress NetworkPolicy (src/services: out only to the services it calls), a rule whose
 * peer selects the callee's namespace (`kubernetes.io/metadata.name`, the label Kubernetes sets on every
 * namespace) and, optionally, its pods (`app.kubernetes.io/name`). Read from the snapshot, not from the
 * catalog, so a real export is drawn the same way.
 */
export interface ServiceCall {
  readonly fromNamespace: string;
  readonly toNamespace: string;
  /** The callee's pods by `app.kubernetes.io/name`, when the rule names them. */
  readonly toName?: string;
  readonly ports: readonly string[];
}

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const NAMESPACE_LABEL = "kubernetes.io/metadata.name";
const NAME_LABEL = "app.kubernetes.io/name";

export function serviceCalls(index: SnapshotIndex): ServiceCall[] {
  const calls: ServiceCall[] = [];
  for (const policy of index.resources.filter((r) => r.type === NETWORK_POLICY)) {
    const props = propsOf(policy);
    const namespace = namespaceOf(props);
    const spec = isRecord(props.spec) ? props.spec : {};
    const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
    if (namespace === undefined || !types.includes("Egress")) continue;
    for (const rule of (Array.isArray(spec.egress) ? spec.egress : []).filter(isRecord)) {
      const ports = (Array.isArray(rule.ports) ? rule.ports : []).filter(isRecord).map((p) => `${String(p.port ?? "any")}`);
      for (const peer of (Array.isArray(rule.to) ? rule.to : []).filter(isRecord)) {
        const target = labelOf(peer.namespaceSelector, NAMESPACE_LABEL);
        if (target === undefined) continue;
        const name = labelOf(peer.podSelector, NAME_LABEL);
        calls.push({ fromNamespace: namespace, toNamespace: target, ...(name === undefined ? {} : { toName: name }), ports });
      }
    }
  }
  return calls;
}

function namespaceOf(props: Readonly<Record<string, unknown>>): string | undefined {
  const metadata = isRecord(props.metadata) ? props.metadata : {};
  return typeof metadata.namespace === "string" ? metadata.namespace : undefined;
}

function labelOf(selector: unknown, label: string): string | undefined {
  if (!isRecord(selector) || !isRecord(selector.matchLabels)) return undefined;
  const value = selector.matchLabels[label];
  return typeof value === "string" ? value : undefined;
}

