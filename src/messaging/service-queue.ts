import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../conventions/context";
import { planQueueAlarms } from "./alarms";
import { consumeGrant } from "./grants";
import type { PolicyStatement } from "./iam-document";
import { deadLetterQueuePolicy, redriveAllowPolicy, redrivePolicy, serviceQueuePolicy } from "./resource-policies";
import type { QueuePlan, SubscriptionPlan } from "./topology";

export interface ServiceQueueArgs {
  readonly ctx: PlatformContext;
  readonly plan: QueuePlan;
  readonly subscriptions: readonly SubscriptionPlan[];
  /** The topics that feed this queue, by event. */
  readonly topics: Readonly<Record<string, aws.sns.Topic>>;
  readonly keyArn: pulumi.Input<string>;
  readonly operationsTopicArn: pulumi.Input<string>;
  readonly oldestMessageAlarmSeconds: number;
  /** The owning service's role ARN, when known: the queue policy then denies consuming to everyone else. */
  readonly ownerRoleArn?: pulumi.Input<string>;
}

/**
 * One subscribing service's queue (standard or FIFO) with its dead-letter queue, the subscriptions that
 * feed it, its alarms, and its consume grant. Queues carry the `service` tag that MSG-05 checks grants
 * against.
 */
export class ServiceQueue extends pulumi.ComponentResource {
  readonly plan: QueuePlan;
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly policy: aws.sqs.QueuePolicy;
  readonly subscriptions: aws.sns.TopicSubscription[];
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  private readonly keyArn: pulumi.Output<string>;
  private readonly region: string;

  constructor(name: string, args: ServiceQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:messaging:ServiceQueue", name, {}, opts);
    const { ctx, plan } = args;
    this.plan = plan;
    this.region = ctx.region;
    this.keyArn = pulumi.output(args.keyArn);
    const fifo = plan.kind === "fifo";
    const tags = (physical: string, role: string) => ({
      ...ctx.tags({ component: "messaging", zone: "app" }, physical),
      service: plan.service,
      "queue-role": role,
    });
    const encryption = { kmsMasterKeyId: args.keyArn, kmsDataKeyReusePeriodSeconds: 300 };

    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      {
        name: plan.deadLetterName,
        fifoQueue: fifo,
        messageRetentionSeconds: plan.deadLetterRetentionSeconds,
        ...encryption,
        tags: tags(plan.deadLetterName, "dead-letter"),
      },
      { parent: this },
    );

    this.queue = new aws.sqs.Queue(
      name,
      {
        name: plan.name,
        fifoQueue: fifo,
        messageRetentionSeconds: plan.retentionSeconds,
        visibilityTimeoutSeconds: plan.visibilityTimeoutSeconds,
        // Long polling: consumers wait for messages instead of paying for empty receives.
        receiveWaitTimeSeconds: 20,
        redrivePolicy: this.deadLetterQueue.arn.apply((arn) => redrivePolicy(arn, plan.maxReceiveCount)),
        ...encryption,
        tags: tags(plan.name, "main"),
      },
      { parent: this },
    );

    new aws.sqs.RedriveAllowPolicy(
      `${name}-dlq`,
      { queueUrl: this.deadLetterQueue.url, redriveAllowPolicy: this.queue.arn.apply(redriveAllowPolicy) },
      { parent: this },
    );
    new aws.sqs.QueuePolicy(
      `${name}-dlq`,
      { queueUrl: this.deadLetterQueue.url, policy: this.deadLetterQueue.arn.apply((arn) => JSON.stringify(deadLetterQueuePolicy(arn))) },
      { parent: this },
    );

    const feeding = plan.events.map((event) => {
      const topic = args.topics[event];
      if (topic === undefined) throw new Error(`messaging: no topic for event "${event}" feeding ${plan.name}`);
      return topic.arn;
    });
    const ownerRoleArn = args.ownerRoleArn;
    this.policy = new aws.sqs.QueuePolicy(
      name,
      {
        queueUrl: this.queue.url,
        policy: pulumi
          .all([this.queue.arn, pulumi.all(feeding), pulumi.output(ownerRoleArn)])
          .apply(([arn, topicArns, owner]) => JSON.stringify(serviceQueuePolicy(arn, topicArns, owner))),
      },
      { parent: this },
    );

    // SNS delivers only once the queue policy admits it, so subscriptions wait for the policy.
    this.subscriptions = args.subscriptions.map((sub) => {
      const topic = args.topics[sub.event];
      if (topic === undefined) throw new Error(`messaging: no topic for subscription ${sub.id}`);
      return new aws.sns.TopicSubscription(
        `${name}-${sub.event}`,
        {
          topic: topic.arn,
          protocol: "sqs",
          endpoint: this.queue.arn,
          rawMessageDelivery: sub.rawMessageDelivery,
          ...(sub.filterPolicy === undefined ? {} : { filterPolicy: sub.filterPolicy, filterPolicyScope: "MessageAttributes" }),
        },
        { parent: this, dependsOn: [this.policy] },
      );
    });

    this.alarms = planQueueAlarms(plan, args.oldestMessageAlarmSeconds).map(
      (alarm) =>
        new aws.cloudwatch.MetricAlarm(
          `${name}-${alarm.kind}`,
          {
            name: alarm.name,
            alarmDescription: alarm.description,
            namespace: "AWS/SQS",
            metricName: alarm.metricName,
            dimensions: { QueueName: alarm.kind === "dead-letters" ? this.deadLetterQueue.name : this.queue.name },
            statistic: alarm.statistic,
            comparisonOperator: alarm.comparisonOperator,
            threshold: alarm.threshold,
            period: alarm.periodSeconds,
            evaluationPeriods: alarm.evaluationPeriods,
            // No datapoints means an idle queue, not a failure.
            treatMissingData: "notBreaching",
            alarmActions: [args.operationsTopicArn],
            okActions: [args.operationsTopicArn],
            tags: { ...ctx.tags({ component: "messaging", zone: "app" }, alarm.name), service: plan.service },
          },
          { parent: this },
        ),
    );

    this.registerOutputs({ queueUrl: this.queue.url, queueArn: this.queue.arn, deadLetterQueueArn: this.deadLetterQueue.arn });
  }

  /** The statements that let the owning service consume this queue (never its dead-letter queue). */
  grantConsume(): pulumi.Output<PolicyStatement[]> {
    return pulumi.all([this.queue.arn, this.keyArn]).apply(([arn, key]) => consumeGrant([arn], key, this.region));
  }
}
