import { z } from "zod";
import { positiveInt } from "./primitives";

/** D2: SNS topics per event, an SQS queue with a DLQ per subscriber. */
export const messagingSchema = z.strictObject({
  maxReceiveCount: positiveInt(1000),
  queueRetentionSeconds: z.number().int().min(60, { message: "allowed: 60..1209600" }).max(1_209_600, { message: "allowed: 60..1209600" }),
  deadLetterRetentionSeconds: z
    .number()
    .int()
    .min(60, { message: "allowed: 60..1209600" })
    .max(1_209_600, { message: "allowed: 60..1209600" }),
  visibilityTimeoutSeconds: z.number().int().min(0, { message: "allowed: 0..43200" }).max(43200, { message: "allowed: 0..43200" }),
  oldestMessageAlarmSeconds: positiveInt(1_209_600),
});
export type MessagingConfig = z.infer<typeof messagingSchema>;
