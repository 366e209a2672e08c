import { z } from "zod";
import { imageDigest, positiveInt } from "./primitives";

/** Log archive in S3 (D5: logs go to cloud storage), retained per environment. */
export const logsSchema = z.strictObject({
  retentionDays: positiveInt(3650),
  /** Optional tiering; S3 requires each transition to happen before expiry. */
  transitionToInfrequentAccessDays: positiveInt(3650).optional(),
  transitionToGlacierDays: positiveInt(3650).optional(),
  auditRetentionDays: positiveInt(3650),
  logGroupRetentionDays: z.union(
    [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653].map((d) => z.literal(d)),
    { message: "allowed: a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, ..., 365, ..., 3653 days)" },
  ),
  abortIncompleteUploadDays: positiveInt(30),
  fluentBit: z.strictObject({
    chartVersion: z.string().regex(/^\d+\.\d+\.\d+$/, { message: "allowed: a pinned chart version x.y.z" }),
    imageTag: z.string().regex(/^\d+\.\d+\.\d+$/, { message: "allowed: a pinned image tag x.y.z" }),
    imageDigest,
  }),
});
export type LogsConfig = z.infer<typeof logsSchema>;
