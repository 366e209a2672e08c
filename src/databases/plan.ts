import type { Catalog } from "../config/catalog-schema";
import type { DatabasesConfig } from "../config/sections/databases";
import { physicalName } from "../conventions/naming";
import { type CertificateSpec, hostDnsName, memberDnsName, serverCertificateSpec } from "./certificates";
import { type ConsensusPlan, planConsensus } from "./consensus-plan";
import { HOST_LAYOUT } from "./host-layout";
import { memberSetupParameterName, renderMemberSetup, renderRolesSetup, rolesSetupParameterName } from "./member-setup";
import { type DatabaseIdentity, databaseIdentity } from "./identity";
import { instanceMemoryMiB } from "./instance-memory";
import { type MemorySettings, memorySettings } from "./memory-settings";
import { renderPgHba } from "./pg-hba";
import { REPLICATION_USER, REST_API_USER, REWIND_USER, renderPatroniConf } from "./patroni-conf";
import { type DataSubnetSlot, type HostPlacement, azLetter, placeHost } from "./placement";
import { renderPostgresqlConf } from "./postgresql-conf";
import { renderRolesSql } from "./roles-sql";

export interface DatabasesPlanInput {
  readonly project: string;
  readonly stack: string;
  readonly environment: "dev" | "prod";
  readonly region: string;
  readonly config: DatabasesConfig;
  readonly catalog: Catalog;
  /** The network plan's data-zone subnets, in AZ order. */
  readonly dataSubnets: readonly DataSubnetSlot[];
  /** The network plan's app-zone subnet CIDRs: the only client networks pg_hba.conf admits. */
  readonly appCidrs: readonly string[];
  /** The private hosted zone, e.g. `dev.fitness.internal`. */
  readonly privateZoneName: string;
}

/** One PostgreSQL server of a domain: the only host of a single-host domain, or a Patroni member. */
export interface MemberPlan {
  /** `<domain>-<AZ letter>`: the Patroni member name, fixed by the AZ the member stands in. */
  readonly name: string;
  readonly placement: HostPlacement;
  /** The member's own name (replication, operators); services use the domain's name. */
  readonly dnsName: string;
  readonly certificate: CertificateSpec;
  /** Physical name stem: `<project>-<stack>-databases-<member>` (single host: `...-<domain>`). */
  readonly physicalName: string;
  readonly files: {
    /** Single host: the whole postgresql.conf. Patroni member: the custom_conf Patroni includes. */
    readonly postgresqlConf: string;
    /** Patroni member only. */
    readonly patroniConf?: string;
  };
  /** Patroni member only: its files as a setup script in an SSM parameter (user-data is capped at 16 KiB). */
  readonly setup?: { readonly parameter: string; readonly script: string };
}

export interface HostPlan {
  readonly domain: string;
  readonly description: string;
  /** The catalog service owning the domain (the catalog allows at most one). */
  readonly owners: readonly DatabaseIdentity[];
  readonly amiId: string;
  readonly instanceType: string;
  readonly tenancy: "default" | "dedicated";
  readonly memoryMiB: number;
  readonly memory: MemorySettings;
  /** true: a Patroni cluster of `members` (two or three AZs); false: one host, postgresql@.service. */
  readonly replicated: boolean;
  readonly members: readonly MemberPlan[];
  /** The first member's placement (kept for callers that need one address per domain). */
  readonly placement: HostPlacement;
  /** The name services connect to: an A record with every member's address (libpq tries each, target_session_attrs=read-write). */
  readonly dnsName: string;
  readonly port: number;
  readonly dataVolume: { readonly sizeGiB: number; readonly iops: number; readonly throughputMiBps: number };
  readonly rootVolumeGiB: number;
  readonly names: {
    /** Physical name stem of the domain: `<project>-<stack>-databases-<domain>`. */
    readonly host: string;
    readonly tlsSecret: string;
    /** Per owning service, its credentials secret. */
    readonly credentialsSecrets: Readonly<Record<string, string>>;
    /** Patroni's passwords (replication, rewind, REST API): JSON, replicated clusters only. */
    readonly patroniSecret: string;
  };
  readonly files: { readonly pgHba: string; readonly rolesSql: string };
  /** The roles SQL as a setup script in an SSM parameter (user-data is capped at 16 KiB). */
  readonly rolesSetup: { readonly parameter: string; readonly script: string };
}

export interface DatabasesPlan {
  readonly hosts: readonly HostPlan[];
  /** Owning service → its domain. */
  readonly domainOfService: Readonly<Record<string, string>>;
  /** The etcd nodes, when a domain is replicated. */
  readonly consensus?: ConsensusPlan;
}

/** The OS and PostgreSQL binaries only: data lives on the separate volume. */
const ROOT_VOLUME_GIB = 20;

/** Everything about the database hosts that can be decided without AWS: pure, deterministic. */
export function planDatabaseHosts(input: DatabasesPlanInput): DatabasesPlan {
  const scope = { project: input.project, stack: input.stack };
  const domainOfService: Record<string, string> = {};
  const hosts: HostPlan[] = [];
  const L = HOST_LAYOUT;
  const config = input.config;
  const anyReplicated = Object.values(config.domains).some((d) => d.availabilityZones.length > 1);
  const consensus =
    anyReplicated && config.consensus !== undefined
      ? planConsensus({ project: input.project, stack: input.stack, config: config.consensus, dataSubnets: input.dataSubnets, privateZoneName: input.privateZoneName })
      : undefined;
  if (anyReplicated && (consensus === undefined || config.replication === undefined)) {
    throw new Error("fitness-platform:databases.consensus / replication = (missing): allowed: both sections when a domain has more than one AZ");
  }

  // Addresses already given out: members probe past them (placement.ts), so no two hosts share one.
  const taken = new Set<string>((consensus?.nodes ?? []).map((n) => n.placement.privateIp));
  for (const [domain, spec] of Object.entries(config.domains).sort(([a], [b]) => a.localeCompare(b))) {
    const owners = Object.entries(input.catalog.services)
      .filter(([, svc]) => svc.dataDomain === domain)
      .map(([service]) => databaseIdentity(service))
      .sort((a, b) => a.service.localeCompare(b.service));
    for (const owner of owners) domainOfService[owner.service] = domain;

    const replicated = spec.availabilityZones.length > 1;
    const memoryMiB = instanceMemoryMiB(spec.instanceType);
    const memory = memorySettings(memoryMiB, config.maxConnections);
    const dnsName = hostDnsName(domain, input.privateZoneName);
    const host = physicalName(scope, "databases", domain);
    const placed = spec.availabilityZones.map((az, i) => {
      const name = replicated ? `${domain}-${azLetter(az)}` : domain;
      const placement = placeHost(name, input.dataSubnets, az, `fitness-platform:databases.domains.${domain}.availabilityZones[${i}]`, taken);
      taken.add(placement.privateIp);
      return { name, placement };
    });
    const rolesOptions = replicated ? { maintenanceConnect: [REWIND_USER] } : {};
    const peers = replicated ? { addresses: placed.map((m) => m.placement.privateIp), replicationUser: REPLICATION_USER, rewindUser: REWIND_USER } : undefined;
    const members: MemberPlan[] = placed.map(({ name, placement }) => {
      const memberDns = replicated ? memberDnsName(name, input.privateZoneName) : dnsName;
      const postgresqlConf = renderPostgresqlConf({
        managedBy: replicated ? "patroni" : "standalone",
        listenAddress: placement.privateIp,
        port: L.port,
        maxConnections: config.maxConnections,
        memory,
        clusterName: `${L.postgresVersion}/${L.clusterName}`,
        paths: {
          dataDirectory: L.dataDirectory,
          hbaFile: `${L.configDirectory}/pg_hba.conf`,
          identFile: `${L.configDirectory}/pg_ident.conf`,
          sslCertFile: `${L.tlsDirectory}/server.crt`,
          sslKeyFile: `${L.tlsDirectory}/server.key`,
          unixSocketDirectory: L.socketDirectory,
          externalPidFile: L.pidFile,
          includeDir: L.includeDirectory,
        },
      });
      const patroniConf =
        replicated && consensus !== undefined && config.replication !== undefined
          ? renderPatroniConf({
              scope: domain,
              namespace: `/${input.project}-${input.stack}/`,
              member: { name, privateIp: placement.privateIp },
              etcdHosts: consensus.nodes.map((n) => n.placement.privateIp),
              replication: config.replication,
              maxConnections: config.maxConnections,
              port: L.port,
              replicationUser: REPLICATION_USER,
              rewindUser: REWIND_USER,
              restApiUser: REST_API_USER,
            })
          : undefined;
      return {
        name,
        placement,
        dnsName: memberDns,
        certificate: serverCertificateSpec(dnsName, placement.privateIp, { dnsNames: [memberDns], clientAuth: replicated }),
        physicalName: physicalName(scope, "databases", name),
        files: { postgresqlConf, ...(patroniConf === undefined ? {} : { patroniConf }) },
        ...(patroniConf === undefined
          ? {}
          : {
              setup: {
                parameter: memberSetupParameterName(input.project, input.stack, name),
                script: renderMemberSetup({ domain, member: name, privateIp: placement.privateIp, region: input.region, patroniConf }),
              },
            }),
      };
    });

    hosts.push({
      domain,
      description: spec.description,
      owners,
      amiId: config.amiId,
      instanceType: spec.instanceType,
      tenancy: input.environment === "prod" ? "dedicated" : "default",
      memoryMiB,
      memory,
      replicated,
      members,
      placement: members[0].placement,
      dnsName,
      port: L.port,
      dataVolume: { sizeGiB: spec.dataVolumeGiB, iops: spec.dataVolumeIops, throughputMiBps: spec.dataVolumeThroughputMiBps },
      rootVolumeGiB: ROOT_VOLUME_GIB,
      names: {
        host,
        tlsSecret: physicalName(scope, "databases", `${domain}-tls`),
        credentialsSecrets: Object.fromEntries(owners.map((o) => [o.service, physicalName(scope, "databases", `${domain}-${o.service}`)])),
        patroniSecret: physicalName(scope, "databases", `${domain}-patroni`),
      },
      files: {
        pgHba: renderPgHba({ appCidrs: input.appCidrs, grants: owners, peers }),
        rolesSql: renderRolesSql(owners, rolesOptions),
      },
      rolesSetup: { parameter: rolesSetupParameterName(input.project, input.stack, domain), script: renderRolesSetup(domain, renderRolesSql(owners, rolesOptions)) },
    });
  }

  // Two hosts on one address would fail at launch; say which, instead of letting AWS say it later.
  const byIp = new Map<string, string>();
  const all = [...hosts.flatMap((h) => h.members.map((m) => [m.name, m.placement.privateIp] as const)), ...(consensus?.nodes ?? []).map((n) => [n.name, n.placement.privateIp] as const)];
  for (const [name, address] of all) {
    const other = byIp.get(address);
    if (other !== undefined) {
      throw new Error(`database hosts ${other} and ${name} both map to ${address}: allowed: distinct addresses (place one of them in another AZ)`);
    }
    byIp.set(address, name);
  }
  return { hosts, domainOfService, ...(consensus === undefined ? {} : { consensus }) };
}
