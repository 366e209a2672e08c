import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../conventions/context";
import { publishGrant } from "./grants";
import type { PolicyStatement } from "./iam-document";
import { eventTopicPolicy } from "./resource-policies";
import type { TopicPlan } from "./topology";

export interface EventTopicArgs {
  readonly ctx: PlatformContext;
  readonly plan: TopicPlan;
  /** The messaging CMK (MSG-01). */
  readonly keyArn: pulumi.Input<string>;
  /** Role ARNs of the declared publishers, when known: the topic policy then denies everyone else. */
  readonly publisherRoleArns?: readonly pulumi.Input<string>[];
}

/** One event's SNS topic (FIFO where the catalog says order matters), its policy, and its publish grant. */
export class EventTopic extends pulumi.ComponentResource {
  readonly plan: TopicPlan;
  readonly topic: aws.sns.Topic;
  readonly policy: aws.sns.TopicPolicy;
  private readonly keyArn: pulumi.Output<string>;
  private readonly region: string;

  constructor(name: string, args: EventTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:messaging:EventTopic", name, {}, opts);
    const { ctx, plan } = args;
    this.plan = plan;
    this.region = ctx.region;
    this.keyArn = pulumi.output(args.keyArn);

    this.topic = new aws.sns.Topic(
      name,
      {
        name: plan.name,
        fifoTopic: plan.fifo,
        ...(plan.fifo ? { contentBasedDeduplication: plan.contentBasedDeduplication } : {}),
        kmsMasterKeyId: args.keyArn,
        tags: {
          ...ctx.tags({ component: "messaging", zone: "app" }, plan.name),
          event: plan.event,
          // The catalog's declared publishers; MSG-04 reads them to prove every subscribed event has one.
          publishers: plan.publishers.join(" "),
        },
      },
      { parent: this },
    );

    const publisherRoleArns: pulumi.Output<string[] | undefined> =
      args.publisherRoleArns === undefined ? pulumi.output(undefined) : pulumi.all([...args.publisherRoleArns]);
    this.policy = new aws.sns.TopicPolicy(
      name,
      {
        arn: this.topic.arn,
        policy: pulumi
          .all([this.topic.arn, ctx.accountId, publisherRoleArns])
          .apply(([arn, accountId, roles]) => JSON.stringify(eventTopicPolicy(arn, { region: ctx.region, accountId }, roles))),
      },
      { parent: this },
    );

    this.registerOutputs({ topicArn: this.topic.arn });
  }

  /** The statements that let a service identity publish this event (and nothing else). */
  grantPublish(): pulumi.Output<PolicyStatement[]> {
    return pulumi.all([this.topic.arn, this.keyArn]).apply(([arn, key]) => publishGrant([arn], key, this.region));
  }
}
