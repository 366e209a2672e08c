import { denyInsecureTransport as tlsOnly } from "../conventions/iam-policy";
import { accountRootArn, type ArnScope, partitionOf, type PolicyDocument, policyDocument, type PolicyStatement } from "./iam-document";

/**
 * Resource policies of the messaging resources (MSG-02, KMS-01): who may use the key, who may send to
 * a queue, and TLS on everything. Wildcard principals appear only in Deny statements (which restrict,
 * never grant). Pure: ARNs come in as strings.
 */

const SNS_TOPIC_ACTIONS = [
  "sns:Publish",
  "sns:Subscribe",
  "sns:GetTopicAttributes",
  "sns:SetTopicAttributes",
  "sns:ListSubscriptionsByTopic",
  "sns:AddPermission",
  "sns:RemovePermission",
  "sns:DeleteTopic",
];

/** The consume rights of a queue; only its owning service holds them. */
export const CONSUME_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"] as const;

function denyInsecureTransport(actions: readonly string[], resource: string): PolicyStatement {
  return tlsOnly(actions, resource, "false");
}

/**
 * The messaging key: administered through the account's IAM (root delegation), usable by SNS to
 * encrypt into the queues and by CloudWatch to publish alarms into the encrypted operations topic,
 * both only on behalf of this account. Services get Decrypt/GenerateDataKey through their grants.
 */
export function messagingKeyPolicy(scope: ArnScope): PolicyDocument {
  const sameAccount = { StringEquals: { "aws:SourceAccount": scope.accountId } };
  return policyDocument([
    {
      Sid: "AccountAdministersKeyThroughIam",
      Effect: "Allow",
      Principal: { AWS: accountRootArn(scope) },
      Action: ["kms:*"],
      Resource: "*",
    },
    {
      Sid: "SnsEncryptsIntoQueues",
      Effect: "Allow",
      Principal: { Service: "sns.amazonaws.com" },
      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
      Resource: "*",
      Condition: sameAccount,
    },
    {
      Sid: "CloudWatchPublishesAlarms",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
      Resource: "*",
      Condition: sameAccount,
    },
  ]);
}

/**
 * An event topic: TLS only, publishing only by principals of this account; and, once the services'
 * role ARNs are known, only by the publishers the catalog declares (anyone else is denied even with
 * an IAM grant).
 */
export function eventTopicPolicy(topicArn: string, scope: ArnScope, publisherRoleArns?: readonly string[]): PolicyDocument {
  const statements: PolicyStatement[] = [
    denyInsecureTransport(SNS_TOPIC_ACTIONS, topicArn),
    {
      Sid: "DenyPublishFromOtherAccounts",
      Effect: "Deny",
      Principal: "*",
      Action: ["sns:Publish"],
      Resource: topicArn,
      Condition: { StringNotEquals: { "aws:PrincipalAccount": scope.accountId } },
    },
  ];
  if (publisherRoleArns !== undefined) {
    statements.push({
      Sid: "DenyPublishByUndeclaredPublishers",
      Effect: "Deny",
      Principal: "*",
      Action: ["sns:Publish"],
      Resource: topicArn,
      Condition: { ArnNotEquals: { "aws:PrincipalArn": [...publisherRoleArns].sort() } },
    });
  }
  return policyDocument(statements);
}

/** The operations topic takes alarms from this account's CloudWatch alarms only, over TLS. */
export function operationsTopicPolicy(topicArn: string, scope: ArnScope): PolicyDocument {
  return policyDocument([
    {
      Sid: "CloudWatchAlarmsPublish",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["sns:Publish"],
      Resource: topicArn,
      Condition: {
        StringEquals: { "aws:SourceAccount": scope.accountId },
        ArnLike: { "aws:SourceArn": `arn:${partitionOf(scope.region)}:cloudwatch:${scope.region}:${scope.accountId}:alarm:*` },
      },
    },
    denyInsecureTransport(SNS_TOPIC_ACTIONS, topicArn),
  ]);
}

/**
 * A service's queue: SNS may send into it only from the topics that feed it; TLS only; and, once the
 * owner's role ARN is known, nobody else may receive, delete or hide its messages. SendMessage is not
 * denied to the account: redriving a dead-letter queue back into its source (`start-message-move-task`)
 * sends with the operator's own rights.
 */
export function serviceQueuePolicy(queueArn: string, feedingTopicArns: readonly string[], ownerRoleArn?: string): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "SubscribedTopicsSend",
      Effect: "Allow",
      Principal: { Service: "sns.amazonaws.com" },
      Action: ["sqs:SendMessage"],
      Resource: queueArn,
      Condition: { ArnEquals: { "aws:SourceArn": [...feedingTopicArns].sort() } },
    },
    denyInsecureTransport(["sqs:*"], queueArn),
  ];
  if (ownerRoleArn !== undefined) {
    statements.push({
      Sid: "DenyConsumeByOthers",
      Effect: "Deny",
      Principal: "*",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
      Resource: queueArn,
      Condition: { ArnNotEquals: { "aws:PrincipalArn": ownerRoleArn } },
    });
  }
  return policyDocument(statements);
}

/** A dead-letter queue receives only through SQS redrive (no principal is granted anything), over TLS. */
export function deadLetterQueuePolicy(queueArn: string): PolicyDocument {
  return policyDocument([denyInsecureTransport(["sqs:*"], queueArn)]);
}

/** Only the queue's own source may dead-letter into it (the DLQ's redrive allow policy). */
export function redriveAllowPolicy(sourceQueueArn: string): string {
  return JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [sourceQueueArn] });
}

export function redrivePolicy(deadLetterQueueArn: string, maxReceiveCount: number): string {
  return JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount });
}
