import { ENTITY_QUOTAS, DOCUMENT_LIMITS, TAG_LIMITS, documentSize } from "../conventions/aws-limits";
import { partitionOf } from "../conventions/arn";
import { boundedName, physicalName, type NameScope } from "../conventions/naming";
import { consumeGrant, publishGrant } from "../messaging/grants";
import { policyDocument } from "../messaging/iam-document";
import { serviceQueuePolicy } from "../messaging/resource-policies";
import { planTopology } from "../messaging/topology";
import { databaseSecretStatements } from "../services/iam-documents";
import type { Catalog } from "./catalog-schema";
import type { ConfigIssue } from "./issues";
import type { MessagingConfig } from "./sections/messaging";

/**
 * AWS limits on values the program derives from the catalog, checked before any resource is registered:
 * a catalog that would make `pulumi up` fail half-way (a tag AWS refuses, a queue policy or a role's
 * inline policy over its size) is refused here with one line naming the key. The documents are built by
 * the same pure functions the components use; ARNs are formed from the deterministic names, and the
 * parts AWS generates (a KMS key id, a secret's suffix) at their fixed or longest lengths, so a size
 * found here is never smaller than the one AWS will see (the queue policy is counted with its owner's
 * deny statement, which the program adds once the service roles exist). The policy pack (AWS-01, AWS-02) checks the same limits on any stack.
 */
export interface AwsLimitInput {
  readonly scope: NameScope;
  readonly region: string;
  readonly accountId: string;
  readonly catalog: Catalog;
  /** The catalog file as issues name it (`<file>:`). */
  readonly catalogSource: string;
  readonly messaging: MessagingConfig;
}

/** A KMS key ARN has a fixed shape: the key id is a 36-character UUID. */
const keyArn = (partition: string, region: string, account: string) => `arn:${partition}:kms:${region}:${account}:key/${"0".repeat(36)}`;
/** The longest secret a service reads: Secrets Manager names reach 512 characters, plus "-" and a 6-character suffix. */
const longestSecretArn = (partition: string, region: string, account: string) => `arn:${partition}:secretsmanager:${region}:${account}:secret:${"s".repeat(512)}-AbCdEf`;

export function awsLimitRules(input: AwsLimitInput): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (path: PropertyKey[], value: unknown, allowed: string) => issues.push({ source: input.catalogSource, path, value, allowed });
  const { region, accountId: account, catalog } = input;
  const partition = partitionOf(region);
  const plan = planTopology(input.scope, catalog, input.messaging);
  const topicArn = new Map(plan.topics.map((t) => [t.event, `arn:${partition}:sns:${region}:${account}:${t.name}`]));

  // Topic tags: the event name and its publishers (space-separated) are tag values (src/messaging/event-topic.ts).
  for (const topic of plan.topics) {
    if ([...topic.event].length > TAG_LIMITS.valueMax) {
      at(["events", topic.event], topic.event, `allowed: an event name of at most ${TAG_LIMITS.valueMax} characters (it is the topic's "event" tag; ${TAG_LIMITS.source})`);
    }
    const publishers = topic.publishers.join(" ");
    if ([...publishers].length > TAG_LIMITS.valueMax) {
      at(["events", topic.event], topic.publishers, `allowed: publishers whose names together (space-separated) are at most ${TAG_LIMITS.valueMax} characters; these are ${[...publishers].length} (the topic's "publishers" tag; ${TAG_LIMITS.source})`);
    }
  }

  const sqsLimit = DOCUMENT_LIMITS["aws:sqs/queuePolicy:QueuePolicy"]?.["policy"];
  const roleArn = (service: string) => `arn:${partition}:iam::${account}:role/${boundedName(physicalName(input.scope, "services", service), 64)}`;
  for (const queue of plan.queues) {
    const queueArn = `arn:${partition}:sqs:${region}:${account}:${queue.name}`;
    const document = JSON.stringify(serviceQueuePolicy(queueArn, queue.events.map((e) => topicArn.get(e) ?? ""), roleArn(queue.service)));
    const size = documentSize(document, "bytes");
    if (sqsLimit !== undefined && size > sqsLimit.max) {
      at(["services", queue.service, "subscribes"], `${queue.events.length} ${queue.kind} events`, `allowed: fewer subscriptions: the ${queue.kind} queue's policy would be ${size} bytes, SQS accepts at most ${sqsLimit.max} (${sqsLimit.source})`);
    }
  }

  // A service's inline rights: messaging grants, plus its database secret (src/services/workloads.ts).
  const key = keyArn(partition, region, account);
  const quota = ENTITY_QUOTAS.roleInlinePolicyCharacters;
  for (const [service, spec] of Object.entries(catalog.services)) {
    const published = plan.topics.filter((t) => t.publishers.includes(service)).map((t) => topicArn.get(t.event) ?? "");
    const queues = plan.queues.filter((q) => q.service === service).map((q) => `arn:${partition}:sqs:${region}:${account}:${q.name}`);
    const statements = [
      ...publishGrant(published, key, region),
      ...consumeGrant(queues, key, region),
      ...(spec.dataDomain === undefined ? [] : databaseSecretStatements({ secretArn: longestSecretArn(partition, region, account), keyArn: key, region })),
    ];
    if (statements.length === 0) continue;
    const size = documentSize(JSON.stringify(policyDocument(statements)), "characters without white space");
    if (size > quota.max) {
      at(["services", service, "publishes"], `${published.length} events published, ${queues.length} queues`, `allowed: fewer topics and queues per service: its IAM rights would be ${size} characters without white space, at most ${quota.max} (${quota.source})`);
    }
  }
  return issues;
}
