import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Catalog } from "../config/catalog-schema";
import type { MessagingConfig } from "../config/sections/messaging";
import type { PlatformContext } from "../conventions/context";
import { EventTopic } from "./event-topic";
import { consumeGrant, publishGrant } from "./grants";
import { customerManagedKey } from "../conventions/customer-managed-key";
import { type PolicyDocument, policyDocument, type PolicyStatement } from "./iam-document";
import { NotificationDelivery } from "./notification-delivery";
import { messagingKeyPolicy, operationsTopicPolicy } from "./resource-policies";
import { ServiceQueue } from "./service-queue";
import { type MessagingPlan, messagingServices, planTopology, type QueueKind, queuesOf, topicsPublishedBy } from "./topology";

export interface MessagingArgs {
  readonly ctx: PlatformContext;
  readonly config: MessagingConfig;
  readonly catalog: Catalog;
  /**
   * Pod-identity role ARN per catalog service, when the roles exist before messaging: topic and queue
   * policies then also deny publishing and consuming to every other principal (defence in depth on top
   * of the grants). Every service that publishes or subscribes must be present.
   */
  readonly serviceRoleArns?: Readonly<Record<string, pulumi.Input<string>>>;
}

export interface QueueUrls {
  readonly queue: string;
  readonly deadLetterQueue: string;
}

/** What a service's configuration needs to talk to its topics and queues. */
export interface ServiceBindings {
  /** Topic ARN per event the service publishes. */
  readonly topics: Record<string, string>;
  /** The service's queues, one per kind it needs. */
  readonly queues: { kind: QueueKind; url: string; arn: string; events: readonly string[] }[];
}

/**
 * Asynchronous integration (D2): the topics, queues, dead-letter queues, subscriptions, key, alarms and
 * notification delivery planned from the service catalog, plus the grants SERVICES attaches to each
 * service's pod identity (`statementsFor`).
 */
export class Messaging extends pulumi.ComponentResource {
  readonly plan: MessagingPlan;
  readonly key: aws.kms.Key;
  readonly operationsTopic: aws.sns.Topic;
  /** By event. */
  readonly topics: Readonly<Record<string, EventTopic>>;
  /** By service: its queues (standard and/or FIFO). */
  readonly queues: Readonly<Record<string, ServiceQueue[]>>;
  readonly notifications: NotificationDelivery;
  private readonly notifier: string;
  private readonly region: string;

  constructor(name: string, args: MessagingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:messaging:Messaging", name, {}, opts);
    const { ctx, config, catalog } = args;
    this.region = ctx.region;
    this.notifier = config.notifications.service;
    this.plan = planTopology({ project: ctx.project, stack: ctx.stack }, catalog, config);
    const roleArns = args.serviceRoleArns;
    if (roleArns !== undefined) {
      const missing = messagingServices(this.plan).filter((s) => roleArns[s] === undefined);
      if (missing.length > 0) throw new Error(`messaging: serviceRoleArns lacks ${missing.join(", ")}`);
    }
    const tags = (physical?: string) => ctx.tags({ component: "messaging", zone: "app" }, physical);

    this.key = customerManagedKey(
      { key: `${name}-key`, alias: `${name}-key` },
      {
        description: `Messaging CMK of ${ctx.project}-${ctx.stack}: SNS topics, SQS queues, SMTP credentials`,
        policy: ctx.accountId.apply((accountId) => JSON.stringify(messagingKeyPolicy({ region: ctx.region, accountId }))),
        tags: tags(this.plan.keyAlias.slice("alias/".length)),
        alias: this.plan.keyAlias,
      },
      { parent: this },
    );

    this.operationsTopic = new aws.sns.Topic(
      `${name}-operations`,
      { name: this.plan.operationsTopicName, kmsMasterKeyId: this.key.arn, tags: tags(this.plan.operationsTopicName) },
      { parent: this },
    );
    new aws.sns.TopicPolicy(
      `${name}-operations`,
      {
        arn: this.operationsTopic.arn,
        policy: pulumi
          .all([this.operationsTopic.arn, ctx.accountId])
          .apply(([arn, accountId]) => JSON.stringify(operationsTopicPolicy(arn, { region: ctx.region, accountId }))),
      },
      { parent: this },
    );
    config.operationsEmails.forEach((email, i) => {
      // E-mail subscriptions stay pending until the recipient confirms the message SNS sends them.
      new aws.sns.TopicSubscription(
        `${name}-operations-email-${i}`,
        { topic: this.operationsTopic.arn, protocol: "email", endpoint: email },
        { parent: this },
      );
    });

    const topics: Record<string, EventTopic> = {};
    for (const topic of this.plan.topics) {
      topics[topic.event] = new EventTopic(
        `${name}-${topic.event}`,
        {
          ctx,
          plan: topic,
          keyArn: this.key.arn,
          ...(roleArns === undefined ? {} : { publisherRoleArns: topic.publishers.map((s) => roleArns[s] as pulumi.Input<string>) }),
        },
        { parent: this },
      );
    }
    this.topics = topics;

    const queues: Record<string, ServiceQueue[]> = {};
    for (const queue of this.plan.queues) {
      const feeding = Object.fromEntries(queue.events.map((event) => [event, (topics[event] as EventTopic).topic]));
      const owner = roleArns?.[queue.service];
      (queues[queue.service] ??= []).push(
        new ServiceQueue(
          `${name}-${queue.id}`,
          {
            ctx,
            plan: queue,
            subscriptions: this.plan.subscriptions.filter((s) => s.queueId === queue.id),
            topics: feeding,
            keyArn: this.key.arn,
            operationsTopicArn: this.operationsTopic.arn,
            oldestMessageAlarmSeconds: config.oldestMessageAlarmSeconds,
            ...(owner === undefined ? {} : { ownerRoleArn: owner }),
          },
          { parent: this },
        ),
      );
    }
    this.queues = queues;

    this.notifications = new NotificationDelivery(
      `${name}-notifications`,
      { ctx, config: config.notifications, keyArn: this.key.arn },
      { parent: this },
    );

    this.registerOutputs({
      keyArn: this.key.arn,
      operationsTopicArn: this.operationsTopic.arn,
      topicArns: this.topicArns(),
      queueUrls: this.queueUrls(),
    });
  }

  /** Publish to exactly the topics the service declares (empty when it publishes nothing). */
  publishStatementsFor(service: string): pulumi.Output<PolicyStatement[]> {
    const arns = topicsPublishedBy(this.plan, service).map((t) => (this.topics[t.event] as EventTopic).topic.arn);
    return pulumi.all([pulumi.all(arns), this.key.arn]).apply(([topicArns, key]) => publishGrant(topicArns, key, this.region));
  }

  /** Consume exactly the service's own queues (empty when it subscribes to nothing). */
  consumeStatementsFor(service: string): pulumi.Output<PolicyStatement[]> {
    const arns = (this.queues[service] ?? []).map((q) => q.queue.arn);
    return pulumi.all([pulumi.all(arns), this.key.arn]).apply(([queueArns, key]) => consumeGrant(queueArns, key, this.region));
  }

  /** Everything a service's pod identity needs for messaging: publish, consume, and for the notifier, send. */
  statementsFor(service: string): pulumi.Output<PolicyStatement[]> {
    const parts = [this.publishStatementsFor(service), this.consumeStatementsFor(service)];
    if (service === this.notifier) parts.push(this.notifications.grantSend());
    return pulumi.all(parts).apply((lists) => lists.flat());
  }

  /** `statementsFor` as a policy document, or undefined output when the service needs no messaging rights. */
  policyDocumentFor(service: string): pulumi.Output<PolicyDocument | undefined> {
    return this.statementsFor(service).apply((statements) => (statements.length === 0 ? undefined : policyDocument(statements)));
  }

  /** Topic ARNs and queue URLs for the service's configuration (environment of its pods). */
  bindingsFor(service: string): pulumi.Output<ServiceBindings> {
    const published = topicsPublishedBy(this.plan, service).map((t) =>
      (this.topics[t.event] as EventTopic).topic.arn.apply((arn) => [t.event, arn] as const),
    );
    const own = queuesOf(this.plan, service).map((plan, i) => {
      const q = (this.queues[service] as ServiceQueue[])[i] as ServiceQueue;
      return pulumi.all([q.queue.url, q.queue.arn]).apply(([url, arn]) => ({ kind: plan.kind, url, arn, events: plan.events }));
    });
    return pulumi.all([pulumi.all(published), pulumi.all(own)]).apply(([pairs, queues]) => ({ topics: Object.fromEntries(pairs), queues }));
  }

  /** Topic ARN per event, for stack outputs. */
  topicArns(): pulumi.Output<Record<string, string>> {
    return pulumi.all(Object.fromEntries(Object.entries(this.topics).map(([event, t]) => [event, t.topic.arn])));
  }

  /** Queue URLs per service and kind, dead-letter queues included, for stack outputs and runbooks. */
  queueUrls(): pulumi.Output<Record<string, Record<string, QueueUrls>>> {
    const entries = Object.entries(this.queues).flatMap(([service, list]) =>
      list.map((q) =>
        pulumi.all([q.queue.url, q.deadLetterQueue.url]).apply(([queue, deadLetterQueue]) => ({ service, kind: q.plan.kind, urls: { queue, deadLetterQueue } })),
      ),
    );
    return pulumi.all(entries).apply((rows) => {
      const out: Record<string, Record<string, QueueUrls>> = {};
      for (const row of rows) (out[row.service] ??= {})[row.kind] = row.urls;
      return out;
    });
  }
}
