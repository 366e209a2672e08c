import { z } from "zod";
import { accountId, positiveInt } from "./primitives";

/** D4: the DevOps-as-a-Service provider's scoped, audited access. */
export const operatorSchema = z.strictObject({
  providerAccountId: accountId,
  externalId: z.string().regex(/^[A-Za-z0-9+=,.@:/-]{16,1224}$/, { message: "allowed: 16..1224 characters of [A-Za-z0-9+=,.@:/-]" }),
  /** Longest role session (IAM allows 1..12 hours); Session Manager sessions are capped to the same. */
  maxSessionHours: positiveInt(12),
  /** Session Manager ends a shell idle this long (1..60 minutes). */
  idleSessionMinutes: positiveInt(60).default(20),
});
export type OperatorConfig = z.infer<typeof operatorSchema>;
