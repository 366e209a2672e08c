/**
 * Everything Kubernetes holds for one catalog service (D1), as plain objects: namespace (PSS restricted),
 * service account, configuration, Deployment, Service, HPA, PDB, ResourceQuota, LimitRange, an HTTPRoute
 * on the edge Gateway for its public routes and its NetworkPolicies. Pure: catalog and config in,
 * objects out. Adding a service is one catalog entry (plus its image): nothing here names a service.
 * No Secret is created: a service reads its database credentials from Secrets Manager with its own pod
 * identity (`DB_SECRET_ARN`), so nothing in the cluster holds a database password.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Catalog, ServiceSpec } from "../config/catalog-schema";
import type { ImagesConfig } from "../config/sections/images";
import { type DbClientSettings, renderPgServiceFile } from "./db-client-settings";
import { type ImageScope, serviceImage } from "./images";
import { EDGE_NAMESPACE, ENVOY_POD_LABELS, GATEWAY_CONTROLLER_NAMESPACE, GATEWAY_LISTENER, GATEWAY_NAME, LB_CONTROLLER_NAMESPACE, PUBLIC_ROUTES_LABEL } from "./gateway-plan";
import { AUTOSCALER_NAMESPACE } from "./autoscaler-plan";
import {
  allowDns,
  type ClusterAddresses,
  defaultDeny,
  egressPolicy,
  endpointsRule,
  ingressPolicy,
  ipBlock,
  podIdentityRule,
  podsOf,
  tcp,
} from "./network-policies";
import {
  type KubeObject,
  limitRangeObject,
  NAME_LABEL,
  NAMESPACE_NAME_LABEL,
  namespaceObject,
  PART_OF_LABEL,
  resourceQuotaObject,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "./objects";
import { cpuMillis, memoryMiB, renderCpu, renderMemory } from "./quantity";

/** Namespaces the platform itself uses; a catalog service must not be named like one. */
export const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", EDGE_NAMESPACE, GATEWAY_CONTROLLER_NAMESPACE, "logging", LB_CONTROLLER_NAMESPACE, AUTOSCALER_NAMESPACE];

/** Every service container runs as this unprivileged uid/gid. */
export const SERVICE_UID = 10001;

/** The database client's files: the internal CA bundle and libpq's connection service file. */
export const DB_CLIENT_MOUNT = "/etc/fitness/db-client";
export const DB_CA_FILE = "ca.crt";
export const PG_SERVICE_FILE = "pg_service.conf";
/** Seconds a terminating pod keeps serving while the gateway and kube-proxy stop sending to it. */
export const DRAIN_SECONDS = 15;

/** What a service needs to reach its database: static names from the databases plan. */
export interface ServiceDatabase {
  readonly host: string;
  /** The host's fixed private address: the egress NetworkPolicy names it as a /32. */
  readonly hostIp: string;
  /** Every member of a replicated cluster (any of them may lead): each is named as a /32. */
  readonly hostIps?: readonly string[];
  readonly port: number;
  readonly database: string;
  readonly username: string;
  /** libpq's timeouts: how soon a client gives up on a dead or unreachable member. */
  readonly client: DbClientSettings;
}

export interface ServicesPlanInput {
  readonly project: string;
  readonly region: string;
  readonly accountId: string;
  readonly catalog: Catalog;
  readonly images: ImagesConfig;
  /** The API service address and the app subnets (VPC endpoints, control-plane ENIs). */
  readonly addresses: ClusterAddresses;
  /** The edge's public name: HTTPRoutes match it. */
  readonly edgeDomain: string;
  /** DMZ subnet CIDRs: the edge ALB's sources, and where the egress proxy's NLB listens. */
  readonly dmzCidrs: readonly string[];
  /** Owning service → its database. */
  readonly databases: Readonly<Record<string, ServiceDatabase>>;
  /** Owning service → the Secrets Manager ARN of its database credentials (read with its pod identity). */
  readonly databaseSecretArns: Readonly<Record<string, pulumi.Input<string>>>;
  /** The internal CA certificate (PEM) the services verify database hosts with. */
  readonly caBundle: pulumi.Input<string>;
  /** Service → environment for its topics and queues (see `messagingEnvironment`). */
  readonly messaging: Readonly<Record<string, pulumi.Input<Record<string, string>>>>;
  /** The service that sends e-mail through the SES SMTP endpoint, and the endpoint's port. */
  readonly smtp?: { readonly service: string; readonly port: number };
  /** Proxy settings, given only for services named by a live egress exception. */
  readonly proxy: { readonly url: pulumi.Input<string>; readonly noProxy: string; readonly port: number; readonly services: ReadonlySet<string> };
}

export interface ServiceObjects {
  readonly service: string;
  readonly namespace: string;
  /** Needs an AWS identity (queues, topics, its database secret, SES). */
  readonly objects: readonly KubeObject[];
}

const labelsOf = (project: string, service: string) => ({ [NAME_LABEL]: service, [PART_OF_LABEL]: project });

/** Services that declare a synchronous call to `service` (D3). */
export function callersOf(catalog: Catalog, service: string): string[] {
  return Object.entries(catalog.services)
    .filter(([, spec]) => spec.calls.includes(service))
    .map(([name]) => name)
    .sort();
}

/** `TOPIC_ARN_<EVENT>` per published event and `QUEUE_URL_<KIND>` per own queue. */
export function messagingEnvironment(bindings: {
  readonly topics: Readonly<Record<string, string>>;
  readonly queues: readonly { readonly kind: string; readonly url: string }[];
}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [event, arn] of Object.entries(bindings.topics).sort(([a], [b]) => a.localeCompare(b))) env[`TOPIC_ARN_${envName(event)}`] = arn;
  for (const q of [...bindings.queues].sort((a, b) => a.kind.localeCompare(b.kind))) env[`QUEUE_URL_${envName(q.kind)}`] = q.url;
  return env;
}

const envName = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]/g, "_");

export function planServiceObjects(input: ServicesPlanInput): ServiceObjects[] {
  const scope: ImageScope = { project: input.project, accountId: input.accountId, region: input.region };
  return Object.keys(input.catalog.services)
    .sort()
    .map((service) => planOneService(input, scope, service, input.catalog.services[service] as ServiceSpec));
}

function planOneService(input: ServicesPlanInput, scope: ImageScope, service: string, spec: ServiceSpec): ServiceObjects {
  if (RESERVED_NAMESPACES.includes(service)) {
    throw new Error(`catalog: service "${service}": allowed: a name other than the platform's namespaces (${RESERVED_NAMESPACES.join(", ")})`);
  }
  const ns = service;
  const labels = labelsOf(input.project, service);
  const db = input.databases[service];
  const proxied = input.proxy.services.has(service);
  const configName = `${service}-config`;
  const messagingName = `${service}-messaging`;
  const dbClientName = `${service}-db-client`;
  const secretArn = input.databaseSecretArns[service];
  if (db !== undefined && secretArn === undefined) {
    throw new Error(`service "${service}" owns a database but no credentials secret is known for it: allowed: pass the databases' secret ARNs`);
  }

  const config: Record<string, pulumi.Input<string>> = { SERVICE_NAME: service, PORT: String(spec.port), AWS_REGION: input.region };
  if (db !== undefined) {
    Object.assign(config, {
      PGHOST: db.host,
      PGPORT: String(db.port),
      PGDATABASE: db.database,
      PGUSER: db.username,
      PGSSLMODE: "verify-full",
      PGSSLROOTCERT: `${DB_CLIENT_MOUNT}/${DB_CA_FILE}`,
      // Keepalives and tcp_user_timeout have no environment variable: libpq reads them from this file.
      PGSERVICEFILE: `${DB_CLIENT_MOUNT}/${PG_SERVICE_FILE}`,
      PGSERVICE: service,
      // Username and password: GetSecretValue with the pod identity, through the Secrets Manager endpoint.
      DB_SECRET_ARN: secretArn as pulumi.Input<string>,
      // A replicated cluster's name has every member's address: libpq keeps the one that accepts writes.
      ...(db.hostIps !== undefined ? { PGTARGETSESSIONATTRS: "read-write" } : {}),
    });
  }
  if (proxied) Object.assign(config, { HTTPS_PROXY: input.proxy.url, HTTP_PROXY: input.proxy.url, NO_PROXY: input.proxy.noProxy });

  const objects: KubeObject[] = [
    namespaceObject(ns, spec.publicRoutes.length > 0 ? { ...labels, [PUBLIC_ROUTES_LABEL]: "true" } : labels),
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: service, namespace: ns, labels },
      // Pod Identity mounts its own projected token; the pod needs no Kubernetes API token.
      automountServiceAccountToken: false,
    },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: configName, namespace: ns, labels }, data: config },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: messagingName, namespace: ns, labels }, data: input.messaging[service] ?? {} },
  ];
  if (db !== undefined) {
    objects.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: dbClientName, namespace: ns, labels },
      data: { [DB_CA_FILE]: input.caBundle, [PG_SERVICE_FILE]: renderPgServiceFile(service, db.client) },
    });
  }

  objects.push(deployment(input, scope, service, spec, { labels, configName, messagingName, dbClientName: db === undefined ? undefined : dbClientName }));
  objects.push({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: service, namespace: ns, labels },
    // Numeric target port equal to the service port: the VPC CNI's policy controller resolves egress
    // rules to a Service's ClusterIP by port, and EKS requires service port == container port for it.
    spec: { type: "ClusterIP", selector: { [NAME_LABEL]: service }, ports: [{ name: "http", port: spec.port, targetPort: spec.port, protocol: "TCP" }] },
  });
  objects.push({
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: service, namespace: ns, labels },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: service },
      minReplicas: spec.replicas.min,
      maxReplicas: spec.replicas.max,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
    },
  });
  objects.push({
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: service, namespace: ns, labels },
    // One pod at a time, whatever the replica count: drains never take a service down, nor block forever.
    spec: { maxUnavailable: 1, selector: { matchLabels: { [NAME_LABEL]: service } } },
  });
  objects.push(resourceQuota(ns, labels, spec));
  objects.push(
    limitRangeObject(
      ns,
      {
        default: { cpu: spec.resources.cpuLimit, memory: spec.resources.memoryLimit },
        defaultRequest: { cpu: spec.resources.cpuRequest, memory: spec.resources.memoryRequest },
        max: { cpu: spec.resources.cpuLimit, memory: spec.resources.memoryLimit },
      },
      labels,
    ),
  );
  if (spec.publicRoutes.length > 0) objects.push(httpRoute(input, service, spec, labels));
  objects.push(...servicePolicies(input, service, spec, db));

  return { service, namespace: ns, objects };
}

function deployment(
  input: ServicesPlanInput,
  scope: ImageScope,
  service: string,
  spec: ServiceSpec,
  refs: { labels: Record<string, string>; configName: string; messagingName: string; dbClientName?: string },
): KubeObject {
  // Readiness asks the service's health path (which may check its database): a failing dependency takes
  // the pod out of rotation. Liveness only asks whether the process still accepts connections, so a
  // database outage never restarts every pod; startup gives slow starts room before liveness begins.
  const readiness = { httpGet: { path: spec.healthPath, port: spec.port }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 };
  const alive = (periodSeconds: number, failureThreshold: number) => ({ tcpSocket: { port: spec.port }, periodSeconds, timeoutSeconds: 2, failureThreshold });
  const volumes: Record<string, unknown>[] = [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }];
  const mounts: Record<string, unknown>[] = [{ name: "tmp", mountPath: "/tmp" }];
  if (refs.dbClientName !== undefined) {
    volumes.push({ name: "db-client", configMap: { name: refs.dbClientName, items: [DB_CA_FILE, PG_SERVICE_FILE].map((f) => ({ key: f, path: f })) } });
    mounts.push({ name: "db-client", mountPath: DB_CLIENT_MOUNT, readOnly: true });
  }
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: service, namespace: service, labels: refs.labels },
    // No spec.replicas: the HPA owns the replica count (with server-side apply a second owner would
    // conflict with it, or reset a scaled-out service on every deploy).
    spec: {
      revisionHistoryLimit: 5,
      selector: { matchLabels: { [NAME_LABEL]: service } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: refs.labels },
        spec: {
          serviceAccountName: service,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: DRAIN_SECONDS + 30,
          securityContext: restrictedPodSecurityContext(SERVICE_UID),
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { [NAME_LABEL]: service } } },
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { [NAME_LABEL]: service } } },
          ],
          containers: [
            {
              name: service,
              image: serviceImage(scope, input.images, service),
              imagePullPolicy: "IfNotPresent",
              ports: [{ name: "http", containerPort: spec.port, protocol: "TCP" }],
              envFrom: [{ configMapRef: { name: refs.configName } }, { configMapRef: { name: refs.messagingName } }],
              resources: {
                requests: { cpu: spec.resources.cpuRequest, memory: spec.resources.memoryRequest },
                limits: { cpu: spec.resources.cpuLimit, memory: spec.resources.memoryLimit },
              },
              startupProbe: alive(5, 30),
              readinessProbe: readiness,
              livenessProbe: alive(20, 3),
              // Keep serving while endpoints are withdrawn (no shell needed: the kubelet sleeps).
              lifecycle: { preStop: { sleep: { seconds: DRAIN_SECONDS } } },
              securityContext: restrictedContainerSecurityContext(SERVICE_UID),
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  };
}

/** Room for the HPA's maximum plus one surge pod during a rollout; nothing else fits, no LB/NodePort. */
function resourceQuota(ns: string, labels: Record<string, string>, spec: ServiceSpec): KubeObject {
  const pods = spec.replicas.max + 1;
  const r = spec.resources;
  return resourceQuotaObject(
    ns,
    {
      pods: String(pods),
      "requests.cpu": renderCpu(cpuMillis(r.cpuRequest) * pods),
      "requests.memory": renderMemory(memoryMiB(r.memoryRequest) * pods),
      "limits.cpu": renderCpu(cpuMillis(r.cpuLimit) * pods),
      "limits.memory": renderMemory(memoryMiB(r.memoryLimit) * pods),
      "services.loadbalancers": "0",
      "services.nodeports": "0",
      persistentvolumeclaims: "0",
    },
    labels,
  );
}

/** The service's public paths on the edge Gateway (role separation: the route lives with the service). */
function httpRoute(input: ServicesPlanInput, service: string, spec: ServiceSpec, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: service, namespace: service, labels },
    spec: {
      parentRefs: [{ name: GATEWAY_NAME, namespace: EDGE_NAMESPACE, sectionName: GATEWAY_LISTENER }],
      hostnames: [input.edgeDomain],
      rules: [
        {
          matches: [...spec.publicRoutes].sort().map((path) => ({ path: { type: "PathPrefix", value: path } })),
          backendRefs: [{ name: service, port: spec.port }],
        },
      ],
    },
  };
}

function servicePolicies(input: ServicesPlanInput, service: string, spec: ServiceSpec, db: ServiceDatabase | undefined): KubeObject[] {
  const ns = service;
  const port = tcp(spec.port);
  const sources: Record<string, unknown>[] = [];
  if (spec.publicRoutes.length > 0) sources.push({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: EDGE_NAMESPACE } }, podSelector: { matchLabels: { ...ENVOY_POD_LABELS } } });
  for (const caller of callersOf(input.catalog, service)) sources.push(podsOf(caller, caller));

  const egress: Record<string, unknown>[] = [];
  for (const callee of [...spec.calls].sort()) {
    const target = input.catalog.services[callee];
    if (target === undefined) throw new Error(`catalog: services.${service}.calls names "${callee}": allowed: a service of the catalog`);
    egress.push({ to: [podsOf(callee, callee)], ports: [tcp(target.port)] });
  }
  if (db !== undefined) egress.push({ to: (db.hostIps ?? [db.hostIp]).map((ip) => ipBlock(`${ip}/32`)), ports: [tcp(db.port)] });
  // VPC endpoints only (STS, SQS, SNS, Secrets Manager, KMS ...): never the Kubernetes API.
  egress.push(endpointsRule(input.addresses), podIdentityRule());
  if (input.smtp?.service === service) egress.push({ to: input.addresses.appCidrs.map(ipBlock), ports: [tcp(input.smtp.port)] });
  if (input.proxy.services.has(service)) egress.push({ to: input.dmzCidrs.map(ipBlock), ports: [tcp(input.proxy.port)] });

  const policies = [defaultDeny(ns), allowDns(ns), egressPolicy(ns, service, `${service}-egress`, egress)];
  // No sources, no rule: the default deny already says "nobody".
  if (sources.length > 0) policies.push(ingressPolicy(ns, service, `${service}-ingress`, [{ from: sources, ports: [port] }]));
  return policies;
}
