import { z } from "zod";
import { cpuMillicores, memoryBytes } from "./kubernetes-rules";
import { kebabName, positiveInt } from "./sections/primitives";

/**
 * The service catalog (D1-D3): one entry per microservice. Everything per service (namespace,
 * identity, database, queues, network policies) is generated from it.
 */
const cpuQuantity = z.string().superRefine((text, ctx) => {
  const millis = cpuMillicores(text);
  if (typeof millis === "string") ctx.addIssue({ code: "custom", message: millis });
});
const memoryQuantity = z.string().superRefine((text, ctx) => {
  const bytes = memoryBytes(text);
  if (typeof bytes === "string") ctx.addIssue({ code: "custom", message: bytes });
});

/** Values of one filter-policy attribute: literals or SNS operators such as `{ prefix: "eu-" }`. */
const filterValues = z
  .array(z.union([z.string(), z.number(), z.boolean(), z.record(z.string(), z.unknown())]))
  .min(1, { message: "allowed: a non-empty list of values or SNS filter operators" });

export const serviceSchema = z.strictObject({
  description: z.string().min(3, { message: "allowed: a sentence saying what the service does" }),
  port: z.number().int().min(1024, { message: "allowed: 1024..65535 (pods run as non-root)" }).max(65535, {
    message: "allowed: 1024..65535 (pods run as non-root)",
  }),
  /** A critical data domain of the stack config (databases.domains) that this service alone owns. */
  dataDomain: kebabName.optional(),
  publicRoutes: z
    .array(z.string().regex(/^\/[a-z0-9/_-]*$/, { message: "allowed: an absolute path such as /api/users" }))
    .default([]),
  publishes: z.array(kebabName).default([]),
  subscribes: z.array(kebabName).default([]),
  /** Optional SNS filter policy (on message attributes) per subscribed event: only matching events reach the queue. */
  filters: z.record(kebabName, z.record(z.string().min(1), filterValues)).default({}),
  /** Synchronous REST calls this service makes (D3); network policies allow only these. */
  calls: z.array(kebabName).default([]),
  replicas: z.strictObject({ min: positiveInt(50), max: positiveInt(200) }),
  resources: z.strictObject({
    cpuRequest: cpuQuantity,
    memoryRequest: memoryQuantity,
    cpuLimit: cpuQuantity,
    memoryLimit: memoryQuantity,
  }),
  healthPath: z.string().regex(/^\/[a-z0-9/_-]*$/, { message: "allowed: an absolute path such as /healthz" }),
});
export type ServiceSpec = z.infer<typeof serviceSchema>;

export const eventSchema = z.strictObject({
  description: z.string().min(3),
  /** FIFO topics and queues where the order of events matters. */
  fifo: z.boolean().default(false),
});
export type EventSpec = z.infer<typeof eventSchema>;

export const catalogSchema = z.strictObject({
  events: z.record(kebabName, eventSchema),
  services: z.record(kebabName, serviceSchema),
});
export type Catalog = z.infer<typeof catalogSchema>;
