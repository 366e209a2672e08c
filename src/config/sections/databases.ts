import { z } from "zod";
import { KNOWN_DB_INSTANCE_TYPES } from "../../databases/instance-memory";
import { amiId, instanceType, kebabName, positiveInt } from "./primitives";

/** The critical data domains of D5, each on its own self-managed PostgreSQL host. */
export const CRITICAL_DOMAINS = ["personal-data", "training-records", "purchase-history", "product-catalog"] as const;

/** PostgreSQL's memory settings are derived from the instance's memory, so only types of known size. */
const dbInstanceType = instanceType.refine((t) => KNOWN_DB_INSTANCE_TYPES.includes(t), {
  message: `allowed: one of ${KNOWN_DB_INSTANCE_TYPES.join(", ")}`,
});

const azName = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, { message: "allowed: an AZ name such as eu-central-1a" });

/**
 * Patroni's timing (its DCS settings): a leader that cannot renew its lock for ttlSeconds is replaced, so
 * the failover time is about ttlSeconds + loopWaitSeconds. Patroni requires ttl >= loop_wait + 2 * retry_timeout.
 */
export const replicationSchema = z
  .strictObject({
    /** Patroni synchronous_mode: a commit is acknowledged once a standby has flushed it (prod: required). */
    synchronous: z.boolean(),
    ttlSeconds: z.number().int().min(10, { message: "allowed: 10..120" }).max(120, { message: "allowed: 10..120" }),
    loopWaitSeconds: z.number().int().min(1, { message: "allowed: 1..30" }).max(30, { message: "allowed: 1..30" }),
    retryTimeoutSeconds: z.number().int().min(1, { message: "allowed: 1..30" }).max(30, { message: "allowed: 1..30" }),
    /** An asynchronous standby further behind than this is never promoted. */
    maximumLagOnFailoverMiB: z.number().int().min(1, { message: "allowed: 1..1024" }).max(1024, { message: "allowed: 1..1024" }),
    /** Replication-lag alarm threshold. */
    lagAlarmMiB: z.number().int().min(1, { message: "allowed: 1..65536" }).max(65536, { message: "allowed: 1..65536" }),
  })
  .superRefine((r, ctx) => {
    if (r.ttlSeconds < r.loopWaitSeconds + 2 * r.retryTimeoutSeconds) {
      ctx.addIssue({ code: "custom", path: ["ttlSeconds"], message: `allowed: at least loopWaitSeconds + 2 * retryTimeoutSeconds (${r.loopWaitSeconds + 2 * r.retryTimeoutSeconds}; Patroni's rule)` });
    }
  });
export type ReplicationConfig = z.infer<typeof replicationSchema>;

/** The consensus store (etcd) of the Patroni clusters: an odd number of members, one per named AZ. */
export const consensusSchema = z
  .strictObject({
    availabilityZones: z.array(azName),
    instanceType,
    dataVolumeGiB: z.number().int().min(8, { message: "allowed: 8..100 GiB" }).max(100, { message: "allowed: 8..100 GiB" }),
  })
  .superRefine((c, ctx) => {
    if (![1, 3, 5].includes(c.availabilityZones.length)) ctx.addIssue({ code: "custom", path: ["availabilityZones"], message: "allowed: 1, 3 or 5 AZs (an odd etcd quorum)" });
    if (new Set(c.availabilityZones).size !== c.availabilityZones.length) ctx.addIssue({ code: "custom", path: ["availabilityZones"], message: "allowed: distinct AZs" });
  });
export type ConsensusConfig = z.infer<typeof consensusSchema>;

export const databaseDomainSchema = z
  .strictObject({
    description: z.string().min(3),
    instanceType: dbInstanceType,
    dataVolumeGiB: z.number().int().min(20, { message: "allowed: 20..16384 GiB" }).max(16384, { message: "allowed: 20..16384 GiB" }),
    dataVolumeIops: z.number().int().min(3000, { message: "allowed: 3000..16000" }).max(16000, { message: "allowed: 3000..16000" }),
    dataVolumeThroughputMiBps: z.number().int().min(125, { message: "allowed: 125..1000" }).max(1000, { message: "allowed: 125..1000" }),
    /**
     * The AZs of the domain's PostgreSQL members, one member each (docs/decisions.md, "Highly available
     * PostgreSQL"): one AZ is a single host, two or three a Patroni cluster with a synchronous standby.
     * Named, never derived from the network's AZ list, so adding or reordering AZs moves no host or volume.
     */
    availabilityZones: z.array(azName).min(1, { message: "allowed: 1..3 AZs (one per member)" }).max(3, { message: "allowed: 1..3 AZs (one per member)" }),
  })
  .superRefine((d, ctx) => {
    if (new Set(d.availabilityZones).size !== d.availabilityZones.length) {
      ctx.addIssue({ code: "custom", path: ["availabilityZones"], message: "allowed: distinct AZs (members in one AZ fail together)" });
    }
    // gp3 limits: 500 IOPS per GiB, 0.25 MiB/s per IOPS.
    if (d.dataVolumeIops > d.dataVolumeGiB * 500) {
      ctx.addIssue({ code: "custom", path: ["dataVolumeIops"], message: `allowed: at most 500 IOPS per GiB (${d.dataVolumeGiB * 500} for ${d.dataVolumeGiB} GiB)` });
    }
    if (d.dataVolumeThroughputMiBps > d.dataVolumeIops / 4) {
      ctx.addIssue({ code: "custom", path: ["dataVolumeThroughputMiBps"], message: `allowed: at most dataVolumeIops / 4 (${Math.floor(d.dataVolumeIops / 4)} MiB/s)` });
    }
  });
export type DatabaseDomainConfig = z.infer<typeof databaseDomainSchema>;

export const databasesSchema = z
  .strictObject({
    /** Debian 12; pinned, and ignored by existing hosts (a new AMI reaches a host only by a rebuild). */
    amiId,
    postgresVersion: z.literal(15, { message: "allowed: 15 (the version the host tests prove)" }),
    /** Where hosts install packages on first boot: a Debian mirror behind an endpoint, or the egress proxy. */
    packageSource: z.enum(["proxy", "mirror"], { message: "allowed: proxy, mirror" }),
    /** Base URL holding `debian/` and `debian-security/` (docs/decisions.md, "Database hosts install packages from a mirror"). */
    mirrorUrl: z
      .string()
      .regex(/^https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~/-]*)?$/, { message: "allowed: an https URL without credentials or query, such as https://mirror.example.internal" })
      .optional(),
    maxConnections: positiveInt(5000),
    domains: z.record(kebabName, databaseDomainSchema),
    /** Required as soon as a domain has more than one member. */
    replication: replicationSchema.optional(),
    consensus: consensusSchema.optional(),
  })
  .superRefine((db, ctx) => {
    // A domain names its host's pgBackRest stanza (at most 63 characters, src/backups/pgbackrest-conf.ts) and the AWS names derived from it.
    for (const name of Object.keys(db.domains).filter((n) => n.length > 63)) {
      ctx.addIssue({ code: "custom", path: ["domains", name], message: `allowed: a domain name of at most 63 characters (it names the host's pgBackRest stanza); this one has ${name.length}` });
    }
    if (db.packageSource === "mirror" && db.mirrorUrl === undefined) {
      ctx.addIssue({ code: "custom", path: ["mirrorUrl"], message: "allowed: the https URL of the Debian mirror (required when packageSource is mirror)" });
    }
    const replicated = Object.entries(db.domains).filter(([, d]) => d.availabilityZones.length > 1).map(([name]) => name);
    if (replicated.length > 0) {
      for (const key of ["replication", "consensus"] as const) {
        if (db[key] === undefined) ctx.addIssue({ code: "custom", path: [key], message: `allowed: a ${key} section (required because ${replicated.join(", ")} run more than one member)` });
      }
    }
  });
export type DatabasesConfig = z.infer<typeof databasesSchema>;
