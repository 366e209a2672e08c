import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { isRecord, peekTexts, tagsOf, text, UNKNOWN_SENTINELS } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { parsePolicyDocument, type PolicyStatement } from "../iam/document";

/**
 * The messaging resources the MSG rules judge, and the companions that govern them: queue and topic
 * policies (separate resources or the deprecated inline `policy`), redrive policies, subscriptions.
 */
export const QUEUE = "aws:sqs/queue:Queue";
export const TOPIC = "aws:sns/topic:Topic";
export const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
export const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
export const REDRIVE_POLICY = "aws:sqs/redrivePolicy:RedrivePolicy";
export const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";

/** The stack's queues and topics, indexed; a stack without either makes the rule not applicable. */
export function queuesAndTopics(args: StackValidationArgs): { index: StackIndex; queues: PolicyResource[]; topics: PolicyResource[] } {
  const index = new StackIndex(args.resources);
  const queues = index.ofType(QUEUE);
  const topics = index.ofType(TOPIC);
  if (queues.length + topics.length === 0) args.notApplicable("the stack has no SQS queues or SNS topics");
  return { index, queues, topics };
}

export function physicalName(resource: PolicyResource): string {
  return (isRecord(resource.props) ? peekTexts(resource.props, "name")[0] : undefined) ?? resource.name;
}

export function queueLabel(queue: PolicyResource): string {
  return `SQS queue "${physicalName(queue)}"`;
}

export function topicLabel(topic: PolicyResource): string {
  return `SNS topic "${physicalName(topic)}"`;
}

export function tag(resource: PolicyResource, key: string): string | undefined {
  return isRecord(resource.props) ? tagsOf(resource.props)[key] : undefined;
}

export function arnOf(resource: PolicyResource): string | undefined {
  return isRecord(resource.props) ? peekTexts(resource.props, "arn")[0] : undefined;
}

export interface GoverningStatements {
  readonly statements: PolicyStatement[];
  /** Policies that could not be parsed, described. */
  readonly invalid: string[];
  /** How many policy documents govern the resource (inline and companion). */
  readonly documents: number;
}

function collect(sources: Array<[string, unknown]>): GoverningStatements {
  const statements: PolicyStatement[] = [];
  const invalid: string[] = [];
  let documents = 0;
  for (const [label, value] of sources) {
    const doc = parsePolicyDocument(value);
    if (doc === undefined) continue;
    documents++;
    if ("error" in doc) invalid.push(`${label}: ${doc.error}`);
    else statements.push(...doc.statements);
  }
  return { statements, invalid, documents };
}

/** The statements of a queue's policies: QueuePolicy resources pointing at it (queueUrl) and its inline policy. */
export function queueStatements(index: StackIndex, queue: PolicyResource): GoverningStatements {
  const sources: Array<[string, unknown]> = index.referrers(queue, [QUEUE_POLICY], "queueUrl").map((p) => [`queue policy "${p.name}"`, p.props["policy"]]);
  if (queue.props["policy"] !== undefined) sources.push([`the inline policy of ${queueLabel(queue)}`, queue.props["policy"]]);
  return collect(sources);
}

/** The statements of a topic's policies: TopicPolicy resources pointing at it (arn) and its inline policy. */
export function topicStatements(index: StackIndex, topic: PolicyResource): GoverningStatements {
  const sources: Array<[string, unknown]> = index.referrers(topic, [TOPIC_POLICY], "arn").map((p) => [`topic policy "${p.name}"`, p.props["policy"]]);
  if (topic.props["policy"] !== undefined) sources.push([`the inline policy of ${topicLabel(topic)}`, topic.props["policy"]]);
  return collect(sources);
}

/** `deadLetterTargetArn` of a redrive policy given as JSON text or object. */
export function deadLetterTargetArn(value: unknown): string | undefined {
  let doc: unknown = value;
  if (typeof value === "string") {
    if (value === "") return undefined;
    try {
      doc = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return isRecord(doc) ? text(doc["deadLetterTargetArn"]) : undefined;
}

/**
 * A property's value read without tripping the unknown-value check: during preview a value that
 * depends on other new resources (an ARN in a redrive policy) is unknown, yet known to be set.
 */
export function rawValue(props: unknown, key: string): { set: boolean; known: unknown } {
  if (typeof props !== "object" || props === null) return { set: false, known: undefined };
  const value: unknown = Object.getOwnPropertyDescriptor(props, key)?.value;
  if (value === undefined || value === null || value === "") return { set: false, known: undefined };
  if (typeof value === "string" && UNKNOWN_SENTINELS.has(value)) return { set: true, known: undefined };
  return { set: true, known: value };
}
