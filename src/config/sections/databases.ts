import { z } from "zod";
import { KNOWN_DB_INSTANCE_TYPES } from "../../databases/instance-memory";
import { amiId, instanceType, kebabName, positiveInt } from "./primitives";

/** The critical data domains of D5, each on its own self-managed PostgreSQL host. */
export const CRITICAL_DOMAINS = ["personal-data", "training-records", "purchase-history", "product-catalog"] as const;

/** PostgreSQL's memory settings are derived from the instance's memory, so only types of known size. */
const dbInstanceType = instanceType.refine((t) => KNOWN_DB_INSTANCE_TYPES.includes(t), {
  message: `allowed: one of ${KNOWN_DB_INSTANCE_TYPES.join(", ")}`,
});

export const databaseDomainSchema = z
  .strictObject({
    description: z.string().min(3),
    instanceType: dbInstanceType,
    dataVolumeGiB: z.number().int().min(20, { message: "allowed: 20..16384 GiB" }).max(16384, { message: "allowed: 20..16384 GiB" }),
    dataVolumeIops: z.number().int().min(3000, { message: "allowed: 3000..16000" }).max(16000, { message: "allowed: 3000..16000" }),
    dataVolumeThroughputMiBps: z.number().int().min(125, { message: "allowed: 125..1000" }).max(1000, { message: "allowed: 125..1000" }),
    /**
     * Pins the host's AZ. Placement is otherwise a hash of the domain name over the data subnets, so
     * pin every existing domain before adding an AZ, or its host (and volume) would move.
     */
    availabilityZone: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, { message: "allowed: an AZ name such as eu-central-1a" }).optional(),
  })
  .superRefine((d, ctx) => {
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
  })
  .superRefine((db, ctx) => {
    if (db.packageSource === "mirror" && db.mirrorUrl === undefined) {
      ctx.addIssue({ code: "custom", path: ["mirrorUrl"], message: "allowed: the https URL of the Debian mirror (required when packageSource is mirror)" });
    }
  });
export type DatabasesConfig = z.infer<typeof databasesSchema>;
