import { defineStackPolicy } from "../framework/define";
import { StackIndex } from "../framework/stack-index";
import { describeStatement } from "../iam/document";
import { allows, statementCovers } from "./arn-match";
import { arnOf, QUEUE, queueLabel, queueStatements, tag } from "./resources";
import { roleLabel, serviceRoles } from "./service-roles";

/** Taking, deleting or hiding a message: what consuming a queue means. */
const CONSUME_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"];

export const messagingQueueOwnership = defineStackPolicy({
  meta: {
    id: "MSG-05",
    title: "No service can consume another service's queue",
    severity: "high",
    decisions: ["D1", "D2"],
    controls: { other: ["architecture: least-privilege consume rights per service"] },
    description:
      "Queues carry the `service` tag of the service that owns them, and so do the services' pod-identity roles. No " +
      "service role's identity policies, and no queue policy, let one service receive, delete or change the visibility " +
      "of messages on a queue (or dead-letter queue) tagged with another service.",
    remediation:
      "Attach only `messaging.statementsFor(service)` (its own queues) to a service's role; subscribe the other service " +
      "to the event in src/config/catalog.yaml instead of sharing a queue.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const queues = index.ofType(QUEUE).filter((q) => tag(q, "service") !== undefined);
    if (queues.length === 0) args.notApplicable("the stack has no service queues");
    const roles = serviceRoles(index);
    for (const queue of queues) {
      const owner = tag(queue, "service");
      const arn = arnOf(queue);
      if (arn === undefined) continue;
      for (const role of roles) {
        if (role.service === owner) continue;
        const actions = CONSUME_ACTIONS.filter((action) => allows(role.statements, action, arn));
        if (actions.length > 0) {
          reportViolation(`${roleLabel(role)} can ${actions.join(", ")} on ${queueLabel(queue)}, which belongs to ${owner}.`, queue.urn);
        }
      }
      // A queue policy can grant the same on its own, to a role named as principal.
      const { statements } = queueStatements(index, queue);
      statements.forEach((s, i) => {
        if (s.effect !== "Allow") return;
        for (const role of roles) {
          if (role.service === owner || role.arn === undefined || !s.principals.includes(`AWS:${role.arn}`)) continue;
          const actions = CONSUME_ACTIONS.filter((action) => statementCovers(s, action, arn));
          if (actions.length > 0) {
            reportViolation(`the policy of ${queueLabel(queue)} (${describeStatement(s, i)}) lets ${roleLabel(role)} ${actions.join(", ")}; the queue belongs to ${owner}.`, queue.urn);
          }
        }
      });
    }
  },
});
