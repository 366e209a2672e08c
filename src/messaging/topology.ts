import type { Catalog } from "../config/catalog-schema";
import type { MessagingConfig } from "../config/sections/messaging";
import { boundedName, type NameScope, physicalName } from "../conventions/naming";

/**
 * The messaging topology (D2) as data, derived from the service catalog: one SNS topic per event, and
 * per subscribing service a queue with its dead-letter queue, fed by subscriptions. Pure, so the graph
 * can be asserted without Pulumi, and so the component only turns it into resources.
 *
 * SNS FIFO topics deliver only to SQS FIFO queues, and a FIFO queue cannot take standard topics. A
 * service that subscribes to both kinds therefore gets two queues (standard and FIFO), each with a
 * dead-letter queue of its own kind.
 */
export type QueueKind = "standard" | "fifo";

export interface TopicPlan {
  readonly event: string;
  readonly description: string;
  /** Physical topic name; FIFO names end in `.fifo` as SNS requires. */
  readonly name: string;
  readonly fifo: boolean;
  /** FIFO only: deduplicate on a hash of the body, so publishers need no deduplication id. */
  readonly contentBasedDeduplication: boolean;
  readonly publishers: readonly string[];
  readonly subscribers: readonly string[];
}

export interface QueuePlan {
  /** Stable key within the stack: `<service>` or `<service>-fifo`. */
  readonly id: string;
  readonly service: string;
  readonly kind: QueueKind;
  readonly name: string;
  readonly deadLetterName: string;
  /** Events whose topics feed this queue. */
  readonly events: readonly string[];
  readonly retentionSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly deadLetterRetentionSeconds: number;
  readonly maxReceiveCount: number;
}

export interface SubscriptionPlan {
  readonly id: string;
  readonly event: string;
  readonly queueId: string;
  readonly service: string;
  /** Consumers read the event body itself, not the SNS envelope. */
  readonly rawMessageDelivery: true;
  /** JSON filter policy on message attributes, when the catalog declares one for this subscription. */
  readonly filterPolicy?: string;
}

export interface MessagingPlan {
  readonly topics: readonly TopicPlan[];
  readonly queues: readonly QueuePlan[];
  readonly subscriptions: readonly SubscriptionPlan[];
  /** Where the messaging alarms go (dead letters, stuck queues). */
  readonly operationsTopicName: string;
  readonly keyAlias: string;
}

const SQS_NAME_MAX = 80;
const SNS_NAME_MAX = 256;
const FIFO_SUFFIX = ".fifo";

function fifoName(base: string, fifo: boolean, max: number): string {
  return fifo ? `${boundedName(base, max - FIFO_SUFFIX.length)}${FIFO_SUFFIX}` : boundedName(base, max);
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function planTopology(scope: NameScope, catalog: Catalog, config: MessagingConfig): MessagingPlan {
  const services = Object.entries(catalog.services).sort(([a], [b]) => byName(a, b));
  const events = Object.entries(catalog.events).sort(([a], [b]) => byName(a, b));

  const topics: TopicPlan[] = events.map(([event, spec]) => ({
    event,
    description: spec.description,
    name: fifoName(physicalName(scope, "messaging", event), spec.fifo, SNS_NAME_MAX),
    fifo: spec.fifo,
    contentBasedDeduplication: spec.fifo,
    publishers: services.filter(([, svc]) => svc.publishes.includes(event)).map(([name]) => name),
    subscribers: services.filter(([, svc]) => svc.subscribes.includes(event)).map(([name]) => name),
  }));
  const topicOf = new Map(topics.map((t) => [t.event, t]));

  const queues: QueuePlan[] = [];
  const subscriptions: SubscriptionPlan[] = [];
  for (const [service, svc] of services) {
    const subscribed = [...new Set(svc.subscribes)].sort(byName);
    for (const kind of ["standard", "fifo"] as const) {
      const fed = subscribed.filter((event) => {
        const topic = topicOf.get(event);
        if (topic === undefined) throw new Error(`catalog: service "${service}" subscribes to undeclared event "${event}"`);
        return topic.fifo === (kind === "fifo");
      });
      if (fed.length === 0) continue;
      const fifo = kind === "fifo";
      const id = fifo ? `${service}-fifo` : service;
      queues.push({
        id,
        service,
        kind,
        name: fifoName(physicalName(scope, "messaging", `${service}-queue`), fifo, SQS_NAME_MAX),
        deadLetterName: fifoName(physicalName(scope, "messaging", `${service}-dlq`), fifo, SQS_NAME_MAX),
        events: fed,
        retentionSeconds: config.queueRetentionSeconds,
        visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
        deadLetterRetentionSeconds: config.deadLetterRetentionSeconds,
        maxReceiveCount: config.maxReceiveCount,
      });
      for (const event of fed) {
        const filter = svc.filters[event];
        subscriptions.push({
          id: `${event}-to-${id}`,
          event,
          queueId: id,
          service,
          rawMessageDelivery: true,
          ...(filter === undefined ? {} : { filterPolicy: JSON.stringify(filter) }),
        });
      }
    }
  }

  const plan: MessagingPlan = {
    topics,
    queues,
    subscriptions,
    operationsTopicName: physicalName(scope, "operations", "alarms"),
    keyAlias: `alias/${physicalName(scope, "messaging")}`,
  };
  assertDistinctNames(plan);
  return plan;
}

/** Shortened names could in theory meet; a clash would make two resources fight over one name. */
function assertDistinctNames(plan: MessagingPlan): void {
  const check = (kind: string, names: string[]) => {
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) throw new Error(`messaging: two ${kind} would be named "${name}"; rename an event or service in the catalog`);
      seen.add(name);
    }
  };
  check("topics", [...plan.topics.map((t) => t.name), plan.operationsTopicName]);
  check("queues", plan.queues.flatMap((q) => [q.name, q.deadLetterName]));
}

/** The topics a service may publish to (exactly those it declares). */
export function topicsPublishedBy(plan: MessagingPlan, service: string): TopicPlan[] {
  return plan.topics.filter((t) => t.publishers.includes(service));
}

/** The queues a service consumes (its own, one per kind it needs). */
export function queuesOf(plan: MessagingPlan, service: string): QueuePlan[] {
  return plan.queues.filter((q) => q.service === service);
}

/** Every service that takes part in messaging, as publisher or subscriber. */
export function messagingServices(plan: MessagingPlan): string[] {
  const names = new Set<string>();
  for (const t of plan.topics) t.publishers.forEach((s) => names.add(s));
  for (const q of plan.queues) names.add(q.service);
  return [...names].sort(byName);
}
