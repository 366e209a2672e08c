import { z } from "zod";
import { amiId, instanceType, isoDate, kebabName, positiveInt } from "./primitives";

/**
 * Temporary, proxied internet access (D6). Each exception is configuration with an owner, a ticket
 * and an expiry; validation rejects expired ones and ones longer than `maxLifetimeDays`.
 */
export const egressExceptionSchema = z.strictObject({
  host: z.string().regex(/^(?=.{1,253}$)(\.?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/, {
    message: "allowed: a DNS name (a leading dot admits its subdomains); no wildcards, no IP addresses",
  })
  .regex(/\.[a-z]{2,63}$/, { message: "allowed: a DNS name (a leading dot admits its subdomains); no wildcards, no IP addresses" }),
  zones: z
    .array(z.enum(["app", "data"], { message: "allowed: app, data" }))
    .min(1, { message: "allowed: one or more of app, data" }),
  /** Services (catalog names) that get HTTPS_PROXY; empty means host-level use only (e.g. DB bootstrap). */
  services: z.array(kebabName).default([]),
  reason: z.string().min(10, { message: "allowed: a reason of at least 10 characters" }),
  ticket: z.string().regex(/^[A-Z][A-Z0-9]+-\d+$/, { message: "allowed: a ticket id such as OPS-123" }),
  owner: z.string().regex(/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/, { message: "allowed: the owner's e-mail address" }),
  granted: isoDate,
  expires: isoDate,
});
export type EgressException = z.infer<typeof egressExceptionSchema>;

export const egressSchema = z.strictObject({
  maxLifetimeDays: positiveInt(90).default(30),
  proxy: z.strictObject({
    amiId,
    instanceType,
    maxSize: positiveInt(6),
    /** Encrypted root volume of each proxy host (logs wait there until shipped). */
    rootVolumeGiB: z.number().int().min(8, { message: "allowed: 8..200" }).max(200, { message: "allowed: 8..200" }).default(20),
  }),
  exceptions: z.array(egressExceptionSchema).default([]),
});
export type EgressConfig = z.infer<typeof egressSchema>;
