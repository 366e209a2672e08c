import { z } from "zod";
import { dnsName, kebabName, positiveInt } from "./primitives";

const retention = z.number().int().min(60, { message: "allowed: 60..1209600" }).max(1_209_600, { message: "allowed: 60..1209600" });

const emailAddress = z.string().regex(/^[a-z0-9._%+-]+@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
  message: "allowed: a lower-case e-mail address such as ops@fitness.example.com",
});

/** SNS mobile push platforms the notifications service can publish to (SNS platform application types). */
export const PUSH_PLATFORMS = ["APNS", "APNS_SANDBOX", "GCM"] as const;

/**
 * How the notifications service reaches users: e-mail through Amazon SES (SMTP interface behind the
 * `email-smtp` VPC endpoint) and push through SNS mobile push (behind the `sns` endpoint).
 */
export const notificationsSchema = z.strictObject({
  /** The catalog service that sends e-mail and push; it alone gets the SES and push rights. */
  service: kebabName,
  email: z.strictObject({
    /** The SES domain identity mail is sent from (created by the stack; DKIM records go in its DNS zone). */
    identity: dnsName,
    fromAddress: emailAddress,
    /** Route 53 zone of `identity`; when set, the stack publishes the DKIM records itself. */
    hostedZoneId: z
      .string()
      .regex(/^Z[A-Z0-9]{4,32}$/, { message: "allowed: a Route 53 hosted zone id such as Z0123456789ABC" })
      .optional(),
  }),
  push: z.strictObject({
    /** SNS platform applications (created with the vendors' credentials, outside this stack) push goes through. */
    applications: z
      .array(
        z.strictObject({
          platform: z.enum(PUSH_PLATFORMS, { message: `allowed: ${PUSH_PLATFORMS.join(", ")}` }),
          name: z.string().regex(/^[A-Za-z0-9_.-]{1,256}$/, { message: "allowed: an SNS platform application name ([A-Za-z0-9_.-], 1..256)" }),
        }),
      )
      .default([]),
  }),
});
export type NotificationsConfig = z.infer<typeof notificationsSchema>;

/** D2: SNS topics per event, an SQS queue with a DLQ per subscriber. */
export const messagingSchema = z
  .strictObject({
    maxReceiveCount: positiveInt(1000),
    queueRetentionSeconds: retention,
    deadLetterRetentionSeconds: retention,
    visibilityTimeoutSeconds: z.number().int().min(0, { message: "allowed: 0..43200" }).max(43200, { message: "allowed: 0..43200" }),
    oldestMessageAlarmSeconds: positiveInt(1_209_600),
    /** Who gets the messaging alarms (dead letters, stuck queues) by e-mail from the operations topic. */
    operationsEmails: z.array(emailAddress).default([]),
    notifications: notificationsSchema,
  })
  .superRefine((cfg, issues) => {
    // A dead letter keeps its original enqueue time, so a DLQ that retains less than its source queue
    // would drop failed messages before anyone can look at them.
    if (cfg.deadLetterRetentionSeconds < cfg.queueRetentionSeconds) {
      issues.addIssue({
        code: "custom",
        path: ["deadLetterRetentionSeconds"],
        message: `allowed: >= queueRetentionSeconds (${cfg.queueRetentionSeconds})`,
      });
    }
    if (cfg.oldestMessageAlarmSeconds >= cfg.queueRetentionSeconds) {
      issues.addIssue({
        code: "custom",
        path: ["oldestMessageAlarmSeconds"],
        message: `allowed: < queueRetentionSeconds (${cfg.queueRetentionSeconds}), so the alarm fires before messages expire`,
      });
    }
    const { identity, fromAddress } = cfg.notifications.email;
    const domain = fromAddress.slice(fromAddress.indexOf("@") + 1);
    if (domain !== identity && !domain.endsWith(`.${identity}`)) {
      issues.addIssue({ code: "custom", path: ["notifications", "email", "fromAddress"], message: `allowed: an address at ${identity} or a subdomain of it (the SES identity)` });
    }
    const seen = new Set<string>();
    cfg.notifications.push.applications.forEach((app, i) => {
      const key = `${app.platform}/${app.name}`;
      if (seen.has(key)) issues.addIssue({ code: "custom", path: ["notifications", "push", "applications", i], message: "allowed: each platform application once" });
      seen.add(key);
    });
  });
export type MessagingConfig = z.infer<typeof messagingSchema>;
