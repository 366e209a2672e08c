import type { Catalog } from "../config/catalog-schema";
import type { DatabasesConfig } from "../config/sections/databases";
import { physicalName } from "../conventions/naming";
import { type CertificateSpec, hostDnsName, serverCertificateSpec } from "./certificates";
import { HOST_LAYOUT } from "./host-layout";
import { type DatabaseIdentity, databaseIdentity } from "./identity";
import { instanceMemoryMiB } from "./instance-memory";
import { type MemorySettings, memorySettings } from "./memory-settings";
import { renderPgHba } from "./pg-hba";
import { type DataSubnetSlot, type HostPlacement, placeHost } from "./placement";
import { renderPostgresqlConf } from "./postgresql-conf";
import { renderRolesSql } from "./roles-sql";

export interface DatabasesPlanInput {
  readonly project: string;
  readonly stack: string;
  readonly environment: "dev" | "prod";
  readonly config: DatabasesConfig;
  readonly catalog: Catalog;
  /** The network plan's data-zone subnets, in AZ order. */
  readonly dataSubnets: readonly DataSubnetSlot[];
  /** The network plan's app-zone subnet CIDRs: the only client networks pg_hba.conf admits. */
  readonly appCidrs: readonly string[];
  /** The private hosted zone, e.g. `dev.fitness.internal`. */
  readonly privateZoneName: string;
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
  readonly placement: HostPlacement;
  readonly dnsName: string;
  readonly port: number;
  readonly certificate: CertificateSpec;
  readonly dataVolume: { readonly sizeGiB: number; readonly iops: number; readonly throughputMiBps: number };
  readonly rootVolumeGiB: number;
  readonly names: {
    /** Physical name stem of the host: `<project>-<stack>-databases-<domain>`. */
    readonly host: string;
    readonly tlsSecret: string;
    /** Per owning service, its credentials secret. */
    readonly credentialsSecrets: Readonly<Record<string, string>>;
  };
  readonly files: { readonly postgresqlConf: string; readonly pgHba: string; readonly rolesSql: string };
}

export interface DatabasesPlan {
  readonly hosts: readonly HostPlan[];
  /** Owning service → its domain. */
  readonly domainOfService: Readonly<Record<string, string>>;
}

/** The OS and PostgreSQL binaries only: data lives on the separate volume. */
const ROOT_VOLUME_GIB = 20;

/** Everything about the database hosts that can be decided without AWS: pure, deterministic. */
export function planDatabaseHosts(input: DatabasesPlanInput): DatabasesPlan {
  const scope = { project: input.project, stack: input.stack };
  const domainOfService: Record<string, string> = {};
  const hosts: HostPlan[] = [];
  // Addresses already given out: placement probes past them (placement.ts), so no two hosts share one.
  const taken = new Set<string>();

  for (const [domain, spec] of Object.entries(input.config.domains).sort(([a], [b]) => a.localeCompare(b))) {
    const owners = Object.entries(input.catalog.services)
      .filter(([, svc]) => svc.dataDomain === domain)
      .map(([service]) => databaseIdentity(service))
      .sort((a, b) => a.service.localeCompare(b.service));
    for (const owner of owners) domainOfService[owner.service] = domain;

    const placement = placeHost(domain, input.dataSubnets, spec.availabilityZone, taken);
    taken.add(placement.privateIp);
    const memoryMiB = instanceMemoryMiB(spec.instanceType);
    const memory = memorySettings(memoryMiB, input.config.maxConnections);
    const dnsName = hostDnsName(domain, input.privateZoneName);
    const host = physicalName(scope, "databases", domain);
    const L = HOST_LAYOUT;

    hosts.push({
      domain,
      description: spec.description,
      owners,
      amiId: input.config.amiId,
      instanceType: spec.instanceType,
      tenancy: input.environment === "prod" ? "dedicated" : "default",
      memoryMiB,
      memory,
      placement,
      dnsName,
      port: L.port,
      certificate: serverCertificateSpec(dnsName, placement.privateIp),
      dataVolume: { sizeGiB: spec.dataVolumeGiB, iops: spec.dataVolumeIops, throughputMiBps: spec.dataVolumeThroughputMiBps },
      rootVolumeGiB: ROOT_VOLUME_GIB,
      names: {
        host,
        tlsSecret: physicalName(scope, "databases", `${domain}-tls`),
        credentialsSecrets: Object.fromEntries(owners.map((o) => [o.service, physicalName(scope, "databases", `${domain}-${o.service}`)])),
      },
      files: {
        postgresqlConf: renderPostgresqlConf({
          listenAddress: placement.privateIp,
          port: L.port,
          maxConnections: input.config.maxConnections,
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
        }),
        pgHba: renderPgHba({ appCidrs: input.appCidrs, grants: owners }),
        rolesSql: renderRolesSql(owners),
      },
    });
  }

  return { hosts, domainOfService };
}
