import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseYaml, renderYaml } from "../../src/config/yaml-reader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Catalog, catalogSchema } from "../../src/config/catalog-schema";
import { messagingSchema } from "../../src/config/sections/messaging";
import { synthesize } from "../../src/offline/engine/synthesize";
import { type ResourceState, SECRET_SIG_KEY, SECRET_SIG_VALUE, type StackExport } from "../../src/offline/snapshot/types";
import { committedCatalogText, committedConfigData, ROOT } from "../support/stack-config";

/**
 * The messaging graph of the real program, evaluated for dev and prod under the offline engine:
 * topics, queues, DLQs, subscriptions, policies, alarms, keyed to the committed catalog. A temporary
 * catalog with one more event proves that the catalog alone drives the topology.
 */
type Props = Record<string, unknown>;
const props = (r: ResourceState): Props => ({ ...(r.inputs ?? {}), ...(r.outputs ?? {}) });
const ofType = (s: StackExport, type: string) => s.deployment.resources.filter((r) => r.type === type);
const tags = (r: ResourceState) => (props(r).tags ?? {}) as Record<string, string>;
const str = (v: unknown): string => {
  if (typeof v !== "string") throw new Error(`expected a string, got ${JSON.stringify(v)}`);
  return v;
};
const json = (v: unknown): { Statement: Array<Record<string, unknown>> } => JSON.parse(str(v)) as { Statement: Array<Record<string, unknown>> };

const catalog: Catalog = catalogSchema.parse(parseYaml(committedCatalogText(), "src/config/catalog.yaml"));
const snapshots: Record<string, StackExport> = {};
let extendedSnapshot: StackExport;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "messaging-catalog-"));

beforeAll(async () => {
  for (const stack of ["dev", "prod"]) snapshots[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
  // One more event, published by trainings, subscribed to by notifications and (filtered) by orders.
  const doc = parseYaml(committedCatalogText(), "src/config/catalog.yaml") as { events: Props; services: Record<string, Props & { publishes: string[]; subscribes: string[] }> };
  doc.events["achievement-unlocked"] = { description: "A user reached a training milestone." };
  doc.services.trainings?.publishes.push("achievement-unlocked");
  doc.services.notifications?.subscribes.push("achievement-unlocked");
  doc.services.orders?.subscribes.push("achievement-unlocked");
  if (doc.services.orders) doc.services.orders.filters = { "achievement-unlocked": { level: ["gold"] } };
  const file = path.join(tmp, "catalog.yaml");
  fs.writeFileSync(file, renderYaml(doc));
  extendedSnapshot = (await synthesize({ stack: "dev", projectRoot: ROOT, catalogFile: file })).snapshot;
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(["dev", "prod"])("messaging graph of %s", (stack) => {
  const config = messagingSchema.parse(committedConfigData(stack)["fitness-platform:messaging"]);
  const s = () => snapshots[stack] as StackExport;
  const key = () => {
    const keys = ofType(s(), "aws:kms/key:Key").filter((k) => k.parent?.includes("fitness:messaging:Messaging"));
    expect(keys).toHaveLength(1);
    return keys[0] as ResourceState;
  };
  const topics = () => ofType(s(), "aws:sns/topic:Topic").filter((t) => tags(t).event !== undefined);
  const queues = () => ofType(s(), "aws:sqs/queue:Queue");
  const queueByArn = (arn: unknown) => queues().find((q) => props(q).arn === arn);

  it("encrypts everything with one rotating messaging CMK whose policy has no wildcard principal", () => {
    const k = props(key());
    expect(k.enableKeyRotation).toBe(true);
    expect(k.deletionWindowInDays).toBe(30);
    for (const st of json(k.policy).Statement) expect(JSON.stringify(st.Principal)).not.toContain('"*"');
    const encrypted = [...ofType(s(), "aws:sns/topic:Topic"), ...queues()].filter((r) => r.parent?.includes("fitness:messaging"));
    expect(encrypted.length).toBeGreaterThan(0);
    for (const r of encrypted) expect(props(r).kmsMasterKeyId).toBe(k.arn);
  });

  it("has a topic per catalog event, FIFO with content-based deduplication where the catalog says so", () => {
    expect(topics().map((t) => tags(t).event).sort()).toEqual(Object.keys(catalog.events).sort());
    for (const t of topics()) {
      const event = str(tags(t).event);
      const fifo = catalog.events[event]?.fifo ?? false;
      expect(props(t).fifoTopic).toBe(fifo);
      expect(str(props(t).name)).toBe(`fitness-platform-${stack}-messaging-${event}${fifo ? ".fifo" : ""}`);
      expect(props(t).contentBasedDeduplication).toBe(fifo ? true : undefined);
    }
  });

  it("gives each subscribing service a queue per kind with a DLQ of the same kind, settings from config", () => {
    const main = queues().filter((q) => tags(q)["queue-role"] === "main");
    const expected = Object.entries(catalog.services).flatMap(([service, svc]) => {
      const kinds = new Set(svc.subscribes.map((e) => (catalog.events[e]?.fifo ? "fifo" : "standard")));
      return [...kinds].map((kind) => `${service}/${kind}`);
    });
    expect(main.map((q) => `${tags(q).service}/${props(q).fifoQueue ? "fifo" : "standard"}`).sort()).toEqual(expected.sort());
    for (const q of main) {
      const p = props(q);
      const redrive = JSON.parse(str(p.redrivePolicy)) as { deadLetterTargetArn: string; maxReceiveCount: number };
      const dlq = queueByArn(redrive.deadLetterTargetArn);
      expect(dlq, `DLQ of ${str(p.name)}`).toBeDefined();
      if (dlq === undefined) continue;
      expect(redrive.maxReceiveCount).toBe(config.maxReceiveCount);
      expect(props(dlq).fifoQueue).toBe(p.fifoQueue);
      expect(tags(dlq)).toMatchObject({ service: tags(q).service, "queue-role": "dead-letter" });
      expect(p.messageRetentionSeconds).toBe(config.queueRetentionSeconds);
      expect(p.visibilityTimeoutSeconds).toBe(config.visibilityTimeoutSeconds);
      expect(props(dlq).messageRetentionSeconds).toBe(config.deadLetterRetentionSeconds);
      // Only this queue may dead-letter into its DLQ.
      const allow = ofType(s(), "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy").find((r) => props(r).queueUrl === props(dlq).url);
      expect(JSON.parse(str(props(allow as ResourceState).redriveAllowPolicy))).toEqual({ redrivePermission: "byQueue", sourceQueueArns: [p.arn] });
    }
    expect(queues().filter((q) => tags(q)["queue-role"] === "dead-letter")).toHaveLength(main.length);
  });

  it("subscribes each service's queue to exactly the events it declares, raw, over sqs", () => {
    const subs = ofType(s(), "aws:sns/topicSubscription:TopicSubscription").filter((x) => props(x).protocol === "sqs");
    const actual = subs.map((sub) => {
      const topic = topics().find((t) => props(t).arn === props(sub).topic);
      const queue = queueByArn(props(sub).endpoint);
      expect(props(sub).rawMessageDelivery).toBe(true);
      expect(queue && tags(queue)["queue-role"]).toBe("main");
      expect(queue && props(queue).fifoQueue).toBe(topic && props(topic).fifoTopic);
      return `${topic ? tags(topic).event : "?"}->${queue ? tags(queue).service : "?"}`;
    });
    const expected = Object.entries(catalog.services).flatMap(([service, svc]) => svc.subscribes.map((e) => `${e}->${service}`));
    expect(actual.sort()).toEqual(expected.sort());
  });

  it("lets SNS send into a queue only from the topics that feed it, and denies non-TLS everywhere", () => {
    for (const qp of ofType(s(), "aws:sqs/queuePolicy:QueuePolicy")) {
      const queue = queues().find((q) => props(q).url === props(qp).queueUrl) as ResourceState;
      const statements = json(props(qp).policy).Statement;
      expect(statements.some((st) => st.Effect === "Deny" && st.Principal === "*" && JSON.stringify(st.Condition).includes('"aws:SecureTransport":"false"'))).toBe(true);
      expect(statements.filter((st) => st.Effect === "Allow" && JSON.stringify(st.Principal).includes("*"))).toEqual([]);
      if (tags(queue)["queue-role"] !== "main") continue;
      const feeding = topics()
        .filter((t) => (catalog.services[str(tags(queue).service)]?.subscribes ?? []).includes(str(tags(t).event)))
        .filter((t) => props(t).fifoTopic === props(queue).fifoQueue)
        .map((t) => props(t).arn)
        .sort();
      const send = statements.find((st) => st.Sid === "SubscribedTopicsSend");
      expect(send?.Condition).toEqual({ ArnEquals: { "aws:SourceArn": feeding } });
    }
    for (const tp of ofType(s(), "aws:sns/topicPolicy:TopicPolicy")) {
      const statements = json(props(tp).policy).Statement;
      expect(statements.some((st) => st.Sid === "DenyInsecureTransport")).toBe(true);
    }
  });

  it("alarms on every DLQ holding messages and every queue's oldest message, into the encrypted operations topic", () => {
    const ops = ofType(s(), "aws:sns/topic:Topic").find((t) => str(props(t).name) === `fitness-platform-${stack}-operations-alarms`);
    expect(ops && props(ops).kmsMasterKeyId).toBe(props(key()).arn);
    const alarms = ofType(s(), "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.parent?.includes("fitness:messaging"));
    for (const q of queues()) {
      const p = props(q);
      const dead = tags(q)["queue-role"] === "dead-letter";
      const alarm = alarms.find((a) => (props(a).dimensions as Props).QueueName === p.name);
      expect(alarm, `alarm on ${str(p.name)}`).toBeDefined();
      expect(props(alarm as ResourceState)).toMatchObject({
        namespace: "AWS/SQS",
        metricName: dead ? "ApproximateNumberOfMessagesVisible" : "ApproximateAgeOfOldestMessage",
        comparisonOperator: "GreaterThanThreshold",
        threshold: dead ? 0 : config.oldestMessageAlarmSeconds,
        alarmActions: [ops && props(ops).arn],
      });
    }
    const emails = ofType(s(), "aws:sns/topicSubscription:TopicSubscription").filter((x) => props(x).protocol === "email");
    expect(emails.map((e) => props(e).endpoint)).toEqual(config.operationsEmails);
    expect(emails.every((e) => ops !== undefined && props(e).topic === props(ops).arn)).toBe(true);
  });

  it("sends e-mail through a group-scoped SMTP identity whose credentials are a KMS-encrypted secret", () => {
    expect(ofType(s(), "aws:iam/userPolicy:UserPolicy")).toEqual([]);
    expect(ofType(s(), "aws:iam/userPolicyAttachment:UserPolicyAttachment")).toEqual([]);
    const groupPolicy = ofType(s(), "aws:iam/groupPolicy:GroupPolicy").find((g) => g.parent?.includes("NotificationDelivery")) as ResourceState;
    const identity = ofType(s(), "aws:sesv2/emailIdentity:EmailIdentity")[0] as ResourceState;
    expect(props(identity).emailIdentity).toBe(config.notifications.email.identity);
    expect(json(props(groupPolicy).policy).Statement).toEqual([
      {
        Sid: "SendAsNotificationsIdentity",
        Effect: "Allow",
        Action: ["ses:SendRawEmail"],
        Resource: props(identity).arn,
        Condition: { StringEquals: { "ses:FromAddress": config.notifications.email.fromAddress } },
      },
    ]);
    const secret = ofType(s(), "aws:secretsmanager/secret:Secret").find((x) => x.parent?.includes("NotificationDelivery")) as ResourceState;
    expect(props(secret).kmsKeyId).toBe(props(key()).arn);
    const version = ofType(s(), "aws:secretsmanager/secretVersion:SecretVersion").find((x) => x.parent?.includes("NotificationDelivery")) as ResourceState;
    // The SMTP password is written only as a sealed secret, never in plain text.
    expect(version.inputs?.secretString).toMatchObject({ [SECRET_SIG_KEY]: SECRET_SIG_VALUE });
    expect(JSON.stringify(version)).not.toMatch(/"password/);
  });

  it("exports topic ARNs and queue URLs", () => {
    const stackResource = s().deployment.resources.find((r) => r.type === "pulumi:pulumi:Stack") as ResourceState;
    const out = (stackResource.outputs?.messaging ?? {}) as { topicArns: Record<string, string>; queueUrls: Record<string, Record<string, { queue: string }>> };
    expect(Object.keys(out.topicArns).sort()).toEqual(Object.keys(catalog.events).sort());
    expect(out.queueUrls.notifications?.fifo?.queue).toMatch(/notifications-queue\.fifo$/);
    expect(out.queueUrls.users).toBeUndefined();
  });
});

describe("a new event in a temporary catalog", () => {
  it("yields its topic, its subscriptions (filter included) and the queue policies that admit it", () => {
    const s = extendedSnapshot;
    const topic = ofType(s, "aws:sns/topic:Topic").find((t) => tags(t).event === "achievement-unlocked") as ResourceState;
    expect(topic).toBeDefined();
    expect(props(topic)).toMatchObject({ name: "fitness-platform-dev-messaging-achievement-unlocked", fifoTopic: false });
    expect(tags(topic).publishers).toBe("trainings");
    const subs = ofType(s, "aws:sns/topicSubscription:TopicSubscription").filter((x) => props(x).topic === props(topic).arn);
    const byService = Object.fromEntries(
      subs.map((sub) => {
        const queue = ofType(s, "aws:sqs/queue:Queue").find((q) => props(q).arn === props(sub).endpoint) as ResourceState;
        return [tags(queue).service, props(sub)];
      }),
    );
    expect(Object.keys(byService).sort()).toEqual(["notifications", "orders"]);
    expect(byService.orders).toMatchObject({ filterPolicy: JSON.stringify({ level: ["gold"] }), filterPolicyScope: "MessageAttributes" });
    expect(byService.notifications?.filterPolicy).toBeUndefined();
    const ordersPolicy = ofType(s, "aws:sqs/queuePolicy:QueuePolicy").find((p) => str(props(p).queueUrl).endsWith("messaging-orders-queue")) as ResourceState;
    expect(JSON.stringify(json(props(ordersPolicy).policy))).toContain(str(props(topic).arn));
    // The committed stacks do not have it.
    expect(ofType(snapshots.dev as StackExport, "aws:sns/topic:Topic").some((t) => tags(t).event === "achievement-unlocked")).toBe(false);
  });
});
