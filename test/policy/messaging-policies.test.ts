import { beforeAll, describe, expect, it } from "vitest";
import { messagingPolicies } from "../../policy/messaging/policies";
import { consumeGrant, notificationGrant, publishGrant } from "../../src/messaging/grants";
import type { PolicyStatement } from "../../src/messaging/iam-document";
import { runAudit } from "../../src/offline/audit/runner";
import type { ViolationRecord } from "../../src/offline/audit/types";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { setProp as setBoth } from "../support/snapshot-edit";
import { ROOT } from "../support/stack-config";

/**
 * MSG-01..MSG-05 through the offline auditor (the engine's semantics), against the real dev and prod
 * stacks and against crafted violations made by editing a copy of the dev snapshot.
 */
type Json = Record<string, unknown>;
const NOW = new Date("2026-11-24T12:00:00Z");
const snapshots: Record<string, StackExport> = {};

beforeAll(async () => {
  for (const stack of ["dev", "prod"]) snapshots[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
});

async function violations(snapshot: StackExport, id?: string): Promise<ViolationRecord[]> {
  const result = await runAudit(snapshot, { policies: messagingPolicies, now: NOW });
  return result.violations.filter((v) => id === undefined || v.policy === id);
}
const messages = async (snapshot: StackExport, id: string) => (await violations(snapshot, id)).map((v) => v.message);

const copy = (stack = "dev"): StackExport => structuredClone(snapshots[stack] as StackExport);
function find(s: StackExport, type: string, name: string): ResourceState {
  const r = s.deployment.resources.find((x) => x.type === type && x.urn.endsWith(`::${name}`));
  if (r === undefined) throw new Error(`no ${type} ${name}`);
  return r;
}
/** Sets (or, with undefined, removes) a property in inputs and outputs, dropping its dependencies. */
function setProp(r: ResourceState, key: string, value: unknown): void {
  setBoth(r, key, value);
  if (r.propertyDependencies) delete r.propertyDependencies[key];
}
const prop = (r: ResourceState, key: string): unknown => (r.outputs ?? r.inputs ?? {})[key];
const policyOf = (r: ResourceState) => JSON.parse(String(prop(r, "policy"))) as { Version: string; Statement: Json[] };

const QUEUE = "aws:sqs/queue:Queue";
const TOPIC = "aws:sns/topic:Topic";
const D = "fitness-platform-dev-messaging";

/** A service role (tagged `service`) with one RolePolicy holding `statements`, as SERVICES will create them. */
function addRole(s: StackExport, service: string, statements: readonly PolicyStatement[], suffix = ""): string {
  const name = `fitness-platform-dev-${service}${suffix}`;
  const arn = `arn:aws:iam::111111111111:role/${name}`;
  const roleUrn = `urn:pulumi:dev::fitness-platform::aws:iam/role:Role::${name}`;
  const role = { name, tags: { service } };
  s.deployment.resources.push({ urn: roleUrn, custom: true, type: "aws:iam/role:Role", id: name, inputs: role, outputs: { ...role, arn, id: name } });
  if (statements.length > 0) {
    const policy = { role: name, name: "messaging", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) };
    s.deployment.resources.push({
      urn: `urn:pulumi:dev::fitness-platform::aws:iam/rolePolicy:RolePolicy::${name}-messaging`,
      custom: true,
      type: "aws:iam/rolePolicy:RolePolicy",
      id: `${name}:messaging`,
      inputs: policy,
      outputs: { ...policy, id: `${name}:messaging` },
      dependencies: [roleUrn],
      propertyDependencies: { role: [roleUrn] },
    });
  }
  return arn;
}

/**
 * Removes the service roles the program creates (tagged `service`) and everything attached to them, so a
 * test can stage exactly the grants it reasons about.
 */
function withoutServiceRoles(s: StackExport): void {
  const roles = new Set(
    s.deployment.resources
      .filter((r) => r.type === "aws:iam/role:Role" && typeof (prop(r, "tags") as Json | undefined)?.service === "string")
      .map((r) => r.urn),
  );
  s.deployment.resources = s.deployment.resources.filter(
    (r) => !roles.has(r.urn) && !(r.type.startsWith("aws:iam/") && (r.dependencies ?? []).some((d) => roles.has(d))),
  );
}

/** The grants the Messaging component gives each service, computed from the snapshot's ARNs. */
function grantedRoles(s: StackExport): void {
  const arn = (type: string, name: string) => String(prop(find(s, type, name), "arn"));
  const key = arn("aws:kms/key:Key", "messaging-key");
  const topics = (...events: string[]) => events.map((e) => arn(TOPIC, `messaging-${e}`));
  const queues = (...ids: string[]) => ids.map((id) => arn(QUEUE, `messaging-${id}`));
  const region = "eu-central-1";
  addRole(s, "users", publishGrant(topics("user-registered", "user-deleted"), key, region));
  addRole(s, "trainings", [...publishGrant(topics("training-completed"), key, region), ...consumeGrant(queues("trainings"), key, region)]);
  addRole(s, "catalog", publishGrant(topics("product-updated"), key, region));
  addRole(s, "orders", [...publishGrant(topics("order-placed", "order-paid"), key, region), ...consumeGrant(queues("orders"), key, region)]);
  const secret = arn("aws:secretsmanager/secret:Secret", "messaging-notifications-ses-smtp");
  addRole(s, "notifications", [
    ...consumeGrant(queues("notifications", "notifications-fifo"), key, region),
    ...notificationGrant({ scope: { region, accountId: "111111111111" }, keyArn: key, smtpSecretArn: secret, push: { applications: [] } }),
  ]);
}

describe("the real stacks", () => {
  it.each(["dev", "prod"])("%s passes MSG-01..MSG-05, each of them applying", async (stack) => {
    const result = await runAudit(snapshots[stack] as StackExport, { policies: messagingPolicies, now: NOW });
    expect(result.violations).toEqual([]);
    expect(result.policies.map((p) => [p.id, p.notApplicable])).toEqual([
      ["MSG-01", undefined],
      ["MSG-02", undefined],
      ["MSG-03", undefined],
      ["MSG-04", undefined],
      ["MSG-05", undefined],
    ]);
  });

  it("passes with every service's role holding exactly the grants Messaging hands out", async () => {
    const s = copy();
    grantedRoles(s);
    expect(await violations(s)).toEqual([]);
  });
});

describe("MSG-01 customer-managed encryption", () => {
  it("fails an unencrypted dead-letter queue and a topic on the AWS-managed key", async () => {
    const s = copy();
    setProp(find(s, QUEUE, "messaging-orders-dlq"), "kmsMasterKeyId", undefined);
    setProp(find(s, TOPIC, "messaging-user-registered"), "kmsMasterKeyId", "alias/aws/sns");
    expect((await messages(s, "MSG-01")).sort()).toEqual([
      `SNS topic "${D}-user-registered" is not encrypted with a customer-managed KMS key (kmsMasterKeyId is unset or an AWS-managed key).`,
      `SQS queue "${D}-orders-dlq" is not encrypted with a customer-managed KMS key (kmsMasterKeyId is unset or an AWS-managed key).`,
    ]);
  });
});

describe("MSG-02 queue and topic policies, dead-letter queues", () => {
  it("fails a queue policy that allows anyone", async () => {
    const s = copy();
    const qp = find(s, "aws:sqs/queuePolicy:QueuePolicy", "messaging-orders");
    const doc = policyOf(qp);
    doc.Statement.push({ Sid: "Open", Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*" });
    setProp(qp, "policy", JSON.stringify(doc));
    expect(await messages(s, "MSG-02")).toEqual([
      `SQS queue "${D}-orders-queue": policy statement "Open" allows a wildcard principal; name the service principal (with aws:SourceArn) or this account's roles.`,
    ]);
  });

  it("fails a topic whose policy does not deny plain transport", async () => {
    const s = copy();
    const tp = find(s, "aws:sns/topicPolicy:TopicPolicy", "messaging-user-deleted");
    const doc = policyOf(tp);
    setProp(tp, "policy", JSON.stringify({ ...doc, Statement: doc.Statement.filter((st) => st.Sid !== "DenyInsecureTransport") }));
    expect(await messages(s, "MSG-02")).toEqual([
      `SNS topic "${D}-user-deleted" has no policy statement denying requests without TLS (Deny to "*" when aws:SecureTransport is false).`,
    ]);
  });

  it("fails a queue without a dead-letter queue", async () => {
    const s = copy();
    setProp(find(s, QUEUE, "messaging-trainings"), "redrivePolicy", undefined);
    const found = await messages(s, "MSG-02");
    expect(found).toContain(`SQS queue "${D}-trainings-queue" has no dead-letter queue (redrivePolicy); failed messages would loop or expire unseen.`);
  });

  it("fails a FIFO queue dead-lettering into a standard queue, and a DLQ outside the stack", async () => {
    const s = copy();
    const fifo = find(s, QUEUE, "messaging-notifications-fifo");
    const standardDlq = find(s, QUEUE, "messaging-notifications-dlq");
    setProp(fifo, "redrivePolicy", JSON.stringify({ deadLetterTargetArn: prop(standardDlq, "arn"), maxReceiveCount: 5 }));
    setProp(find(s, QUEUE, "messaging-orders"), "redrivePolicy", JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:eu-central-1:999999999999:elsewhere", maxReceiveCount: 5 }));
    const found = await messages(s, "MSG-02");
    expect(found).toContain(`SQS queue "${D}-notifications-queue.fifo" dead-letters into SQS queue "${D}-notifications-dlq" of the other kind (FIFO and standard do not mix).`);
    expect(found).toContain(`SQS queue "${D}-orders-queue" dead-letters into arn:aws:sqs:eu-central-1:999999999999:elsewhere, which is not a queue of this stack.`);
  });
});

describe("MSG-03 subscriptions target this stack's queues", () => {
  it("fails a subscription to a queue of another account, and an https subscription on an event topic", async () => {
    const s = copy();
    setProp(find(s, "aws:sns/topicSubscription:TopicSubscription", "messaging-orders-user-deleted"), "endpoint", "arn:aws:sqs:eu-central-1:999999999999:exfil");
    setProp(find(s, "aws:sns/topicSubscription:TopicSubscription", "messaging-trainings-user-deleted"), "protocol", "https");
    expect(await messages(s, "MSG-03")).toEqual([
      `subscription "messaging-orders-user-deleted" of SNS topic "${D}-user-deleted" delivers to arn:aws:sqs:eu-central-1:999999999999:exfil, which is not a queue of this stack.`,
      `subscription "messaging-trainings-user-deleted" of SNS topic "${D}-user-deleted" uses protocol https; event topics deliver to this stack's SQS queues only.`,
    ]);
  });
});

describe("MSG-04 every subscribed event has a publisher", () => {
  it("fails a subscribed topic that nobody declares or may publish", async () => {
    const s = copy();
    withoutServiceRoles(s);
    const topic = find(s, TOPIC, "messaging-user-deleted");
    const tags = { ...(prop(topic, "tags") as Record<string, string>) };
    delete tags.publishers;
    setProp(topic, "tags", tags);
    expect(await messages(s, "MSG-04")).toEqual([
      `SNS topic "${D}-user-deleted" has subscribers but no publisher: no service declares it and no service role may publish to it.`,
    ]);
  });

  it("fails when the rights and the catalog disagree about who publishes", async () => {
    const s = copy();
    withoutServiceRoles(s);
    grantedRoles(s);
    // users' role loses its grant; trainings gets one it does not declare.
    s.deployment.resources = s.deployment.resources.filter((r) => !r.urn.endsWith("::fitness-platform-dev-users-messaging"));
    const key = String(prop(find(s, "aws:kms/key:Key", "messaging-key"), "arn"));
    addRole(s, "trainings", publishGrant([String(prop(find(s, TOPIC, "messaging-user-deleted"), "arn"))], key, "eu-central-1"), "-extra");
    expect((await messages(s, "MSG-04")).sort()).toEqual([
      `SNS topic "${D}-user-deleted" names users as publisher, but no role of users ("fitness-platform-dev-users") may publish to it.`,
      `SNS topic "${D}-user-registered" names users as publisher, but no role of users ("fitness-platform-dev-users") may publish to it.`,
      `role "fitness-platform-dev-trainings-extra" of service trainings may publish to SNS topic "${D}-user-deleted" but the catalog does not declare it as a publisher of user-deleted.`,
    ]);
  });
});

describe("MSG-05 no service consumes another service's queue", () => {
  it("fails a role granted receive on another service's queue, and a wildcard consume grant", async () => {
    const s = copy();
    grantedRoles(s);
    const notificationsQueue = String(prop(find(s, QUEUE, "messaging-notifications"), "arn"));
    addRole(s, "orders", [{ Effect: "Allow", Action: ["sqs:ReceiveMessage"], Resource: notificationsQueue }], "-extra");
    addRole(s, "catalog", [{ Effect: "Allow", Action: ["sqs:Receive*", "sqs:DeleteMessage"], Resource: "arn:aws:sqs:eu-central-1:111111111111:*-dlq" }], "-extra");
    expect((await messages(s, "MSG-05")).sort()).toEqual([
      `role "fitness-platform-dev-catalog-extra" of service catalog can sqs:ReceiveMessage, sqs:DeleteMessage on SQS queue "${D}-notifications-dlq", which belongs to notifications.`,
      `role "fitness-platform-dev-catalog-extra" of service catalog can sqs:ReceiveMessage, sqs:DeleteMessage on SQS queue "${D}-orders-dlq", which belongs to orders.`,
      `role "fitness-platform-dev-catalog-extra" of service catalog can sqs:ReceiveMessage, sqs:DeleteMessage on SQS queue "${D}-trainings-dlq", which belongs to trainings.`,
      `role "fitness-platform-dev-orders-extra" of service orders can sqs:ReceiveMessage on SQS queue "${D}-notifications-queue", which belongs to notifications.`,
    ]);
  });

  it("fails a queue policy that admits another service's role to consume", async () => {
    const s = copy();
    const ordersRole = addRole(s, "orders", []);
    const qp = find(s, "aws:sqs/queuePolicy:QueuePolicy", "messaging-trainings");
    const doc = policyOf(qp);
    doc.Statement.push({ Sid: "Share", Effect: "Allow", Principal: { AWS: ordersRole }, Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage"], Resource: prop(find(s, QUEUE, "messaging-trainings"), "arn") });
    setProp(qp, "policy", JSON.stringify(doc));
    expect(await messages(s, "MSG-05")).toEqual([
      `the policy of SQS queue "${D}-trainings-queue" (statement "Share") lets role "fitness-platform-dev-orders" of service orders sqs:ReceiveMessage, sqs:DeleteMessage; the queue belongs to trainings.`,
    ]);
  });
});
