import { defineStackPolicy } from "../framework/define";
import { StackIndex } from "../framework/stack-index";
import { allows } from "./arn-match";
import { arnOf, physicalName, SUBSCRIPTION, tag, TOPIC, topicLabel, topicStatements } from "./resources";
import { roleLabel, serviceRoles } from "./service-roles";

/** Services named in a topic's `publishers` tag (space-separated catalog names). */
function declaredPublishers(value: string | undefined): string[] {
  return (value ?? "").split(/\s+/).filter((s) => s !== "");
}

export const messagingSubscribedEventsPublished = defineStackPolicy({
  meta: {
    id: "MSG-04",
    title: "Every subscribed event is published by someone",
    severity: "medium",
    decisions: ["D2"],
    controls: { other: ["architecture: every event of the catalog has a publisher"] },
    description:
      "A topic with subscriptions has at least one publisher: a service declared in its `publishers` tag (from the " +
      "catalog), a service role granted sns:Publish on it, or a principal its topic policy admits to publish. A declared publisher whose role is in the stack must hold " +
      "that grant, and a service role granted sns:Publish on an event topic must be a declared publisher of it, so " +
      "the catalog and the rights agree.",
    remediation:
      "Declare the event under the publishing service's `publishes` in src/config/catalog.yaml and attach " +
      "`messaging.statementsFor(service)` to that service's role; or remove the subscriptions of an event nobody sends.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const topics = index.ofType(TOPIC);
    if (topics.length === 0) args.notApplicable("the stack has no SNS topics");
    const roles = serviceRoles(index);
    const subscribed = new Set(index.ofType(SUBSCRIPTION).flatMap((s) => index.targets(s, "topic", [TOPIC])));

    for (const topic of topics) {
      const arn = arnOf(topic);
      const declared = declaredPublishers(tag(topic, "publishers"));
      const granted = arn === undefined ? [] : roles.filter((r) => allows(r.statements, "sns:Publish", arn));
      // AWS services (CloudWatch alarms into the operations topic) publish through the topic policy.
      const admitted = topicStatements(index, topic).statements.filter(
        (st) => st.effect === "Allow" && st.principals.length > 0 && st.actions.some((a) => /^sns:(publish|\*)$/i.test(a) || a === "*"),
      );
      if (subscribed.has(topic) && declared.length === 0 && granted.length === 0 && admitted.length === 0) {
        reportViolation(`${topicLabel(topic)} has subscribers but no publisher: no service declares it and no service role may publish to it.`, topic.urn);
      }
      if (arn === undefined) continue;
      // A declared publisher whose roles are in the stack needs the grant on at least one of them.
      for (const service of declared) {
        const own = roles.filter((r) => r.service === service);
        if (own.length > 0 && !own.some((r) => granted.includes(r))) {
          const names = own.map((r) => `"${physicalName(r.role)}"`).join(", ");
          reportViolation(`${topicLabel(topic)} names ${service} as publisher, but no role of ${service} (${names}) may publish to it.`, topic.urn);
        }
      }
      if (tag(topic, "event") === undefined) continue;
      for (const role of granted) {
        if (!declared.includes(role.service)) {
          reportViolation(`${roleLabel(role)} may publish to ${topicLabel(topic)} but the catalog does not declare it as a publisher of ${tag(topic, "event") ?? physicalName(topic)}.`, topic.urn);
        }
      }
    }
  },
});
