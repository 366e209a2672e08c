import type { NotificationsConfig } from "../config/sections/messaging";
import { type ArnScope, partitionOf, type PolicyStatement, viaService } from "./iam-document";
import { CONSUME_ACTIONS } from "./resource-policies";

/**
 * Identity-side grants (CDK's `grant*` idea): the IAM statements a service's pod identity needs to use
 * a messaging resource, built by the resource that owns it. Pure: ARNs come in as strings. The key use
 * is pinned with `kms:ViaService`, so a grant to decrypt queue messages is not a grant to decrypt
 * anything else under the messaging key.
 */

/** Publish to exactly these topics (SNS encrypts each message with the messaging key on the caller's behalf). */
export function publishGrant(topicArns: readonly string[], keyArn: string, region: string): PolicyStatement[] {
  if (topicArns.length === 0) return [];
  return [
    { Sid: "PublishDeclaredEvents", Effect: "Allow", Action: ["sns:Publish"], Resource: [...topicArns].sort() },
    {
      Sid: "EncryptEventsThroughSns",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: keyArn,
      Condition: { StringEquals: { "kms:ViaService": viaService("sns", region) } },
    },
  ];
}

/** Receive, delete and extend the visibility of messages on exactly these queues (never their DLQs). */
export function consumeGrant(queueArns: readonly string[], keyArn: string, region: string): PolicyStatement[] {
  if (queueArns.length === 0) return [];
  return [
    { Sid: "ConsumeOwnQueues", Effect: "Allow", Action: [...CONSUME_ACTIONS], Resource: [...queueArns].sort() },
    {
      Sid: "DecryptOwnMessagesThroughSqs",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: keyArn,
      Condition: { StringEquals: { "kms:ViaService": viaService("sqs", region) } },
    },
  ];
}

export interface NotificationGrantInput {
  readonly scope: ArnScope;
  readonly keyArn: string;
  /** Secrets Manager secret holding the SES SMTP credentials. */
  readonly smtpSecretArn: string;
  readonly push: NotificationsConfig["push"];
}

/** SNS platform application ARN: `arn:aws:sns:<region>:<account>:app/<PLATFORM>/<name>`. */
export function platformApplicationArn(scope: ArnScope, platform: string, name: string): string {
  return `arn:${partitionOf(scope.region)}:sns:${scope.region}:${scope.accountId}:app/${platform}/${name}`;
}

/** Endpoints (devices) registered under a platform application: `...:endpoint/<PLATFORM>/<name>/<id>`. */
export function platformEndpointArns(scope: ArnScope, platform: string, name: string): string {
  return `arn:${partitionOf(scope.region)}:sns:${scope.region}:${scope.accountId}:endpoint/${platform}/${name}/*`;
}

/**
 * The notifications service's extra rights: read the SMTP credentials it sends e-mail with (SES SMTP
 * through the `email-smtp` endpoint), register devices with the push applications and publish to
 * their endpoints only (SNS mobile push through the `sns` endpoint; never to topics or phone numbers).
 */
export function notificationGrant(input: NotificationGrantInput): PolicyStatement[] {
  const { scope, keyArn, smtpSecretArn, push } = input;
  const statements: PolicyStatement[] = [
    { Sid: "ReadSmtpCredentials", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: smtpSecretArn },
    {
      Sid: "DecryptSmtpCredentials",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: keyArn,
      Condition: { StringEquals: { "kms:ViaService": viaService("secretsmanager", scope.region) } },
    },
  ];
  const apps = [...push.applications].sort((a, b) => `${a.platform}/${a.name}`.localeCompare(`${b.platform}/${b.name}`));
  if (apps.length > 0) {
    statements.push(
      {
        Sid: "RegisterPushDevices",
        Effect: "Allow",
        Action: ["sns:CreatePlatformEndpoint"],
        Resource: apps.map((a) => platformApplicationArn(scope, a.platform, a.name)),
      },
      {
        Sid: "PushToRegisteredDevices",
        Effect: "Allow",
        Action: ["sns:Publish", "sns:GetEndpointAttributes", "sns:SetEndpointAttributes", "sns:DeleteEndpoint"],
        Resource: apps.map((a) => platformEndpointArns(scope, a.platform, a.name)),
      },
    );
  }
  return statements;
}

/**
 * What the SMTP sending identity may do: send raw mail (what the SMTP interface performs) from the
 * configured identity and From address only.
 */
export function smtpSendGrant(identityArn: string, fromAddress: string): PolicyStatement[] {
  return [
    {
      Sid: "SendAsNotificationsIdentity",
      Effect: "Allow",
      Action: ["ses:SendRawEmail"],
      Resource: identityArn,
      Condition: { StringEquals: { "ses:FromAddress": fromAddress } },
    },
  ];
}
