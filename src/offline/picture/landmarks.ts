import type { ResourceState } from "../snapshot/types";
import { userDataTexts } from "../diff/egress-allowlist";
import { isRecord, nameOf, propsOf, tagsOf, type SnapshotIndex } from "../diff/resource-facts";
import type { ArchNode, NodeKind, Placement } from "./model";

/**
 * The parts of the platform worth drawing, found by resource type and the design's tags, each with
 * the strings other resources use to refer to it (ARNs, names, URLs, DNS names, addresses) and its
 * footprint: the resources whose configuration says what this part talks to.
 */
export interface Landmark extends ArchNode {
  readonly identifiers: readonly string[];
  readonly footprint: readonly ResourceState[];
  /** Tags of the main resource (backup selections choose hosts by tag). */
  readonly tags: Readonly<Record<string, string>>;
}

const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(["kube-system", "kube-public", "kube-node-lease"]);
const GATEWAY = /ingress|gateway|envoy|traefik|contour|haproxy/i;
const GATEWAY_OBJECT = /^kubernetes:gateway\.networking\.k8s\.io\/v1(beta1)?:Gateway$/;
const LOG_SHIPPER = /fluent|vector|otel|opentelemetry|logstash|promtail/i;
const PROXY = /proxy|egress/i;
const WORKLOAD_TYPES: ReadonlySet<string> = new Set(["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"]);
const PACKAGE_TYPES: ReadonlySet<string> = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"]);
const PROXY_TYPES: ReadonlySet<string> = new Set([
  "aws:autoscaling/group:Group",
  "aws:ec2/launchTemplate:LaunchTemplate",
  "aws:ec2/instance:Instance",
  "aws:lb/loadBalancer:LoadBalancer",
]);

export function findLandmarks(index: SnapshotIndex, prefix: string): Landmark[] {
  const short = (name: string): string => (name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : name);
  const landmarks: Landmark[] = [];
  const add = (kind: NodeKind, id: string, label: string, placement: Placement, resources: ResourceState[], footprint = resources, extraIds: string[] = []): void => {
    const main = resources[0];
    landmarks.push({
      id,
      kind,
      label,
      placement,
      urns: resources.map((r) => r.urn),
      identifiers: [...new Set([...resources.flatMap(identifiersOf), ...extraIds])].filter(distinctive).sort(),
      footprint,
      tags: main === undefined ? {} : tagsOf(main),
    });
  };
  const all = index.resources.filter((r) => r.custom);
  const byType = (type: string): ResourceState[] => all.filter((r) => r.type === type);

  // The egress proxy: the resources of the proxy component in the DMZ, drawn as one node.
  const proxyParts = all.filter((r) => PROXY_TYPES.has(r.type) && isProxy(index, r) && tagsOf(r).zone !== "app" && tagsOf(r).zone !== "data");
  if (proxyParts.length > 0) {
    const records = dnsRecordsPointingAt(index, proxyParts);
    add("proxy", "proxy", "egress proxy (Squid)", "dmz", [...proxyParts, ...records], [...proxyParts, ...rolesAndPolicies(index, proxyParts)]);
  }
  const proxyUrns = new Set(proxyParts.map((r) => r.urn));

  for (const lb of byType("aws:lb/loadBalancer:LoadBalancer")) {
    if (proxyUrns.has(lb.urn) || propsOf(lb).internal === true) continue;
    const type = String(propsOf(lb).loadBalancerType ?? "application");
    add("load-balancer", `lb:${lb.urn}`, `${type === "application" ? "ALB" : "NLB"} ${short(String(propsOf(lb).name ?? nameOf(lb.urn)))}`, "dmz", [lb]);
  }
  for (const waf of byType("aws:wafv2/webAcl:WebAcl")) {
    const logging = byType("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").filter((l) => idsOf(waf).includes(String(propsOf(l).resourceArn)));
    add("waf", `waf:${waf.urn}`, `WAF ${short(String(propsOf(waf).name ?? nameOf(waf.urn)))}`, "dmz", [waf], [waf, ...logging]);
  }

  // Kubernetes: the gateway, the log shipper, and one node per service workload.
  const k8s = index.resources.filter((r) => r.type.startsWith("kubernetes:"));
  const gatewayParts = k8s.filter((r) => (PACKAGE_TYPES.has(r.type) || WORKLOAD_TYPES.has(r.type)) && GATEWAY.test(packageName(r)));
  // The namespaces of Gateway API Gateways hold the gateway's proxies (deployed by its controller, so
  // not in the snapshot): they belong to the gateway, not to a service.
  const gatewayObjects = k8s.filter((r) => GATEWAY_OBJECT.test(r.type));
  const gatewayNamespaces = new Set([...gatewayParts, ...gatewayObjects].map(namespaceOf).filter((ns): ns is string => ns !== undefined));
  if (gatewayParts.length > 0) {
    const inNamespaces = k8s.filter((r) => gatewayNamespaces.has(namespaceOf(r) ?? ""));
    add("gateway", "gateway", `ingress gateway (${shortPackage(gatewayParts[0] as ResourceState)})`, "cluster", gatewayParts, [...gatewayParts, ...inNamespaces]);
  }
  const shippers = k8s.filter(
    (r) => (PACKAGE_TYPES.has(r.type) || r.type === "kubernetes:apps/v1:DaemonSet") && LOG_SHIPPER.test(packageName(r)),
  );
  const shipperNamespaces = new Set(shippers.map(namespaceOf).filter((ns): ns is string => ns !== undefined));
  if (shippers.length > 0) {
    const inNamespaces = k8s.filter((r) => shipperNamespaces.has(namespaceOf(r) ?? ""));
    const footprint = [...shippers, ...inNamespaces, ...[...shipperNamespaces].flatMap((ns) => serviceIdentity(index, ns))];
    add("log-shipper", "log-shipper", `log shipper (${shortPackage(shippers[0] as ResourceState)})`, "cluster", shippers, footprint);
  }
  // A namespace holding only a packaged add-on (a Helm release: load balancer controller, autoscaler) is platform, not a catalog service.
  const packageNamespaces = new Set(k8s.filter((r) => PACKAGE_TYPES.has(r.type)).map(namespaceOf).filter((ns): ns is string => ns !== undefined));
  const reserved = (ns: string | undefined): boolean =>
    ns === undefined || SYSTEM_NAMESPACES.has(ns) || gatewayNamespaces.has(ns) || shipperNamespaces.has(ns);
  const workloads = k8s.filter((r) => WORKLOAD_TYPES.has(r.type) && !reserved(namespaceOf(r)) && !GATEWAY.test(packageName(r)));
  const namespaces = k8s.filter(
    (r) => r.type === "kubernetes:core/v1:Namespace" && !reserved(namespaceOf(r)) && namespaceOf(r) !== "default" && !packageNamespaces.has(namespaceOf(r) ?? ""),
  );
  // A namespace without a workload in the snapshot still stands for a service of the catalog.
  const workloadNamespaces = new Set(workloads.map(namespaceOf));
  for (const service of [...workloads, ...namespaces.filter((n) => !workloadNamespaces.has(namespaceOf(n)))]) {
    const ns = namespaceOf(service) as string;
    const name = service.type === "kubernetes:core/v1:Namespace" ? ns : k8sName(service);
    const label = name === ns ? name : `${name} (${ns})`;
    const footprint = [
      ...k8s.filter((r) => namespaceOf(r) === ns),
      ...componentMates(index, service, workloads),
      ...serviceIdentity(index, ns),
    ];
    add("service", `svc:${ns}/${name}`, label, "cluster", [service], footprint, [`${name}.${ns}.svc`]);
  }

  // Data zone: the DB hosts (critical or data-zone instances that are not the proxy).
  for (const host of byType("aws:ec2/instance:Instance")) {
    if (proxyUrns.has(host.urn)) continue;
    const tags = tagsOf(host);
    if (tags["data-class"] !== "critical" && tags.zone !== "data") continue;
    const component = index.componentOf(host);
    const label = /database/i.test(component.type) ? component.name : short(tags.Name ?? nameOf(host.urn));
    const records = dnsRecordsPointingAt(index, [host]);
    add("db-host", `db:${host.urn}`, `PostgreSQL ${label}`, "data", [host, ...records], [host, ...rolesAndPolicies(index, [host])]);
  }

  // Regional services, outside the VPC.
  const deadLetterArns = new Set(
    [...byType("aws:sqs/queue:Queue"), ...byType("aws:sqs/redrivePolicy:RedrivePolicy")]
      .map((q) => deadLetterTarget(propsOf(q).redrivePolicy))
      .filter((arn): arn is string => arn !== undefined),
  );
  for (const bucket of [...byType("aws:s3/bucket:Bucket"), ...byType("aws:s3/bucketV2:BucketV2")]) {
    add("bucket", `bucket:${bucket.urn}`, `S3 ${short(String(propsOf(bucket).bucket ?? bucket.id ?? nameOf(bucket.urn)))}`, "regional", [bucket]);
  }
  for (const topic of byType("aws:sns/topic:Topic")) {
    add("topic", `topic:${topic.urn}`, `SNS ${short(String(propsOf(topic).name ?? nameOf(topic.urn)))}`, "regional", [topic]);
  }
  for (const queue of byType("aws:sqs/queue:Queue")) {
    const dlq = idsOf(queue).some((id) => deadLetterArns.has(id));
    add("queue", `queue:${queue.urn}`, `SQS ${short(String(propsOf(queue).name ?? nameOf(queue.urn)))}${dlq ? " (DLQ)" : ""}`, "regional", [queue]);
  }
  for (const vault of byType("aws:backup/vault:Vault")) {
    add("vault", `vault:${vault.urn}`, `Backup vault ${short(String(propsOf(vault).name ?? nameOf(vault.urn)))}`, "regional", [vault]);
  }
  for (const trail of byType("aws:cloudtrail/trail:Trail")) {
    add("trail", `trail:${trail.urn}`, `CloudTrail ${short(String(propsOf(trail).name ?? nameOf(trail.urn)))}`, "regional", [trail]);
  }
  for (const flowLog of byType("aws:ec2/flowLog:FlowLog")) {
    add("flow-logs", `flow:${flowLog.urn}`, `VPC flow logs (${String(propsOf(flowLog).trafficType ?? "ALL")})`, "vpc", [flowLog]);
  }
  return landmarks;
}

/** Everything a resource can be referred to by. */
function identifiersOf(resource: ResourceState): string[] {
  const props = propsOf(resource);
  const outputs = resource.outputs ?? {};
  const values = [
    resource.id,
    outputs.arn,
    outputs.id,
    outputs.url,
    outputs.dnsName,
    outputs.privateIp,
    outputs.privateDns,
    outputs.fqdn,
    props.name,
    props.bucket,
    tagsOf(resource).Name,
  ];
  if (resource.type === "aws:route53/record:Record" && typeof props.name === "string") values.push(props.name);
  return values.filter((v): v is string => typeof v === "string");
}

function idsOf(resource: ResourceState): string[] {
  return [resource.id, resource.outputs?.arn, resource.outputs?.id].filter((v): v is string => typeof v === "string");
}

/** Short or generic strings (`users`, `true`) would match everywhere; identifiers must look like names or addresses. */
function distinctive(identifier: string): boolean {
  return identifier.length >= 8 && /[-.:/_0-9]/.test(identifier);
}

function isProxy(index: SnapshotIndex, resource: ResourceState): boolean {
  const component = index.componentOf(resource);
  return PROXY.test(tagsOf(resource).component ?? "") || PROXY.test(nameOf(resource.urn)) || PROXY.test(`${component.type} ${component.name}`);
}

/** Private DNS names of a resource: A records holding its address, aliases to its DNS name, or records built from it. */
function dnsRecordsPointingAt(index: SnapshotIndex, targets: readonly ResourceState[]): ResourceState[] {
  const urns = new Set(targets.map((t) => t.urn));
  const addresses = new Set(targets.flatMap((t) => [t.outputs?.privateIp, t.outputs?.dnsName]).filter((v): v is string => typeof v === "string"));
  return index.resources.filter((r) => {
    if (r.type !== "aws:route53/record:Record") return false;
    const props = propsOf(r);
    const aliasNames = (Array.isArray(props.aliases) ? props.aliases : []).filter(isRecord).map((a) => a.name);
    const pointsAt = [...(Array.isArray(props.records) ? props.records : []), ...aliasNames].some((v) => typeof v === "string" && addresses.has(v));
    return pointsAt || (r.dependencies ?? []).some((d) => urns.has(d));
  });
}

function namespaceOf(resource: ResourceState): string | undefined {
  const props = propsOf(resource);
  if (resource.type === "kubernetes:core/v1:Namespace") return k8sName(resource);
  const metadata = isRecord(props.metadata) ? props.metadata : {};
  const ns = metadata.namespace ?? (PACKAGE_TYPES.has(resource.type) ? props.namespace : undefined);
  return typeof ns === "string" ? ns : undefined;
}

function k8sName(resource: ResourceState): string {
  const metadata = isRecord(propsOf(resource).metadata) ? (propsOf(resource).metadata as Record<string, unknown>) : {};
  return typeof metadata.name === "string" ? metadata.name : nameOf(resource.urn);
}

/** The chart's own name, without the registry path an OCI reference carries (oci://<registry>/charts/gateway-helm). */
function shortPackage(resource: ResourceState): string {
  return packageName(resource).split("/").pop() || packageName(resource);
}

function packageName(resource: ResourceState): string {
  const props = propsOf(resource);
  const chart = typeof props.chart === "string" ? props.chart : undefined;
  return chart ?? (typeof props.name === "string" ? props.name : k8sName(resource));
}

/** The other resources of a workload's own component (e.g. `fitness:services:Service users`), when it owns just this one workload. */
function componentMates(index: SnapshotIndex, workload: ResourceState, workloads: readonly ResourceState[]): ResourceState[] {
  const component = index.graph.componentOf(workload);
  if (component === undefined) return [];
  const inComponent = (r: ResourceState): boolean => index.graph.componentOf(r)?.urn === component.urn;
  if (workloads.filter(inComponent).length !== 1) return [];
  return index.resources.filter((r) => r.custom && inComponent(r));
}

/** The cloud identity of a namespace's pods (EKS Pod Identity or IRSA) and the policies it holds. */
function serviceIdentity(index: SnapshotIndex, namespace: string): ResourceState[] {
  const roles = new Set<ResourceState>();
  for (const assoc of index.resources.filter((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation")) {
    if (propsOf(assoc).namespace !== namespace) continue;
    const role = index.resolve(propsOf(assoc).roleArn);
    if (role !== undefined) roles.add(role);
  }
  for (const role of index.resources.filter((r) => r.type === "aws:iam/role:Role")) {
    const trust = propsOf(role).assumeRolePolicy;
    if (typeof trust === "string" && trust.includes(`system:serviceaccount:${namespace}:`)) roles.add(role);
  }
  return [...roles].flatMap((role) => [role, ...policiesOf(index, role)]);
}

/** Roles of instances (through their instance profile) and of launch templates, with their policies. */
function rolesAndPolicies(index: SnapshotIndex, resources: readonly ResourceState[]): ResourceState[] {
  const profileNames = new Set<string>();
  for (const r of resources) {
    const profile = propsOf(r).iamInstanceProfile;
    if (typeof profile === "string") profileNames.add(profile);
    if (isRecord(profile)) for (const v of [profile.name, profile.arn]) if (typeof v === "string") profileNames.add(v);
  }
  const profiles = index.resources.filter(
    (r) => r.type === "aws:iam/instanceProfile:InstanceProfile" && [...idsOf(r), propsOf(r).name].some((v) => typeof v === "string" && profileNames.has(v)),
  );
  const roleNames = new Set(profiles.map((p) => propsOf(p).role).filter((v): v is string => typeof v === "string"));
  const roles = index.resources.filter((r) => r.type === "aws:iam/role:Role" && [...idsOf(r), propsOf(r).name].some((v) => typeof v === "string" && roleNames.has(v)));
  return roles.flatMap((role) => [role, ...policiesOf(index, role)]);
}

function policiesOf(index: SnapshotIndex, role: ResourceState): ResourceState[] {
  const names = new Set([...idsOf(role), propsOf(role).name].filter((v): v is string => typeof v === "string"));
  const policies: ResourceState[] = [];
  for (const r of index.resources) {
    const roleRef = propsOf(r).role;
    if (typeof roleRef !== "string" || !names.has(roleRef)) continue;
    if (r.type === "aws:iam/rolePolicy:RolePolicy") policies.push(r);
    if (r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
      const policy = index.resolve(propsOf(r).policyArn);
      if (policy !== undefined) policies.push(policy);
    }
  }
  return policies;
}

/** The dead-letter queue ARN of an SQS redrive policy (a JSON string), if it names one. */
export function deadLetterTarget(redrivePolicy: unknown): string | undefined {
  if (typeof redrivePolicy !== "string") return undefined;
  try {
    const parsed = JSON.parse(redrivePolicy) as Record<string, unknown>;
    return typeof parsed.deadLetterTargetArn === "string" ? parsed.deadLetterTargetArn : undefined;
  } catch {
    return undefined;
  }
}

/** The text of a resource's configuration, user-data decoded, that references are searched in. */
export function configText(resource: ResourceState): string {
  const props = propsOf(resource);
  const texts = [JSON.stringify(props)];
  for (const value of [props.userData, props.userDataBase64]) if (typeof value === "string") texts.push(...userDataTexts(value));
  return texts.join("\n");
}
