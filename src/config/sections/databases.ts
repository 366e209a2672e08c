import { z } from "zod";
import { amiId, instanceType, kebabName, positiveInt } from "./primitives";

/** The critical data domains of D5, each on its own self-managed PostgreSQL host. */
export const CRITICAL_DOMAINS = ["personal-data", "training-records", "purchase-history", "product-catalog"] as const;

export const databaseDomainSchema = z.strictObject({
  description: z.string().min(3),
  instanceType,
  dataVolumeGiB: z.number().int().min(20, { message: "allowed: 20..16384 GiB" }).max(16384, { message: "allowed: 20..16384 GiB" }),
  dataVolumeIops: z.number().int().min(3000, { message: "allowed: 3000..16000" }).max(16000, { message: "allowed: 3000..16000" }),
  dataVolumeThroughputMiBps: z.number().int().min(125, { message: "allowed: 125..1000" }).max(1000, { message: "allowed: 125..1000" }),
});
export type DatabaseDomainConfig = z.infer<typeof databaseDomainSchema>;

export const databasesSchema = z.strictObject({
  amiId,
  postgresVersion: z.literal(15, { message: "allowed: 15 (the version the host tests prove)" }),
  /** Where hosts install packages on first boot: a Debian mirror behind an endpoint, or the egress proxy. */
  packageSource: z.enum(["proxy", "mirror"], { message: "allowed: proxy, mirror" }),
  maxConnections: positiveInt(5000),
  domains: z.record(kebabName, databaseDomainSchema),
});
export type DatabasesConfig = z.infer<typeof databasesSchema>;
