import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { flag, peekTexts } from "../framework/props";
import type { StackIndex } from "../framework/stack-index";
import { deniesAnyoneWithoutTls, describeStatement, hasWildcardPrincipal, type PolicyStatement } from "../iam/document";
import {
  deadLetterTargetArn,
  type GoverningStatements,
  QUEUE,
  queuesAndTopics,
  queueLabel,
  queueStatements,
  rawValue,
  REDRIVE_POLICY,
  topicLabel,
  topicStatements,
} from "./resources";

/** A Deny to anyone when `aws:SecureTransport` is false, covering every action of the service. */
function deniesPlainTransport(s: PolicyStatement, actions: readonly string[]): boolean {
  return s.actions.some((a) => a === "*" || actions.includes(a.toLowerCase())) && deniesAnyoneWithoutTls(s);
}

function checkPolicies(label: string, urn: string, governing: GoverningStatements, tlsActions: readonly string[], report: ReportViolation): void {
  for (const problem of governing.invalid) report(`${label}: ${problem}.`, urn);
  governing.statements.forEach((s, i) => {
    if (s.effect === "Allow" && (hasWildcardPrincipal(s) || s.hasNotPrincipal)) {
      report(`${label}: policy ${describeStatement(s, i)} allows a wildcard principal; name the service principal (with aws:SourceArn) or this account's roles.`, urn);
    }
  });
  if (!governing.statements.some((s) => deniesPlainTransport(s, tlsActions))) {
    report(`${label} has no policy statement denying requests without TLS (Deny to "*" when aws:SecureTransport is false).`, urn);
  }
}

function queuesByArn(queues: readonly PolicyResource[]): Map<string, PolicyResource> {
  const byArn = new Map<string, PolicyResource>();
  for (const q of queues) for (const arn of peekTexts(q.props, "arn")) byArn.set(arn, q);
  return byArn;
}

/** Queues that some other queue dead-letters into, by the links the stack records. */
function deadLetterQueues(index: StackIndex, queues: readonly PolicyResource[]): Map<PolicyResource, PolicyResource[]> {
  const sourcesOf = new Map<PolicyResource, PolicyResource[]>();
  const link = (source: PolicyResource, target: PolicyResource) => sourcesOf.set(target, [...(sourcesOf.get(target) ?? []), source]);
  const byArn = queuesByArn(queues);
  for (const q of queues) {
    for (const target of redriveTargets(q, byArn)) link(q, target);
  }
  for (const rp of index.ofType(REDRIVE_POLICY)) {
    const [source] = index.targets(rp, "queueUrl", [QUEUE]);
    if (source === undefined) continue;
    for (const target of redriveTargets(rp, byArn)) link(source, target);
  }
  return sourcesOf;
}

/** The queues a redrive policy points at: by property dependency (known in preview), else by ARN. */
function redriveTargets(owner: PolicyResource, byArn: Map<string, PolicyResource>): PolicyResource[] {
  const { set, known } = rawValue(owner.props, "redrivePolicy");
  if (!set) return [];
  const deps = (owner.propertyDependencies["redrivePolicy"] ?? []).filter((d) => d.type === QUEUE);
  if (deps.length > 0) return deps;
  const arn = deadLetterTargetArn(known);
  const target = arn === undefined ? undefined : byArn.get(arn);
  return target === undefined ? [] : [target];
}

/** The redrive policies that apply to a queue: its inline one and RedrivePolicy resources pointing at it. */
function redriveOwners(index: StackIndex, queue: PolicyResource): PolicyResource[] {
  const owners = rawValue(queue.props, "redrivePolicy").set ? [queue] : [];
  return [...owners, ...index.referrers(queue, [REDRIVE_POLICY], "queueUrl")];
}

/** The dead-letter target ARN when it is known and names no queue of this stack. */
function foreignTarget(owner: PolicyResource, byArn: Map<string, PolicyResource>): string | undefined {
  if (redriveTargets(owner, byArn).length > 0) return undefined;
  return deadLetterTargetArn(rawValue(owner.props, "redrivePolicy").known);
}

export const messagingResourcePolicies = defineStackPolicy({
  meta: {
    id: "MSG-02",
    title: "Queue and topic policies admit no wildcard principal and only TLS; every queue has a dead-letter queue",
    severity: "high",
    decisions: ["D2"],
    controls: { fsbp: ["SQS.3", "SNS.4"], checkov: ["CKV_AWS_72", "CKV_AWS_168", "CKV_AWS_169"] },
    description:
      "No queue or topic policy allows a wildcard principal (a Deny to \"*\" is fine: it only restricts); every queue and " +
      "topic has a policy denying requests without TLS (aws:SecureTransport false); every queue that is not itself a " +
      "dead-letter queue redrives to a dead-letter queue of this stack, of the same kind (FIFO or standard).",
    remediation:
      "Build queues and topics with src/messaging (ServiceQueue, EventTopic): their policies name the SNS service principal " +
      "with aws:SourceArn, deny non-TLS, and every queue gets a redrivePolicy to its own dead-letter queue.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const { index, queues, topics } = queuesAndTopics(args);

    for (const queue of queues) checkPolicies(queueLabel(queue), queue.urn, queueStatements(index, queue), ["sqs:*"], reportViolation);
    for (const topic of topics) checkPolicies(topicLabel(topic), topic.urn, topicStatements(index, topic), ["sns:*", "sns:publish"], reportViolation);

    const sourcesOf = deadLetterQueues(index, queues);
    const byArn = queuesByArn(queues);
    for (const queue of queues) {
      if (sourcesOf.has(queue)) continue;
      const owners = redriveOwners(index, queue);
      if (owners.length === 0) {
        reportViolation(`${queueLabel(queue)} has no dead-letter queue (redrivePolicy); failed messages would loop or expire unseen.`, queue.urn);
      }
      for (const owner of owners) {
        const foreign = foreignTarget(owner, byArn);
        if (foreign !== undefined) reportViolation(`${queueLabel(queue)} dead-letters into ${foreign}, which is not a queue of this stack.`, queue.urn);
      }
    }
    for (const [dlq, sources] of sourcesOf) {
      for (const source of sources) {
        if ((flag(source.props["fifoQueue"]) ?? false) !== (flag(dlq.props["fifoQueue"]) ?? false)) {
          reportViolation(`${queueLabel(source)} dead-letters into ${queueLabel(dlq)} of the other kind (FIFO and standard do not mix).`, source.urn);
        }
      }
    }
  },
});
