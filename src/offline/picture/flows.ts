import type { ResourceState } from "../snapshot/types";
import { backupPaths } from "../../../policy/backups/coverage";
import { StackIndex } from "../../../policy/framework/stack-index";
import { policyResources } from "../audit/policy-resources";
import { egressAllowlist } from "../diff/egress-allowlist";
import { isRecord, propsOf, type SnapshotIndex } from "../diff/resource-facts";
import { configText, deadLetterTarget, type Landmark } from "./landmarks";
import type { ArchEdge, FlowKind, NodeKind } from "./model";
import { ReferenceIndex } from "./references";
import { serviceCalls } from "./service-calls";

/**
 * The flows between the landmarks, each derived from something in the snapshot:
 * - internet → ALB (internet-facing), WAF ⇢ ALB (web ACL association), ALB → gateway;
 * - gateway → service: Ingress / HTTPRoute backends (or every service, if the snapshot has no routes);
 * - service → service: the catalog's synchronous calls (D3), as the callers' egress NetworkPolicies hold them;
 * - host → backup repository and host → vault: exactly the pgBackRest repositories and AWS Backup
 *   selections, plans and vaults the audit's backup facts match to the host (policy/backups/coverage.ts
 *   backupPaths: one reader for the audit's coverage matrix and this picture);
 * - anything → anything it refers to: a landmark's footprint (its own config, its pods' identity and
 *   policies, its user-data) names another landmark by ARN, name, URL, DNS name or address (found
 *   through one index of every identifier, references.ts), or depends on it. What the reference means
 *   follows from the two kinds (service → DB host is SQL, service → topic is publish, queue → service
 *   is consume, ...);
 * - topic → queue (subscriptions), queue → DLQ (redrive policies), proxy → internet (its allowlist).
 */
export function deriveFlows(index: SnapshotIndex, landmarks: readonly Landmark[]): ArchEdge[] {
  const edges = new Map<string, ArchEdge>();
  const add = (from: string, to: string, kind: FlowKind, label: string): void => {
    if (from === to) return;
    const key = `${from}\0${to}\0${kind}`;
    if (!edges.has(key)) edges.set(key, { from, to, kind, label });
  };
  const ofKind = (kind: NodeKind): Landmark[] => landmarks.filter((l) => l.kind === kind);
  const byUrn = new Map<string, Landmark>();
  for (const landmark of landmarks) for (const urn of landmark.urns) if (!byUrn.has(urn)) byUrn.set(urn, landmark);
  const owning = (reference: unknown): Landmark | undefined => {
    const resource = index.resolve(reference) ?? (typeof reference === "string" ? index.byUrn.get(reference) : undefined);
    return resource === undefined ? undefined : byUrn.get(resource.urn);
  };
  const gateway = ofKind("gateway")[0];
  const services = ofKind("service");

  for (const lb of ofKind("load-balancer")) {
    add("internet", lb.id, "request", "HTTPS");
    if (gateway !== undefined) add(lb.id, gateway.id, "request", forwardLabel(index, lb));
  }
  for (const association of byType(index, "aws:wafv2/webAclAssociation:WebAclAssociation")) {
    const waf = owning(propsOf(association).webAclArn);
    const lb = owning(propsOf(association).resourceArn);
    if (waf !== undefined && lb !== undefined) add(waf.id, lb.id, "protects", "filters");
  }

  if (gateway !== undefined) {
    const routed = routedServices(index, services);
    for (const service of routed ?? services) add(gateway.id, service.id, "request", routed === undefined ? "HTTP" : "routes");
  }

  // D3: the catalog's service-to-service calls, before any reference found in text says less.
  const servicesByNamespace = new Map<string, Landmark[]>();
  for (const service of services) {
    const ns = service.id.slice("svc:".length).split("/")[0] as string;
    servicesByNamespace.set(ns, [...(servicesByNamespace.get(ns) ?? []), service]);
  }
  for (const call of serviceCalls(index)) {
    const inNamespace = servicesByNamespace.get(call.toNamespace) ?? [];
    const named = inNamespace.filter((s) => call.toName !== undefined && s.id === `svc:${call.toNamespace}/${call.toName}`);
    const callees = named.length > 0 ? named : inNamespace;
    const ports = [...new Set(call.ports)].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    for (const caller of servicesByNamespace.get(call.fromNamespace) ?? []) {
      for (const callee of callees) add(caller.id, callee.id, "request", ports.length === 0 ? "REST" : `REST :${ports.join(",")}`);
    }
  }

  // D7: backups exactly as the audit's backup facts match them to each critical host.
  const backups = backupFlows(index, byUrn);
  for (const flow of backups.flows) add(flow.from, flow.to, "backup", flow.label);

  const references = new ReferenceIndex(landmarks);
  const position = new Map(landmarks.map((l, i) => [l, i] as const));
  for (const source of landmarks) {
    if (source.footprint.length === 0 || LOG_SOURCES.has(source.kind)) continue;
    const named = references.namedIn(source.footprint.map(configText).join("\n"));
    for (const urn of new Set(source.footprint.flatMap(dataDependencies))) {
      const target = byUrn.get(urn);
      if (target !== undefined) named.add(target);
    }
    // Landmark order, so the first label added for a pair is the same on every run (the named ones
    // only: walking every landmark per source grew with the square of the landmarks).
    for (const target of [...named].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0))) {
      if (target === source) continue;
      if (source.kind === "db-host" && backups.repositories.has(target.id)) continue;
      const flow = meaning(source, target);
      if (flow !== undefined) add(flow.from.id, flow.to.id, flow.kind, flow.label);
    }
  }

  // Log sources say where they deliver in one property each; the rest of their inputs (a trail's data
  // event selectors name other buckets) is not a flow.
  const bucketReferences = new ReferenceIndex(ofKind("bucket"));
  for (const source of landmarks.filter((l) => LOG_SOURCES.has(l.kind))) {
    const text = source.footprint.map((r) => JSON.stringify(logDestination(source.kind, propsOf(r)) ?? null)).join("\n");
    const named = bucketReferences.namedIn(text);
    for (const bucket of ofKind("bucket")) {
      const flow = named.has(bucket) ? meaning(source, bucket) : undefined;
      if (flow !== undefined) add(flow.from.id, flow.to.id, flow.kind, flow.label);
    }
  }

  for (const subscription of byType(index, "aws:sns/topicSubscription:TopicSubscription")) {
    const topic = owning(propsOf(subscription).topic);
    const endpoint = owning(propsOf(subscription).endpoint);
    if (topic !== undefined && endpoint !== undefined) add(topic.id, endpoint.id, "deliver", "subscription");
  }
  for (const queue of [...byType(index, "aws:sqs/queue:Queue"), ...byType(index, "aws:sqs/redrivePolicy:RedrivePolicy")]) {
    const dlq = owning(deadLetterTarget(propsOf(queue).redrivePolicy));
    const source = queue.type === "aws:sqs/queue:Queue" ? owning(queue.urn) : owning(propsOf(queue).queueUrl);
    if (dlq !== undefined && source !== undefined) add(source.id, dlq.id, "dead-letter", "dead letters");
  }

  const proxy = ofKind("proxy")[0];
  if (proxy !== undefined) {
    const hosts = new Set(egressAllowlist(index).map((e) => e.host));
    add(proxy.id, "internet", "egress", hosts.size === 0 ? "no live exception" : `allowlisted hosts only (${hosts.size})`);
  }
  return [...edges.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.kind.localeCompare(b.kind));
}

const LOG_SOURCES: ReadonlySet<NodeKind> = new Set(["flow-logs", "trail", "load-balancer", "waf"]);

function logDestination(kind: NodeKind, props: Readonly<Record<string, unknown>>): unknown {
  switch (kind) {
    case "flow-logs":
      return props.logDestination;
    case "trail":
      return props.s3BucketName;
    case "load-balancer":
      return [props.accessLogs, props.connectionLogs];
    case "waf":
      return props.logDestinationConfigs;
    default:
      return undefined;
  }
}

/**
 * The resources whose outputs feed this one's inputs. Per-property dependencies are exact; the flat
 * list also holds every child of a component passed to `dependsOn`, so it is the fallback only.
 */
function dataDependencies(resource: ResourceState): string[] {
  const perProperty = resource.propertyDependencies;
  if (perProperty !== undefined && Object.keys(perProperty).length > 0) return Object.values(perProperty).flat();
  return resource.dependencies ?? [];
}

interface Flow {
  readonly from: Landmark;
  readonly to: Landmark;
  readonly kind: FlowKind;
  readonly label: string;
}

/** What it means that `source`'s configuration refers to `target`; undefined where it means nothing to draw. */
function meaning(source: Landmark, target: Landmark): Flow | undefined {
  const flow = (kind: FlowKind, label: string, reverse = false): Flow =>
    reverse ? { from: target, to: source, kind, label } : { from: source, to: target, kind, label };
  const backupBucket = target.kind === "bucket" && (target.tags["data-class"] === "critical" || /backup/i.test(target.tags.component ?? target.label));
  switch (`${source.kind}>${target.kind}`) {
    case "service>db-host":
      return flow("sql", "SQL (TLS)");
    case "service>topic":
      return flow("publish", "publish");
    case "service>queue":
      return flow("consume", "consume", true);
    case "service>service":
    case "gateway>service":
      return flow("request", "REST");
    case "service>proxy":
    case "gateway>proxy":
    case "db-host>proxy":
    case "log-shipper>proxy":
      return flow("egress", "HTTPS via proxy");
    case "db-host>bucket":
      // Protected repositories are drawn from the backup facts (backupFlows); this bucket is not one.
      return backupBucket ? flow("backup", "backups (not a protected PITR repository)") : flow("logs", "logs");
    case "service>bucket":
      return backupBucket ? flow("backup", "backups") : flow("logs", "objects");
    case "log-shipper>bucket":
      return flow("logs", "container logs");
    case "proxy>bucket":
    case "load-balancer>bucket":
      return flow("logs", "access logs");
    case "waf>bucket":
      return flow("logs", "WAF logs");
    case "trail>bucket":
      return flow("logs", "API audit trail");
    case "flow-logs>bucket":
      return flow("logs", "flow logs");
    default:
      return undefined;
  }
}


function byType(index: SnapshotIndex, type: string): ResourceState[] {
  return index.resources.filter((r) => r.type === type);
}

function forwardLabel(index: SnapshotIndex, lb: Landmark): string {
  const lbIds = new Set(lb.identifiers);
  const ports = byType(index, "aws:lb/listener:Listener")
    .filter((l) => lbIds.has(String(propsOf(l).loadBalancerArn)))
    .flatMap((l) => (Array.isArray(propsOf(l).defaultActions) ? (propsOf(l).defaultActions as unknown[]) : []))
    .filter(isRecord)
    .map((action) => index.resolve(action.targetGroupArn))
    .map((tg) => (tg === undefined ? undefined : propsOf(tg).port))
    .filter((port): port is number => typeof port === "number");
  return ports.length === 0 ? "HTTPS" : `HTTPS :${[...new Set(ports)].sort((a, b) => a - b).join(",")}`;
}

/** Services named as backends by Ingress or HTTPRoute objects; undefined when the snapshot has no routes at all. */
function routedServices(index: SnapshotIndex, services: readonly Landmark[]): Landmark[] | undefined {
  const routes = index.resources.filter(
    (r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress" || /^kubernetes:gateway\.networking\.k8s\.io\/v1(beta1)?:HTTPRoute$/.test(r.type),
  );
  if (routes.length === 0) return undefined;
  const backends = new Set<string>();
  for (const route of routes) {
    const props = propsOf(route);
    const namespace = isRecord(props.metadata) && typeof props.metadata.namespace === "string" ? props.metadata.namespace : "default";
    for (const backend of collectBackends(props.spec)) backends.add(`${backend.namespace ?? namespace}/${backend.name}`);
  }
  return services.filter((s) => {
    const [ns, name] = s.id.slice("svc:".length).split("/");
    return backends.has(`${ns}/${name}`) || [...backends].some((b) => b.startsWith(`${ns}/`));
  });
}

/** `backend.service.name` (Ingress) and `backendRefs[].name` (HTTPRoute), wherever they sit in a spec. */
function collectBackends(spec: unknown): { name: string; namespace?: string }[] {
  const found: { name: string; namespace?: string }[] = [];
  const visit = (value: unknown, key: string): void => {
    if (Array.isArray(value)) {
      value.forEach((v) => visit(v, key));
      return;
    }
    if (!isRecord(value)) return;
    if (key === "backend" && isRecord(value.service) && typeof value.service.name === "string") found.push({ name: value.service.name });
    if (key === "backendRefs" && typeof value.name === "string") {
      found.push({ name: value.name, ...(typeof value.namespace === "string" ? { namespace: value.namespace } : {}) });
    }
    for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(spec, "spec");
  return found;
}


/**
 * Host → repository (pgBackRest PITR) and host → vault (AWS Backup snapshots, and copies) flows, from
 * the audit's own reader of the backup facts; `repositories` are the bucket nodes drawn as repositories.
 */
function backupFlows(index: SnapshotIndex, byUrn: ReadonlyMap<string, Landmark>): { flows: ArchEdge[]; repositories: Set<string> } {
  const flows: ArchEdge[] = [];
  const repositories = new Set<string>();
  for (const path of backupPaths(new StackIndex(policyResources(index.resources)))) {
    const host = byUrn.get(path.host.urn);
    if (host === undefined) continue;
    for (const bucket of path.repositories) {
      const target = byUrn.get(bucket.urn);
      if (target === undefined) continue;
      repositories.add(target.id);
      flows.push({ from: host.id, to: target.id, kind: "backup", label: "PITR: WAL + base backups (pgBackRest)" });
    }
    const byVault = new Map<string, Set<string>>();
    const copiesTo = new Map<string, Set<string>>();
    for (const covered of path.snapshots) {
      for (const vault of covered.vaults) {
        const target = byUrn.get(vault.urn);
        if (target === undefined) continue;
        const name = vault.props["name"];
        const labels = byVault.get(target.id) ?? new Set<string>();
        const copies = copiesTo.get(target.id) ?? new Set<string>();
        copiesTo.set(target.id, copies);
        for (const rule of covered.rules) {
          if (rule.targetVault !== undefined && rule.targetVault === name) labels.add(`${rule.name} ${rule.deleteAfter ?? "∞"} d`);
          else if (rule.copyDestinations.some((arn) => arn === vault.props["arn"])) copies.add(rule.name);
        }
        byVault.set(target.id, labels);
      }
    }
    const list = (names: ReadonlySet<string>): string => [...names].sort((a, b) => a.localeCompare(b, "en", { numeric: true })).join(", ");
    for (const [vault, labels] of byVault) {
      const copies = copiesTo.get(vault) ?? new Set<string>();
      const parts = [...(labels.size > 0 ? [`snapshots ${list(labels)}`] : []), ...(copies.size > 0 ? [`copies of ${list(copies)}`] : [])];
      flows.push({ from: host.id, to: vault, kind: "backup", label: parts.join("; ") || "snapshots" });
    }
  }
  return { flows, repositories };
}
