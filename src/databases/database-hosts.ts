import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Catalog } from "../config/catalog-schema";
import type { DatabasesConfig } from "../config/sections/databases";
import type { EgressException } from "../config/sections/egress";
import { customerManagedKey } from "../conventions/customer-managed-key";
import type { PlatformContext } from "../conventions/context";
import type { BootstrapExtras } from "./bootstrap-extras";
import { DEBIAN_ARCHIVE_HOST, type PackageSource } from "./bootstrap";
import { COMPONENT, DatabaseHost, type ServiceDatabaseAccess } from "./database-host";
import { privateDomain } from "../network/network";
import { HOST_LAYOUT } from "./host-layout";
import { InternalCa } from "./internal-ca";
import { Consensus } from "./consensus";
import { DATABASE_METRIC_NAMESPACE, planBootstrapAlarm, planDatabaseAlarms } from "./alarms";
import type { ReplicationConfig } from "../config/sections/databases";
import { type DatabasesPlan, type HostPlan, planDatabaseHosts } from "./plan";

/**
 * The parts of the Network component the hosts stand on (structural, so tests may pass a stand-in):
 * its subnet plan (zone, AZ, CIDR of every subnet, each zone's block), the data subnets in the same AZ order, the zone
 * security groups (no inline rules: this component adds the 5432 rules) and the private hosted zone.
 */
export interface DatabaseNetwork {
  readonly plan: {
    readonly subnets: readonly { readonly zone: string; readonly az: string; readonly cidr: string }[];
    /** The block each zone owns (all its AZ slots): stable when AZs are added. */
    readonly zoneCidrs?: Readonly<Record<string, string>>;
  };
  readonly subnets: { readonly data: readonly aws.ec2.Subnet[] };
  readonly zoneSecurityGroups: { readonly app: aws.ec2.SecurityGroup; readonly data: aws.ec2.SecurityGroup };
  readonly privateZone: aws.route53.Zone;
}

export interface DatabaseHostsArgs {
  /** OperatorAccess.hostSessionPolicy: lets the host encrypt and log its Session Manager sessions (D4). */
  readonly hostSessionPolicyArn?: pulumi.Input<string>;
  readonly ctx: PlatformContext;
  readonly config: DatabasesConfig;
  readonly catalog: Catalog;
  readonly network: DatabaseNetwork;
  /** The egress proxy's URL (`http://proxy.<stack>.fitness.internal:3128`); required when packageSource is proxy. */
  readonly proxyUrl?: pulumi.Input<string>;
  /** Exceptions in force, to warn when proxy mode has none admitting the Debian archive for the data zone. */
  readonly liveEgressExceptions?: readonly EgressException[];
  /** Files, commands and packages other components add to a host's bootstrap (backups: pgBackRest). */
  readonly bootstrapExtras?: (host: HostPlan) => pulumi.Input<BootstrapExtras> | undefined;
  /** An inline policy other components add to a host's instance role before it boots (backups: its repository). */
  readonly extraRolePolicy?: (host: HostPlan) => pulumi.Input<string> | undefined;
  /** What must exist before any host boots (the package mirror's readiness marker: issue 13). */
  readonly readyBeforeHosts?: pulumi.Resource[];
  /** SNS topic the replication alarms notify (the operations topic). */
  readonly alarmTopicArn?: pulumi.Input<string>;
}

const POSTGRES_PORT = HOST_LAYOUT.port;

/**
 * The self-managed PostgreSQL hosts of the critical data domains (D5): one host per domain, the
 * databases' customer-managed key, the internal CA, and the security-group rules of the 5432 flow
 * (app zone → data zone only).
 */
export class DatabaseHosts extends pulumi.ComponentResource {
  readonly plan: DatabasesPlan;
  /** Customer-managed key of the volumes and secrets of the database hosts. */
  readonly key: aws.kms.Key;
  readonly ca: InternalCa;
  /** PEM of the internal CA: services verify the hosts against it (`sslmode=verify-full`). */
  readonly caCertPem: pulumi.Output<string>;
  /** Data domain → its host. */
  readonly hosts: Readonly<Record<string, DatabaseHost>>;
  /** Owning service → what it needs to connect. */
  readonly access: Readonly<Record<string, ServiceDatabaseAccess>>;
  readonly postgresIngress: aws.vpc.SecurityGroupIngressRule;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  /** The etcd nodes of the Patroni clusters (absent when every domain runs one host). */
  readonly consensus?: Consensus;
  readonly postgresEgress: aws.vpc.SecurityGroupEgressRule;

  constructor(name: string, args: DatabaseHostsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:databases:DatabaseHosts", name, {}, opts);
    const { ctx, config, network } = args;
    const dataSubnets = network.plan.subnets.filter((s) => s.zone === "data");
    if (dataSubnets.length !== network.subnets.data.length) {
      throw new Error(`network: ${dataSubnets.length} planned data subnets but ${network.subnets.data.length} registered: allowed: one per planned subnet, in plan order`);
    }
    this.plan = planDatabaseHosts({
      project: ctx.project,
      stack: ctx.stack,
      environment: ctx.environment,
      region: ctx.region,
      config,
      catalog: args.catalog,
      dataSubnets,
      // The app zone's whole block, not its current subnets: adding an AZ then changes no pg_hba.conf.
      appCidrs: appZoneCidrs(network),
      privateZoneName: privateDomain(ctx.stack),
    });
    const appSg = network.zoneSecurityGroups.app.id;
    const dataSg = network.zoneSecurityGroups.data.id;
    const packageSource = packageSourceOf(config, args.proxyUrl);
    if (config.packageSource === "proxy") warnWithoutException(this, args.liveEgressExceptions ?? []);

    const keyName = ctx.name(COMPONENT, "key");
    this.key = customerManagedKey(
      { key: `${name}-key`, alias: `${name}-key` },
      {
        description: "Customer-managed key of the database hosts' volumes and secrets (D5)",
        tags: ctx.tags({ component: COMPONENT, zone: "data", dataClass: "critical" }, keyName),
        alias: `alias/${keyName}`,
      },
      { parent: this, protect: ctx.durability.protectCriticalData, retainOnDelete: ctx.durability.protectCriticalData },
    );

    this.ca = new InternalCa(`${name}-ca`, { stack: ctx.stack }, { parent: this });
    this.caCertPem = this.ca.certificatePem;

    // 5432 from the app zone's security group only; one rule resource per direction (no inline rules).
    this.postgresIngress = new aws.vpc.SecurityGroupIngressRule(
      `${name}-postgres-from-app`,
      {
        securityGroupId: dataSg,
        referencedSecurityGroupId: appSg,
        ipProtocol: "tcp",
        fromPort: POSTGRES_PORT,
        toPort: POSTGRES_PORT,
        description: "PostgreSQL from the app zone (EKS nodes and pods)",
        tags: ctx.tags({ component: COMPONENT, zone: "data" }, ctx.name(COMPONENT, "postgres-from-app")),
      },
      { parent: this },
    );
    this.postgresEgress = new aws.vpc.SecurityGroupEgressRule(
      `${name}-postgres-to-data`,
      {
        securityGroupId: appSg,
        referencedSecurityGroupId: dataSg,
        ipProtocol: "tcp",
        fromPort: POSTGRES_PORT,
        toPort: POSTGRES_PORT,
        description: "PostgreSQL to the database hosts in the data zone",
        tags: ctx.tags({ component: COMPONENT, zone: "app" }, ctx.name(COMPONENT, "postgres-to-data")),
      },
      { parent: this },
    );

    // Data subnets by AZ name: a member's subnet never depends on the order of the configured AZs.
    const subnetByAz = new Map(dataSubnets.map((slot, i) => [slot.az, network.subnets.data[i]]));
    const subnetIdFor = (az: string): pulumi.Input<string> => {
      const subnet = subnetByAz.get(az);
      if (subnet === undefined) throw new Error(`database member in ${az}: allowed: an AZ with a data subnet (${[...subnetByAz.keys()].join(", ")})`);
      return subnet.id;
    };

    // Patroni clusters: members reach each other (replication, pg_rewind, REST API) and etcd; nothing else does.
    const cluster = this.plan.consensus === undefined ? undefined : this.clusterSecurityGroups(name, ctx, network);
    this.consensus =
      this.plan.consensus === undefined || cluster === undefined
        ? undefined
        : new Consensus(
            `${name}-consensus`,
            {
              ctx,
              plan: this.plan.consensus,
              subnetIdFor,
              securityGroupIds: [dataSg, cluster.consensus.id],
              privateZoneId: network.privateZone.zoneId,
              key: this.key,
              ca: this.ca,
              amiId: config.amiId,
              packageSource,
              hostSessionPolicyArn: args.hostSessionPolicyArn,
              readyBeforeHosts: args.readyBeforeHosts,
            },
            { parent: this },
          );

    const hosts: Record<string, DatabaseHost> = {};
    const access: Record<string, ServiceDatabaseAccess> = {};
    for (const plan of this.plan.hosts) {
      const host = new DatabaseHost(
        `${name}-${plan.domain}`,
        {
          ctx,
          plan,
          subnetIdFor,
          securityGroupIds: plan.replicated && cluster !== undefined ? [dataSg, cluster.members.id] : [dataSg],
          readyBeforeHosts: [...(args.readyBeforeHosts ?? []), ...(this.consensus === undefined || !plan.replicated ? [] : [this.consensus])],
          privateZoneId: network.privateZone.zoneId,
          key: this.key,
          ca: this.ca,
          packageSource,
          extras: args.bootstrapExtras?.(plan),
          extraRolePolicy: args.extraRolePolicy?.(plan),
          hostSessionPolicyArn: args.hostSessionPolicyArn,
        },
        { parent: this },
      );
      hosts[plan.domain] = host;
      Object.assign(access, host.access);
    }
    this.hosts = hosts;
    this.access = access;

    // Replicated domains: missing standby, replication lag, failover events.
    this.alarms = this.plan.hosts
      .filter((h) => h.replicated && config.replication !== undefined)
      .flatMap((h) => planDatabaseAlarms(h.domain, ctx.name(COMPONENT), config.replication as ReplicationConfig))
      .concat(
        [...this.plan.hosts.flatMap((h) => h.members.map((m) => m.name)), ...(this.plan.consensus?.nodes ?? []).map((n) => n.name)].map((host) =>
          planBootstrapAlarm(host, ctx.name(COMPONENT)),
        ),
      )
      .map(
        (a) =>
          new aws.cloudwatch.MetricAlarm(
            `${name}-${a.id}`,
            {
              name: a.name,
              alarmDescription: a.description,
              namespace: DATABASE_METRIC_NAMESPACE,
              metricName: a.metricName,
              dimensions: { ...a.dimensions },
              statistic: a.statistic,
              comparisonOperator: a.comparisonOperator,
              threshold: a.threshold,
              period: a.periodSeconds,
              evaluationPeriods: a.evaluationPeriods,
              treatMissingData: a.treatMissingData,
              alarmActions: args.alarmTopicArn === undefined ? [] : [args.alarmTopicArn],
              okActions: args.alarmTopicArn === undefined ? [] : [args.alarmTopicArn],
              tags: ctx.tags({ component: COMPONENT, zone: "data" }),
            },
            { parent: this },
          ),
      );

    this.registerOutputs({
      keyArn: this.key.arn,
      caCertPem: this.caCertPem,
      hosts: Object.fromEntries(Object.values(hosts).map((h) => [h.domain, { dnsName: h.dnsName, privateIp: h.privateIp }])),
    });
  }

  /** The access details of a service that owns a data domain; a one-line error for any other service. */
  accessFor(service: string): ServiceDatabaseAccess {
    const found = this.access[service];
    if (found === undefined) {
      throw new Error(`service "${service}" owns no database: allowed: ${Object.keys(this.access).sort().join(", ") || "(no owning services)"}`);
    }
    return found;
  }

  /** A summary for the stack outputs: names and addresses, no secret. */
  summary(): Record<string, { dnsName: string; privateIp: string; availabilityZone: string; instanceId: pulumi.Output<string>; services: string[]; members: { name: string; dnsName: string; privateIp: string; availabilityZone: string; instanceId: pulumi.Output<string> }[] }> {
    return Object.fromEntries(
      this.plan.hosts.map((p) => [
        p.domain,
        {
          dnsName: p.dnsName,
          privateIp: p.placement.privateIp,
          availabilityZone: p.placement.az,
          instanceId: this.hosts[p.domain].instance.id,
          services: p.owners.map((o) => o.service),
          members: p.members.map((m, i) => ({ name: m.name, dnsName: m.dnsName, privateIp: m.placement.privateIp, availabilityZone: m.placement.az, instanceId: this.hosts[p.domain].members[i].instance.id })),
        },
      ]),
    );
  }

  /**
   * Two security groups beside the data zone's: `members` (every Patroni member: 5432 and the REST API
   * from other members) and `consensus` (the etcd nodes: 2379 from members, 2380 from each other). New
   * groups have no egress until a rule says so.
   */
  private clusterSecurityGroups(name: string, ctx: PlatformContext, network: DatabaseNetwork): { members: aws.ec2.SecurityGroup; consensus: aws.ec2.SecurityGroup } {
    const vpcId = network.zoneSecurityGroups.data.vpcId;
    const group = (id: string, description: string) =>
      new aws.ec2.SecurityGroup(`${name}-${id}`, { name: ctx.name(COMPONENT, id), description, vpcId, revokeRulesOnDelete: true, tags: ctx.tags({ component: COMPONENT, zone: "data" }, ctx.name(COMPONENT, id)) }, { parent: this });
    const members = group("members", "PostgreSQL members of the Patroni clusters: replication and REST API between members only");
    const consensus = group("consensus", "etcd nodes of the Patroni clusters: clients are the database members only");
    const L = HOST_LAYOUT;
    const flows: { id: string; from: aws.ec2.SecurityGroup; to: aws.ec2.SecurityGroup; port: number; toPort?: number; description: string }[] = [
      { id: "member-postgres", from: members, to: members, port: L.port, description: "Streaming replication and pg_rewind between members" },
      { id: "member-api", from: members, to: members, port: L.restApiPort, description: "Patroni REST API between members (leader race, switchover)" },
      { id: "member-etcd", from: members, to: consensus, port: L.etcdClientPort, description: "Patroni to etcd" },
      { id: "etcd-peers", from: consensus, to: consensus, port: L.etcdPeerPort, description: "etcd peers" },
    ];
    for (const f of flows) {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-${f.id}-in`,
        { securityGroupId: f.to.id, referencedSecurityGroupId: f.from.id, ipProtocol: "tcp", fromPort: f.port, toPort: f.toPort ?? f.port, description: f.description, tags: ctx.tags({ component: COMPONENT, zone: "data" }, ctx.name(COMPONENT, `${f.id}-in`)) },
        { parent: this },
      );
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-${f.id}-out`,
        { securityGroupId: f.from.id, referencedSecurityGroupId: f.to.id, ipProtocol: "tcp", fromPort: f.port, toPort: f.toPort ?? f.port, description: f.description, tags: ctx.tags({ component: COMPONENT, zone: "data" }, ctx.name(COMPONENT, `${f.id}-out`)) },
        { parent: this },
      );
    }
    return { members, consensus };
  }
}

function appZoneCidrs(network: DatabaseNetwork): string[] {
  const block = network.plan.zoneCidrs?.["app"];
  return block !== undefined ? [block] : network.plan.subnets.filter((s) => s.zone === "app").map((s) => s.cidr);
}

function packageSourceOf(config: DatabasesConfig, proxyUrl: pulumi.Input<string> | undefined): pulumi.Input<PackageSource> {
  if (config.packageSource === "mirror") {
    // The schema requires the URL in mirror mode; this guards callers that bypass it.
    if (config.mirrorUrl === undefined) throw new Error("fitness-platform:databases.mirrorUrl = (missing): allowed: the https URL of the Debian mirror");
    return { kind: "mirror", mirrorUrl: config.mirrorUrl };
  }
  if (proxyUrl === undefined) {
    throw new Error("fitness-platform:databases.packageSource = \"proxy\": allowed: only with the egress proxy deployed (pass its proxyUrl to DatabaseHosts)");
  }
  return pulumi.output(proxyUrl).apply((url): PackageSource => ({ kind: "proxy", proxyUrl: url }));
}

/** Proxy mode needs a live exception for the Debian archive in the data zone, at least while hosts are built. */
function warnWithoutException(resource: pulumi.Resource, exceptions: readonly EgressException[]): void {
  const admits = exceptions.some(
    (ex) => ex.zones.includes("data") && (ex.host === DEBIAN_ARCHIVE_HOST || (ex.host.startsWith(".") && DEBIAN_ARCHIVE_HOST.endsWith(ex.host))),
  );
  if (!admits) {
    pulumi.log.warn(
      `databases.packageSource is proxy but no live egress exception admits ${DEBIAN_ARCHIVE_HOST} for the data zone: a host built now cannot install PostgreSQL`,
      resource,
    );
  }
}
