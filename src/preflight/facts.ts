/**
 * From the validated stack config and the synthesized program (the same snapshot `npm run synth`
 * writes) to what the account must provide. Pure. Counts and names come from the program itself
 * (instances, groups, buckets, charts, service-linked roles as registered), so they follow every
 * change to the plans without a second copy here.
 */
import { SERVICE_LINKED_ROLES } from "../account/service-linked-roles";
import type { PlatformConfig } from "../config/validate";
import { s3MirrorBucket } from "../databases/package-mirror";
import { INTERFACE_ENDPOINTS } from "../network/endpoint-plan";
import type { ResourceState, StackExport } from "../offline/snapshot/types";
import { planAddons } from "../services/cluster-plan";
import { mirrorLayout } from "./mirror-layout";
import type { AmiUse, BucketPlan, CapacityItem, ChartPin, ConfigValue, ImagePin, PackageMirrorFacts, PreflightFacts, ServiceLinkedRoleNeed } from "./types";

export interface FactsInput {
  readonly platform: PlatformConfig;
  readonly snapshot: StackExport;
  /** `--region`, when the user gave one. */
  readonly requestedRegion?: string;
  /** The instance type the restore drill launches (scripts/restore-drill.sh). */
  readonly restoreDrillInstanceType: string;
  /** EC2 architecture of the DB hosts' AMI, when known (for the mirror's index path); x86_64 otherwise. */
  readonly databaseArchitecture?: string;
}

const HELM_TYPES = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v4:Chart"]);
const BUCKET_TYPES = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);
const SERVICE_LINKED_ROLE = /:iam::\d{12}:role\/aws-service-role\/([a-z0-9.-]+\.amazonaws\.com)\/([\w+=,.@-]+)/g;

const record = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const nameOf = (r: ResourceState): string => r.urn.slice(r.urn.lastIndexOf("::") + 2);

function providerRegions(resources: readonly ResourceState[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of resources) {
    if (!r.type.startsWith("pulumi:providers:aws")) continue;
    const region = str(record(r.inputs).region) ?? str(record(r.outputs).region);
    if (region !== undefined && r.id !== undefined) out.set(`${r.urn}::${r.id}`, region);
  }
  return out;
}

function buckets(resources: readonly ResourceState[], region: string): BucketPlan[] {
  const regions = providerRegions(resources);
  const out: BucketPlan[] = [];
  for (const r of resources) {
    if (!BUCKET_TYPES.has(r.type)) continue;
    // A bucket named by prefix gets a random suffix: nobody else can hold its name.
    const name = str(record(r.inputs).bucket);
    if (name === undefined) continue;
    const at = str(record(r.inputs).region) ?? (r.provider === undefined ? undefined : regions.get(r.provider)) ?? str(record(r.outputs).region) ?? region;
    out.push({ name, region: at });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** EKS managed node group updates add max(2 × AZs, maxUnavailable) nodes (EKS user guide, "Understand each phase of node updates", scale-up phase). */
export function nodeGroupSurge(azCount: number, maxSize: number, update: Record<string, unknown>): number {
  const unavailable = num(update.maxUnavailable) ?? (num(update.maxUnavailablePercentage) === undefined ? 1 : Math.ceil(((num(update.maxUnavailablePercentage) ?? 0) * maxSize) / 100));
  return Math.max(2 * azCount, unavailable);
}

function capacity(resources: readonly ResourceState[], drillType: string): CapacityItem[] {
  const templates = new Map<string, ResourceState>();
  for (const r of resources) if (r.type === "aws:ec2/launchTemplate:LaunchTemplate" && r.id !== undefined) templates.set(r.id, r);
  const items: CapacityItem[] = [];
  for (const r of resources) {
    const inputs = record(r.inputs);
    if (r.type === "aws:ec2/instance:Instance") {
      const type = str(inputs.instanceType);
      const tenancy = str(inputs.tenancy) ?? "default";
      if (type !== undefined) items.push({ purpose: nameOf(r), instanceTypes: [type], count: 1, tenancy: tenancy === "dedicated" || tenancy === "host" ? tenancy : "default" });
    } else if (r.type === "aws:autoscaling/group:Group") {
      const max = num(inputs.maxSize) ?? 0;
      const template = templates.get(str(record(inputs.launchTemplate).id) ?? "");
      const tInputs = record(template?.inputs);
      const type = str(tInputs.instanceType);
      const tenancy = str(record(tInputs.placement).tenancy) ?? "default";
      if (type !== undefined && max > 0) items.push({ purpose: `${nameOf(r)} (max ${max})`, instanceTypes: [type], count: max, tenancy: tenancy === "dedicated" || tenancy === "host" ? tenancy : "default" });
    } else if (r.type === "aws:eks/nodeGroup:NodeGroup") {
      const scaling = record(inputs.scalingConfig);
      const max = num(scaling.maxSize) ?? 0;
      const azs = Math.max(1, strings(inputs.subnetIds).length);
      const surge = nodeGroupSurge(azs, max, record(inputs.updateConfig));
      const types = strings(inputs.instanceTypes);
      if (max > 0 && types.length > 0) items.push({ purpose: `${nameOf(r)} (max ${max} + update surge ${surge})`, instanceTypes: types, count: max + surge, tenancy: "default" });
    }
  }
  items.push({ purpose: "restore drill (scripts/restore-drill.sh)", instanceTypes: [drillType], count: 1, tenancy: "default" });
  return items.sort((a, b) => a.purpose.localeCompare(b.purpose));
}

/**
 * The service-linked roles the platform relies on: those its policies name (found in the snapshot) and
 * the account's list (src/account/service-linked-roles.ts, created by the bootstrap layer). A role the
 * program only reads (`.get`, external in the snapshot) must exist; one it creates must not, unless adopted.
 */
function serviceLinkedRoles(resources: readonly ResourceState[]): ServiceLinkedRoleNeed[] {
  const created = new Map<string, { adopted: boolean }>();
  for (const r of resources) {
    if (r.type !== "aws:iam/serviceLinkedRole:ServiceLinkedRole" || r.external === true) continue;
    const service = str(record(r.inputs).awsServiceName);
    if (service !== undefined) created.set(service, { adopted: r.importID !== undefined });
  }
  const needs = new Map<string, { service: string; users: Set<string> }>();
  // A role the stack creates is checked too, even when no policy names it: creating an existing one fails.
  for (const r of resources) {
    if (r.type !== "aws:iam/serviceLinkedRole:ServiceLinkedRole" || r.external === true) continue;
    const service = str(record(r.inputs).awsServiceName);
    const roleName = str(record(r.outputs).name) ?? str(record(r.outputs).arn)?.split("/").pop();
    if (service !== undefined && roleName !== undefined) needs.set(roleName, { service, users: new Set([nameOf(r)]) });
  }
  for (const r of resources) {
    const text = JSON.stringify(r.inputs ?? {});
    for (const match of text.matchAll(SERVICE_LINKED_ROLE)) {
      const [, service, roleName] = match;
      const entry = needs.get(roleName) ?? { service, users: new Set<string>() };
      entry.users.add(nameOf(r));
      needs.set(roleName, entry);
    }
  }
  for (const spec of SERVICE_LINKED_ROLES) {
    if (!needs.has(spec.roleName)) needs.set(spec.roleName, { service: spec.service, users: new Set([`the platform (${spec.why})`]) });
  }
  return [...needs.entries()]
    .map(([roleName, { service, users }]) => ({
      roleName,
      service,
      createdByStack: created.has(service),
      adoptedByStack: created.get(service)?.adopted ?? false,
      neededBy: [...users].sort().slice(0, 3).join(", ") + (users.size > 3 ? ` and ${users.size - 3} more` : ""),
    }))
    .sort((a, b) => a.roleName.localeCompare(b.roleName));
}

function charts(resources: readonly ResourceState[], layout: ReturnType<typeof mirrorLayout>): ChartPin[] {
  const out = new Map<string, ChartPin>();
  for (const r of resources) {
    if (!HELM_TYPES.has(r.type)) continue;
    const inputs = record(r.inputs);
    const ref = str(inputs.chart);
    const version = str(inputs.version);
    if (ref === undefined || version === undefined) continue;
    // `ingress-nginx`, `repo/ingress-nginx` or `oci://<registry>/<path>/ingress-nginx`: the chart is the last segment.
    const chart = ref.replace(/\/+$/, "").split("/").pop() ?? ref;
    out.set(`${chart}@${version}`, { chart, version, repository: layout.chartRepository(chart) });
  }
  return [...out.values()].sort((a, b) => a.chart.localeCompare(b.chart) || a.version.localeCompare(b.version));
}

function images(platform: PlatformConfig, layout: ReturnType<typeof mirrorLayout>): ImagePin[] {
  const { images: cfg } = platform.config;
  const mirrored = cfg.mirrored.map((m, i): ImagePin => ({ repository: layout.imageRepository(m.name), tag: m.tag, digest: m.digest, key: `${platform.project}:images.mirrored[${i}]` }));
  const services = Object.keys(platform.catalog.services)
    .sort()
    .filter((s) => cfg.serviceTags[s] !== undefined)
    .map((s): ImagePin => {
      // `<tag>@<digest>` (images.ts): look the service image up by its digest, report its tag.
      const [tag, digest] = String(cfg.serviceTags[s]).split("@");
      return { repository: layout.serviceRepository(s), tag: tag ?? "", ...(digest === undefined ? {} : { digest }), key: `${platform.project}:images.serviceTags.${s}` };
    });
  return [...mirrored, ...services];
}

function packageMirror(platform: PlatformConfig, layout: ReturnType<typeof mirrorLayout>, architecture: string): PackageMirrorFacts | undefined {
  const db = platform.config.databases;
  if (db.packageSource !== "mirror" || db.mirrorUrl === undefined) return undefined;
  const bucket = s3MirrorBucket(db.mirrorUrl);
  if (bucket === undefined) return undefined;
  const region = /\.s3[.-]([a-z0-9-]+)\.amazonaws\.com/.exec(db.mirrorUrl)?.[1] ?? platform.aws.region;
  const prefix = new URL(db.mirrorUrl).pathname.replace(/^\/+|\/+$/g, "");
  const indexes = layout.debianIndexes(architecture).map((p) => (prefix === "" ? p : `${prefix}/${p}`));
  return { bucket, region, indexes, packages: layout.debianPackages(db.postgresVersion) };
}

function amis(platform: PlatformConfig): AmiUse[] {
  const { databases, egress } = platform.config;
  const p = platform.project;
  return [
    { amiId: databases.amiId, role: "databases", key: `${p}:databases.amiId`, instanceTypes: [...new Set(Object.values(databases.domains).map((d) => d.instanceType))].sort() },
    { amiId: egress.proxy.amiId, role: "proxy", key: `${p}:egress.proxy.amiId`, instanceTypes: [egress.proxy.instanceType] },
  ];
}

function sesIdentity(resources: readonly ResourceState[], identity: string): { createdByStack: boolean; adoptedByStack: boolean } {
  const own = resources.find(
    (r) =>
      (r.type === "aws:sesv2/emailIdentity:EmailIdentity" && record(r.inputs).emailIdentity === identity) ||
      (r.type === "aws:ses/domainIdentity:DomainIdentity" && record(r.inputs).domain === identity),
  );
  return { createdByStack: own !== undefined, adoptedByStack: own?.importID !== undefined };
}

/** Every string leaf of a value, with its key path as the config error lines print it. */
function stringLeaves(value: unknown, key: string, out: ConfigValue[]): void {
  if (typeof value === "string") out.push({ key, value });
  else if (Array.isArray(value)) value.forEach((v, i) => stringLeaves(v, `${key}[${i}]`, out));
  else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) stringLeaves(v, `${key}.${k}`, out);
}

function configValues(platform: PlatformConfig): ConfigValue[] {
  const out: ConfigValue[] = [];
  for (const [k, v] of Object.entries(platform.config)) stringLeaves(v, `${platform.project}:${k}`, out);
  for (const [k, v] of Object.entries(platform.aws)) stringLeaves(v, `aws:${k}`, out);
  return out;
}

export function preflightFacts(input: FactsInput): PreflightFacts {
  const { platform } = input;
  const { config } = platform;
  const resources = input.snapshot.deployment.resources;
  const layout = mirrorLayout(platform.project);
  const notifications = config.messaging.notifications.email;
  return {
    project: platform.project,
    stack: platform.stack,
    environment: config.environment,
    region: platform.aws.region,
    ...(input.requestedRegion === undefined ? {} : { requestedRegion: input.requestedRegion }),
    ...(platform.aws.allowedAccountIds === undefined ? {} : { allowedAccountIds: platform.aws.allowedAccountIds }),
    availabilityZones: config.network.availabilityZones,
    amis: amis(platform),
    edge: { domainName: config.edge.domainName, certificate: config.edge.certificate },
    images: images(platform, layout),
    charts: charts(resources, layout),
    packageMirror: packageMirror(platform, layout, input.databaseArchitecture ?? "x86_64"),
    serviceLinkedRoles: serviceLinkedRoles(resources),
    capacity: capacity(resources, input.restoreDrillInstanceType),
    interfaceEndpoints: INTERFACE_ENDPOINTS.map((e) => e.service),
    kubernetesVersion: config.cluster.kubernetesVersion,
    addons: planAddons(config.cluster).map((a) => ({ name: a.name, version: a.version })),
    email: {
      identity: notifications.identity,
      fromAddress: notifications.fromAddress,
      ...(notifications.hostedZoneId === undefined ? {} : { hostedZoneId: notifications.hostedZoneId }),
      ...sesIdentity(resources, notifications.identity),
    },
    buckets: buckets(resources, platform.aws.region),
    configValues: configValues(platform),
  };
}
