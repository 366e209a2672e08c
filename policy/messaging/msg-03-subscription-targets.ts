import { defineStackPolicy } from "../framework/define";
import { StackIndex } from "../framework/stack-index";
import { QUEUE, rawValue, SUBSCRIPTION, tag, TOPIC, topicLabel } from "./resources";

/** People may be told about operational topics (alarms) by e-mail; nothing else leaves the stack. */
const PEOPLE_PROTOCOLS = new Set(["email", "email-json"]);

export const messagingSubscriptionTargets = defineStackPolicy({
  meta: {
    id: "MSG-03",
    title: "Every subscription delivers to a queue of this stack",
    severity: "high",
    decisions: ["D2", "D6"],
    controls: { other: ["architecture: SNS topic per event, SQS queue per subscriber"] },
    description:
      "Subscriptions of event topics (tagged `event`) use protocol sqs and deliver to an SQS queue of this stack, so " +
      "events never leave the account or reach an endpoint outside the design; operational topics may in addition " +
      "e-mail people (protocol email or email-json).",
    remediation:
      "Subscribe a service by listing the event under `subscribes` in src/config/catalog.yaml; src/messaging creates its " +
      "queue and the sqs subscription. Remove subscriptions to other endpoints.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const subscriptions = index.ofType(SUBSCRIPTION);
    if (subscriptions.length === 0) args.notApplicable("the stack has no SNS subscriptions");
    for (const sub of subscriptions) {
      const [topic] = index.targets(sub, "topic", [TOPIC]);
      const topicText = topic === undefined ? "a topic outside this stack" : topicLabel(topic);
      const protocol = rawValue(sub.props, "protocol").known;
      if (topic === undefined) {
        reportViolation(`subscription "${sub.name}" is on ${String(rawValue(sub.props, "topic").known ?? "an unknown topic")}, not a topic of this stack.`, sub.urn);
        continue;
      }
      if (protocol === "sqs") {
        const queues = index.targets(sub, "endpoint", [QUEUE]);
        const endpoint = rawValue(sub.props, "endpoint");
        if (queues.length === 0 && (endpoint.known !== undefined || !endpoint.set)) {
          reportViolation(`subscription "${sub.name}" of ${topicText} delivers to ${String(endpoint.known ?? "nothing")}, which is not a queue of this stack.`, sub.urn);
        }
        continue;
      }
      const isEventTopic = tag(topic, "event") !== undefined;
      if (isEventTopic || typeof protocol !== "string" || !PEOPLE_PROTOCOLS.has(protocol)) {
        reportViolation(
          `subscription "${sub.name}" of ${topicText} uses protocol ${String(protocol)}; ${isEventTopic ? "event topics deliver to this stack's SQS queues only" : "operational topics deliver to SQS queues of this stack or e-mail"}.`,
          sub.urn,
        );
      }
    }
  },
});
