import * as pulumi from "@pulumi/pulumi";
import { parseYaml } from "../../src/config/yaml-reader";
import { beforeAll, describe, expect, it } from "vitest";
import { type Catalog, catalogSchema } from "../../src/config/catalog-schema";
import { type MessagingConfig, messagingSchema } from "../../src/config/sections/messaging";
import { createContext, type PlatformContext } from "../../src/conventions/context";
import type { PolicyStatement } from "../../src/messaging/iam-document";
import type { Messaging } from "../../src/messaging/messaging";
import { committedCatalogText, committedConfigData } from "../support/stack-config";

/**
 * The rights the Messaging component hands to each service identity, checked as a property over the
 * whole catalog: a service can publish to a topic iff it declares the event, and can consume a queue
 * iff the queue is its own (never a dead-letter queue, never another service's).
 */
const ACCOUNT = "111111111111";
const REGION = "eu-central-1";

function arnFor(type: string, name: string): string | undefined {
  switch (type) {
    case "aws:sns/topic:Topic":
      return `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
    case "aws:sqs/queue:Queue":
      return `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
    case "aws:secretsmanager/secret:Secret":
      return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
    case "aws:sesv2/emailIdentity:EmailIdentity":
      return `arn:aws:ses:${REGION}:${ACCOUNT}:identity/${name}`;
    default:
      return undefined;
  }
}

const promiseOf = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

const list = (v: string | readonly string[]): readonly string[] => (typeof v === "string" ? [v] : v);
function glob(pattern: string, value: string): boolean {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(value);
}
function allows(statements: readonly PolicyStatement[], action: string, resource: string): boolean {
  return statements.some((s) => s.Effect === "Allow" && s.Action.some((a) => glob(a, action)) && list(s.Resource).some((r) => glob(r, resource)));
}

let catalog: Catalog;
let config: MessagingConfig;
let ctx: PlatformContext;
let MessagingClass: typeof Messaging;
const registered: Array<{ type: string; name: string; inputs: Record<string, unknown> }> = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        const name = typeof args.inputs.name === "string" ? args.inputs.name : typeof args.inputs.emailIdentity === "string" ? args.inputs.emailIdentity : args.name;
        const arn = args.type === "aws:kms/key:Key" ? `arn:aws:kms:${REGION}:${ACCOUNT}:key/${args.name}` : arnFor(args.type, name);
        const url = args.type === "aws:sqs/queue:Queue" ? `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}` : undefined;
        const dkim = args.type === "aws:sesv2/emailIdentity:EmailIdentity" ? { dkimSigningAttributes: { tokens: ["tok1", "tok2", "tok3"] } } : {};
        return {
          id: url ?? arn ?? `${args.name}-id`,
          state: { ...args.inputs, ...dkim, ...(arn ? { arn } : {}), ...(url ? { url } : {}), ...(args.type === "aws:kms/key:Key" ? { keyId: args.name } : {}) },
        };
      },
      call: (args) => args.inputs,
    },
    "fitness-platform",
    "dev",
    false,
  );
  // Imported after the mocks are in place, as Pulumi's testing guide does.
  MessagingClass = (await import("../../src/messaging/messaging")).Messaging;
  catalog = catalogSchema.parse(parseYaml(committedCatalogText(), "src/config/catalog.yaml"));
  config = messagingSchema.parse(committedConfigData("dev")["fitness-platform:messaging"]);
  ctx = createContext({ project: "fitness-platform", stack: "dev", environment: "dev", region: REGION, accountId: ACCOUNT });
});

describe("grants of the committed catalog", () => {
  let messaging: Messaging;
  let statements: Record<string, PolicyStatement[]>;
  let topicArns: Record<string, string>;
  let queueArns: Array<{ service: string; arn: string; dead: boolean }>;

  beforeAll(async () => {
    messaging = new MessagingClass("messaging", { ctx, config, catalog });
    statements = {};
    for (const service of Object.keys(catalog.services)) statements[service] = await promiseOf(messaging.statementsFor(service));
    topicArns = await promiseOf(messaging.topicArns());
    queueArns = [];
    for (const [service, queues] of Object.entries(messaging.queues)) {
      for (const q of queues) {
        queueArns.push({ service, arn: await promiseOf(q.queue.arn), dead: false });
        queueArns.push({ service, arn: await promiseOf(q.deadLetterQueue.arn), dead: true });
      }
    }
  });

  it("lets a service publish to exactly the topics it declares", () => {
    expect(Object.keys(topicArns).length).toBe(Object.keys(catalog.events).length);
    for (const [service, spec] of Object.entries(catalog.services)) {
      for (const [event, arn] of Object.entries(topicArns)) {
        expect(allows(statements[service] ?? [], "sns:Publish", arn), `${service} publish ${event}`).toBe(spec.publishes.includes(event));
      }
    }
    // The example the issue names: users may publish user-registered, and not training-completed.
    expect(allows(statements.users ?? [], "sns:Publish", topicArns["user-registered"] ?? "")).toBe(true);
    expect(allows(statements.users ?? [], "sns:Publish", topicArns["training-completed"] ?? "")).toBe(false);
  });

  it("lets a service consume exactly its own queues, never a dead-letter queue", () => {
    expect(queueArns.length).toBe(8);
    for (const service of Object.keys(catalog.services)) {
      for (const q of queueArns) {
        for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]) {
          expect(allows(statements[service] ?? [], action, q.arn), `${service} ${action} ${q.arn}`).toBe(q.service === service && !q.dead);
        }
      }
    }
  });

  it("names no resource by wildcard except push device endpoints, and pins key use to the calling service", () => {
    for (const [service, list_] of Object.entries(statements)) {
      for (const s of list_) {
        for (const r of list(s.Resource)) {
          expect(r === "*" || (r.includes("*") && !r.includes(":endpoint/")), `${service}: ${r}`).toBe(false);
        }
        if (s.Action.some((a) => a.startsWith("kms:"))) expect(Object.keys(s.Condition?.StringEquals ?? {})).toEqual(["kms:ViaService"]);
      }
    }
  });

  it("gives the SMTP secret and push rights to the notifications service alone", () => {
    const secretRead = (service: string) => (statements[service] ?? []).some((s) => s.Action.includes("secretsmanager:GetSecretValue"));
    const push = (service: string) => allows(statements[service] ?? [], "sns:Publish", `arn:aws:sns:${REGION}:${ACCOUNT}:endpoint/GCM/fitness-dev-android/abc`);
    for (const service of Object.keys(catalog.services)) {
      expect(secretRead(service), service).toBe(service === config.notifications.service);
      expect(push(service), service).toBe(service === config.notifications.service);
    }
  });

  it("hands each service its topic ARNs and queue URLs for its configuration", async () => {
    const orders = await promiseOf(messaging.bindingsFor("orders"));
    expect(Object.keys(orders.topics).sort()).toEqual(["order-paid", "order-placed"]);
    expect(orders.queues.map((q) => [q.kind, q.url, [...q.events]])).toEqual([
      ["standard", `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/fitness-platform-dev-messaging-orders-queue`, ["product-updated", "user-deleted"]],
    ]);
    const notifications = await promiseOf(messaging.bindingsFor("notifications"));
    expect(notifications.topics).toEqual({});
    expect(notifications.queues.map((q) => q.kind)).toEqual(["standard", "fifo"]);
    const doc = await promiseOf(messaging.policyDocumentFor("users"));
    expect(doc?.Version).toBe("2012-10-17");
  });
});

describe("with the services' roles known", () => {
  const roleArn = (service: string) => `arn:aws:iam::${ACCOUNT}:role/fitness-platform-dev-${service}`;

  it("denies publishing to undeclared principals and consuming to everyone but the owner", async () => {
    const roles = Object.fromEntries(Object.keys(catalog.services).map((s) => [s, roleArn(s)]));
    const before = registered.length;
    const messaging = new MessagingClass("messaging-with-roles", { ctx, config, catalog, serviceRoleArns: roles });
    await promiseOf(messaging.topicArns());
    await promiseOf(pulumi.all(Object.values(messaging.topics).map((t) => t.policy.policy)));
    const queuePolicies = await promiseOf(pulumi.all(Object.values(messaging.queues).flat().map((q) => q.policy.policy)));
    const mine = registered.slice(before);
    const topicPolicy = mine.find((r) => r.type === "aws:sns/topicPolicy:TopicPolicy" && r.name === "messaging-with-roles-order-placed");
    const doc = JSON.parse(String(topicPolicy?.inputs.policy)) as { Statement: PolicyStatement[] };
    expect(doc.Statement.find((s) => s.Sid === "DenyPublishByUndeclaredPublishers")?.Condition).toEqual({
      ArnNotEquals: { "aws:PrincipalArn": [roleArn("orders")] },
    });
    expect(queuePolicies).toHaveLength(4);
    for (const [service, queues] of Object.entries(messaging.queues)) {
      for (const q of queues) {
        const policy = JSON.parse(await promiseOf(q.policy.policy)) as { Statement: PolicyStatement[] };
        expect(policy.Statement.find((s) => s.Sid === "DenyConsumeByOthers")?.Condition).toEqual({ ArnNotEquals: { "aws:PrincipalArn": roleArn(service) } });
      }
    }
  });

  it("refuses a role map that misses a messaging service", () => {
    expect(() => new MessagingClass("messaging-missing", { ctx, config, catalog, serviceRoleArns: { users: roleArn("users") } })).toThrow(
      "messaging: serviceRoleArns lacks catalog, notifications, orders, trainings",
    );
  });
});

describe("SES DKIM records", () => {
  it("publishes the three Easy DKIM CNAMEs when the identity's zone is configured", async () => {
    const before = registered.length;
    const withZone = { ...config, notifications: { ...config.notifications, email: { ...config.notifications.email, hostedZoneId: "Z0DEVZONE00001" } } };
    const messaging = new MessagingClass("messaging-dkim", { ctx, config: withZone, catalog });
    const records = await promiseOf(messaging.notifications.dkimRecords);
    expect(records.map((r) => r.name)).toEqual(["tok1", "tok2", "tok3"].map((t) => `${t}._domainkey.dev.fitness.example.com`));
    await promiseOf(pulumi.all(records.map(() => messaging.urn)));
    await pulumi.runtime.disconnect();
    const cnames = registered.slice(before).filter((r) => r.type === "aws:route53/record:Record");
    expect(cnames.map((r) => [r.inputs.zoneId, r.inputs.type, r.inputs.records])).toEqual(
      ["tok1", "tok2", "tok3"].map((t) => ["Z0DEVZONE00001", "CNAME", [`${t}.dkim.amazonses.com`]]),
    );
  });
});
