import { describe, expect, it } from "vitest";
import { consumeGrant, notificationGrant, publishGrant, smtpSendGrant } from "../../src/messaging/grants";
import type { PolicyDocument, PolicyStatement } from "../../src/messaging/iam-document";
import {
  deadLetterQueuePolicy,
  eventTopicPolicy,
  messagingKeyPolicy,
  operationsTopicPolicy,
  redriveAllowPolicy,
  redrivePolicy,
  serviceQueuePolicy,
} from "../../src/messaging/resource-policies";

const scope = { region: "eu-central-1", accountId: "222222222222" };
const KEY = "arn:aws:kms:eu-central-1:222222222222:key/0000";
const topic = (event: string) => `arn:aws:sns:eu-central-1:222222222222:fitness-platform-prod-messaging-${event}`;
const queue = (name: string) => `arn:aws:sqs:eu-central-1:222222222222:fitness-platform-prod-messaging-${name}`;

const list = (v: string | readonly string[]): readonly string[] => (typeof v === "string" ? [v] : v);
function glob(pattern: string, value: string): boolean {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(value);
}
/** An identity policy allows action on resource: some Allow matches and no unconditional Deny does. */
function allows(statements: readonly PolicyStatement[], action: string, resource: string): boolean {
  const matches = (s: PolicyStatement) => s.Action.some((a) => glob(a, action)) && list(s.Resource).some((r) => glob(r, resource));
  return !statements.some((s) => s.Effect === "Deny" && s.Condition === undefined && matches(s)) && statements.some((s) => s.Effect === "Allow" && matches(s));
}
const allowStatements = (doc: PolicyDocument) => doc.Statement.filter((s) => s.Effect === "Allow");
const isWildcard = (s: PolicyStatement) => s.Principal === "*" || (typeof s.Principal === "object" && list(s.Principal.AWS ?? []).includes("*"));

describe("grants (identity side)", () => {
  it("publish grant covers exactly the given topics, and encryption only through SNS", () => {
    const statements = publishGrant([topic("user-registered"), topic("user-deleted")], KEY, scope.region);
    expect(allows(statements, "sns:Publish", topic("user-registered"))).toBe(true);
    expect(allows(statements, "sns:Publish", topic("user-deleted"))).toBe(true);
    expect(allows(statements, "sns:Publish", topic("training-completed"))).toBe(false);
    expect(allows(statements, "sns:Subscribe", topic("user-registered"))).toBe(false);
    const kms = statements.find((s) => s.Action.includes("kms:GenerateDataKey"));
    expect(kms?.Resource).toBe(KEY);
    expect(kms?.Condition).toEqual({ StringEquals: { "kms:ViaService": "sns.eu-central-1.amazonaws.com" } });
    expect(publishGrant([], KEY, scope.region)).toEqual([]);
  });

  it("consume grant covers receive/delete/visibility on the own queue, never its DLQ or another queue", () => {
    const statements = consumeGrant([queue("orders-queue")], KEY, scope.region);
    for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]) {
      expect(allows(statements, action, queue("orders-queue"))).toBe(true);
      expect(allows(statements, action, queue("orders-dlq"))).toBe(false);
      expect(allows(statements, action, queue("trainings-queue"))).toBe(false);
    }
    expect(allows(statements, "sqs:SendMessage", queue("orders-queue"))).toBe(false);
    expect(allows(statements, "sqs:PurgeQueue", queue("orders-queue"))).toBe(false);
    const kms = statements.find((s) => s.Action.includes("kms:Decrypt"));
    expect(kms?.Action).toEqual(["kms:Decrypt"]);
    expect(kms?.Condition).toEqual({ StringEquals: { "kms:ViaService": "sqs.eu-central-1.amazonaws.com" } });
  });

  it("notification grant reads only the SMTP secret and pushes only to device endpoints of the configured apps", () => {
    const secret = "arn:aws:secretsmanager:eu-central-1:222222222222:secret:smtp-AbCdEf";
    const statements = notificationGrant({
      scope,
      keyArn: KEY,
      smtpSecretArn: secret,
      push: { applications: [{ platform: "GCM", name: "fitness-android" }, { platform: "APNS", name: "fitness-ios" }] },
    });
    expect(allows(statements, "secretsmanager:GetSecretValue", secret)).toBe(true);
    expect(allows(statements, "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-central-1:222222222222:secret:other-XyZ")).toBe(false);
    const device = "arn:aws:sns:eu-central-1:222222222222:endpoint/APNS/fitness-ios/1c2b3a";
    expect(allows(statements, "sns:Publish", device)).toBe(true);
    expect(allows(statements, "sns:Publish", "arn:aws:sns:eu-central-1:222222222222:endpoint/APNS/other-app/1c2b3a")).toBe(false);
    expect(allows(statements, "sns:Publish", topic("user-registered"))).toBe(false);
    expect(allows(statements, "sns:CreatePlatformEndpoint", "arn:aws:sns:eu-central-1:222222222222:app/GCM/fitness-android")).toBe(true);
    expect(allows(statements, "ses:SendRawEmail", "*")).toBe(false);
    expect(statements.some((s) => list(s.Resource).includes("*"))).toBe(false);
  });

  it("SMTP sender may send raw mail only as the identity and From address", () => {
    const identity = "arn:aws:ses:eu-central-1:222222222222:identity/fitness.example.com";
    const [statement] = smtpSendGrant(identity, "no-reply@fitness.example.com");
    expect(statement).toEqual({
      Sid: "SendAsNotificationsIdentity",
      Effect: "Allow",
      Action: ["ses:SendRawEmail"],
      Resource: identity,
      Condition: { StringEquals: { "ses:FromAddress": "no-reply@fitness.example.com" } },
    });
  });
});

describe("resource policies", () => {
  it("key policy: root administers, SNS and CloudWatch only for this account, no wildcard principal", () => {
    const doc = messagingKeyPolicy(scope);
    expect(doc.Statement.some(isWildcard)).toBe(false);
    const sns = doc.Statement.find((s) => typeof s.Principal === "object" && s.Principal.Service === "sns.amazonaws.com");
    expect(sns?.Condition).toEqual({ StringEquals: { "aws:SourceAccount": "222222222222" } });
    expect(sns?.Action).toEqual(["kms:GenerateDataKey*", "kms:Decrypt"]);
    const cw = doc.Statement.find((s) => typeof s.Principal === "object" && s.Principal.Service === "cloudwatch.amazonaws.com");
    expect(cw?.Condition).toEqual({ StringEquals: { "aws:SourceAccount": "222222222222" } });
    const root = doc.Statement.find((s) => typeof s.Principal === "object" && s.Principal.AWS !== undefined);
    expect(root?.Principal).toEqual({ AWS: "arn:aws:iam::222222222222:root" });
  });

  it("queue policy admits SNS only from the feeding topics, denies non-TLS, and optionally other consumers", () => {
    const doc = serviceQueuePolicy(queue("orders-queue"), [topic("user-deleted"), topic("product-updated")]);
    expect(allowStatements(doc).some(isWildcard)).toBe(false);
    const send = doc.Statement.find((s) => s.Sid === "SubscribedTopicsSend");
    expect(send?.Principal).toEqual({ Service: "sns.amazonaws.com" });
    expect(send?.Action).toEqual(["sqs:SendMessage"]);
    expect(send?.Condition).toEqual({ ArnEquals: { "aws:SourceArn": [topic("product-updated"), topic("user-deleted")] } });
    const tls = doc.Statement.find((s) => s.Sid === "DenyInsecureTransport");
    expect(tls).toMatchObject({ Effect: "Deny", Principal: "*", Action: ["sqs:*"], Condition: { Bool: { "aws:SecureTransport": "false" } } });
    expect(doc.Statement.some((s) => s.Sid === "DenyConsumeByOthers")).toBe(false);

    const owned = serviceQueuePolicy(queue("orders-queue"), [topic("user-deleted")], "arn:aws:iam::222222222222:role/orders");
    const deny = owned.Statement.find((s) => s.Sid === "DenyConsumeByOthers");
    expect(deny?.Condition).toEqual({ ArnNotEquals: { "aws:PrincipalArn": "arn:aws:iam::222222222222:role/orders" } });
    // Redriving a DLQ back into the queue sends with the operator's rights: SendMessage is never denied.
    expect(owned.Statement.filter((s) => s.Effect === "Deny" && s.Sid !== "DenyInsecureTransport").flatMap((s) => s.Action)).not.toContain("sqs:SendMessage");
  });

  it("topic policies deny non-TLS and other accounts, and undeclared publishers once roles are known", () => {
    const doc = eventTopicPolicy(topic("order-placed.fifo"), scope);
    expect(allowStatements(doc)).toEqual([]);
    expect(doc.Statement.find((s) => s.Sid === "DenyInsecureTransport")?.Action).toContain("sns:Publish");
    expect(doc.Statement.find((s) => s.Sid === "DenyPublishFromOtherAccounts")?.Condition).toEqual({
      StringNotEquals: { "aws:PrincipalAccount": "222222222222" },
    });
    const withRoles = eventTopicPolicy(topic("order-placed.fifo"), scope, ["arn:aws:iam::222222222222:role/orders"]);
    expect(withRoles.Statement.find((s) => s.Sid === "DenyPublishByUndeclaredPublishers")?.Condition).toEqual({
      ArnNotEquals: { "aws:PrincipalArn": ["arn:aws:iam::222222222222:role/orders"] },
    });

    const ops = operationsTopicPolicy(topic("alarms"), scope);
    const cw = allowStatements(ops);
    expect(cw).toHaveLength(1);
    expect(cw[0]?.Principal).toEqual({ Service: "cloudwatch.amazonaws.com" });
    expect(cw[0]?.Condition).toEqual({
      StringEquals: { "aws:SourceAccount": "222222222222" },
      ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:eu-central-1:222222222222:alarm:*" },
    });
  });

  it("DLQ: only its source queue may dead-letter into it; redrive carries the max receive count", () => {
    expect(allowStatements(deadLetterQueuePolicy(queue("orders-dlq")))).toEqual([]);
    expect(JSON.parse(redriveAllowPolicy(queue("orders-queue")))).toEqual({ redrivePermission: "byQueue", sourceQueueArns: [queue("orders-queue")] });
    expect(JSON.parse(redrivePolicy(queue("orders-dlq"), 5))).toEqual({ deadLetterTargetArn: queue("orders-dlq"), maxReceiveCount: 5 });
  });

  it("uses the partition of the region", () => {
    const doc = messagingKeyPolicy({ region: "cn-north-1", accountId: "222222222222" });
    expect(doc.Statement[0]?.Principal).toEqual({ AWS: "arn:aws-cn:iam::222222222222:root" });
  });
});
