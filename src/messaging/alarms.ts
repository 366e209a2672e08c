import type { QueuePlan } from "./topology";

/**
 * The messaging alarms, as data: a dead-letter queue holding anything, or a queue whose oldest message
 * waits longer than the configured threshold, raises an alarm on the operations topic. Both clear
 * themselves (OK action) once the queue drains.
 */
export type QueueAlarmKind = "dead-letters" | "oldest-message";

export interface QueueAlarmPlan {
  readonly id: string;
  readonly kind: QueueAlarmKind;
  readonly name: string;
  /** The queue the metric is about (its physical name is the CloudWatch `QueueName` dimension). */
  readonly queueName: string;
  readonly metricName: "ApproximateNumberOfMessagesVisible" | "ApproximateAgeOfOldestMessage";
  readonly statistic: "Maximum";
  readonly comparisonOperator: "GreaterThanThreshold";
  readonly threshold: number;
  /** SQS publishes its metrics every minute; five minutes smooths single late samples. */
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly description: string;
}

const PERIOD_SECONDS = 300;

export function planQueueAlarms(queue: QueuePlan, oldestMessageAlarmSeconds: number): QueueAlarmPlan[] {
  return [
    {
      id: `${queue.id}-dead-letters`,
      kind: "dead-letters",
      name: `${queue.deadLetterName}-not-empty`,
      queueName: queue.deadLetterName,
      metricName: "ApproximateNumberOfMessagesVisible",
      statistic: "Maximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      periodSeconds: PERIOD_SECONDS,
      evaluationPeriods: 1,
      description: `Messages of ${queue.service} failed ${queue.maxReceiveCount} times and wait in ${queue.deadLetterName}; see docs/messaging.md (draining a dead-letter queue).`,
    },
    {
      id: `${queue.id}-oldest-message`,
      kind: "oldest-message",
      name: `${queue.name}-oldest-message-age`,
      queueName: queue.name,
      metricName: "ApproximateAgeOfOldestMessage",
      statistic: "Maximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: oldestMessageAlarmSeconds,
      periodSeconds: PERIOD_SECONDS,
      evaluationPeriods: 1,
      description: `A message waits in ${queue.name} for more than ${oldestMessageAlarmSeconds} s: ${queue.service} is not consuming (down, stuck or too slow).`,
    },
  ];
}
