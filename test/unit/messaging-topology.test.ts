import { parseYaml } from "../../src/config/yaml-reader";
import { describe, expect, it } from "vitest";
import { type Catalog, catalogSchema } from "../../src/config/catalog-schema";
import { type MessagingConfig, messagingSchema } from "../../src/config/sections/messaging";
import { planQueueAlarms } from "../../src/messaging/alarms";
import { messagingServices, planTopology, queuesOf, topicsPublishedBy } from "../../src/messaging/topology";
import { committedCatalogText, committedConfigData } from "../support/stack-config";

const scope = { project: "fitness-platform", stack: "prod" };

function committedCatalog(): Catalog {
  return catalogSchema.parse(parseYaml(committedCatalogText(), "src/config/catalog.yaml"));
}

function messagingConfig(stack: string): MessagingConfig {
  return messagingSchema.parse(committedConfigData(stack)["fitness-platform:messaging"]);
}

/** The committed catalog with one more service, for shapes the real catalog does not have. */
function catalogWith(extra: Partial<Catalog>): Catalog {
  const base = committedCatalog();
  return catalogSchema.parse({ events: { ...base.events, ...extra.events }, services: { ...base.services, ...extra.services } });
}

describe("messaging topology of the committed catalog", () => {
  const catalog = committedCatalog();
  const config = messagingConfig("prod");
  const plan = planTopology(scope, catalog, config);

  it("has one topic per event, FIFO exactly where the catalog says so", () => {
    expect(plan.topics.map((t) => t.event).sort()).toEqual(Object.keys(catalog.events).sort());
    for (const topic of plan.topics) {
      const fifo = catalog.events[topic.event]?.fifo ?? false;
      expect(topic.fifo).toBe(fifo);
      expect(topic.name.endsWith(".fifo")).toBe(fifo);
      expect(topic.contentBasedDeduplication).toBe(fifo);
      expect(topic.name).toBe(`fitness-platform-prod-messaging-${topic.event}${fifo ? ".fifo" : ""}`);
    }
  });

  it("names every topic's publishers and subscribers as the catalog declares them", () => {
    for (const topic of plan.topics) {
      const publishers = Object.entries(catalog.services).filter(([, s]) => s.publishes.includes(topic.event)).map(([n]) => n);
      const subscribers = Object.entries(catalog.services).filter(([, s]) => s.subscribes.includes(topic.event)).map(([n]) => n);
      expect([...topic.publishers].sort()).toEqual(publishers.sort());
      expect([...topic.subscribers].sort()).toEqual(subscribers.sort());
      expect(topic.publishers.length).toBeGreaterThan(0);
    }
  });

  it("gives each subscribing service its own queue and DLQ, a FIFO pair for FIFO events", () => {
    const summary = plan.queues.map((q) => [q.id, q.kind, [...q.events]]);
    expect(summary).toEqual([
      ["notifications", "standard", ["training-completed", "user-registered"]],
      ["notifications-fifo", "fifo", ["order-paid", "order-placed"]],
      ["orders", "standard", ["product-updated", "user-deleted"]],
      ["trainings", "standard", ["user-deleted"]],
    ]);
    for (const q of plan.queues) {
      const fifo = q.kind === "fifo";
      expect(q.name.endsWith(".fifo")).toBe(fifo);
      expect(q.deadLetterName.endsWith(".fifo")).toBe(fifo);
      expect(q.deadLetterName).not.toBe(q.name);
      expect(q.name.length).toBeLessThanOrEqual(80);
      expect(q.deadLetterName.length).toBeLessThanOrEqual(80);
      expect(q.maxReceiveCount).toBe(config.maxReceiveCount);
      expect(q.retentionSeconds).toBe(config.queueRetentionSeconds);
      expect(q.deadLetterRetentionSeconds).toBe(config.deadLetterRetentionSeconds);
      expect(q.visibilityTimeoutSeconds).toBe(config.visibilityTimeoutSeconds);
    }
    // Services that subscribe to nothing own no queue.
    expect(queuesOf(plan, "users")).toEqual([]);
    expect(queuesOf(plan, "catalog")).toEqual([]);
  });

  it("subscribes every (service, event) pair once, raw, to the queue of the matching kind", () => {
    const expected = Object.entries(catalog.services).flatMap(([service, s]) => s.subscribes.map((event) => `${event}->${service}`));
    expect(plan.subscriptions.map((s) => `${s.event}->${s.service}`).sort()).toEqual(expected.sort());
    for (const sub of plan.subscriptions) {
      const queue = plan.queues.find((q) => q.id === sub.queueId);
      const topic = plan.topics.find((t) => t.event === sub.event);
      expect(queue?.service).toBe(sub.service);
      expect(queue?.kind === "fifo").toBe(topic?.fifo);
      expect(sub.rawMessageDelivery).toBe(true);
      expect(sub.filterPolicy).toBeUndefined();
    }
  });

  it("lets each service publish exactly the topics it declares", () => {
    expect(topicsPublishedBy(plan, "users").map((t) => t.event)).toEqual(["user-deleted", "user-registered"]);
    expect(topicsPublishedBy(plan, "orders").map((t) => t.event)).toEqual(["order-paid", "order-placed"]);
    expect(topicsPublishedBy(plan, "notifications")).toEqual([]);
    expect(messagingServices(plan)).toEqual(["catalog", "notifications", "orders", "trainings", "users"]);
  });

  it("is deterministic and independent of the catalog's order", () => {
    const reversed = catalogSchema.parse({
      events: Object.fromEntries(Object.entries(catalog.events).reverse()),
      services: Object.fromEntries(Object.entries(catalog.services).reverse()),
    });
    expect(planTopology(scope, reversed, config)).toEqual(plan);
  });

  it("plans alarms per queue: DLQ depth above zero, oldest message over the threshold", () => {
    const queue = plan.queues[0];
    if (queue === undefined) throw new Error("no queue");
    const alarms = planQueueAlarms(queue, config.oldestMessageAlarmSeconds);
    expect(alarms.map((a) => [a.kind, a.queueName, a.metricName, a.comparisonOperator, a.threshold])).toEqual([
      ["dead-letters", queue.deadLetterName, "ApproximateNumberOfMessagesVisible", "GreaterThanThreshold", 0],
      ["oldest-message", queue.name, "ApproximateAgeOfOldestMessage", "GreaterThanThreshold", config.oldestMessageAlarmSeconds],
    ]);
  });
});

describe("messaging topology of other catalogs", () => {
  const config = messagingConfig("dev");

  it("turns a new event into a topic with its subscriptions, filter policy included", () => {
    const catalog = catalogWith({
      events: { "achievement-unlocked": { description: "A user reached a training milestone.", fifo: false } },
    });
    const trainings = catalog.services.trainings;
    const orders = catalog.services.orders;
    const notifications = catalog.services.notifications;
    if (!trainings || !orders || !notifications) throw new Error("catalog changed");
    trainings.publishes.push("achievement-unlocked");
    notifications.subscribes.push("achievement-unlocked");
    orders.subscribes.push("achievement-unlocked");
    orders.filters["achievement-unlocked"] = { level: ["gold", { prefix: "platinum" }] };
    const plan = planTopology({ project: "fitness-platform", stack: "dev" }, catalog, config);

    const topic = plan.topics.find((t) => t.event === "achievement-unlocked");
    expect(topic).toMatchObject({ name: "fitness-platform-dev-messaging-achievement-unlocked", fifo: false, publishers: ["trainings"] });
    const subs = plan.subscriptions.filter((s) => s.event === "achievement-unlocked");
    expect(subs.map((s) => [s.service, s.queueId, s.filterPolicy])).toEqual([
      ["notifications", "notifications", undefined],
      ["orders", "orders", JSON.stringify({ level: ["gold", { prefix: "platinum" }] })],
    ]);
    expect(plan.queues.find((q) => q.id === "orders")?.events).toContain("achievement-unlocked");
  });

  it("keeps names within SQS's 80 characters for long service names, with distinct DLQs", () => {
    const long = "a-service-with-a-really-quite-remarkably-long-name-for-testing";
    const base = committedCatalog();
    const template = base.services.notifications;
    if (!template) throw new Error("catalog changed");
    const catalog = catalogWith({ services: { [long]: { ...template, subscribes: ["order-paid", "user-registered"] } } });
    const plan = planTopology({ project: "fitness-platform", stack: "prod" }, catalog, config);
    const queues = queuesOf(plan, long);
    expect(queues.map((q) => q.kind)).toEqual(["standard", "fifo"]);
    for (const q of queues) {
      for (const name of [q.name, q.deadLetterName]) {
        expect(name.length).toBeLessThanOrEqual(80);
        expect(name.endsWith(".fifo")).toBe(q.kind === "fifo");
      }
      expect(q.name).not.toBe(q.deadLetterName);
    }
  });
});
