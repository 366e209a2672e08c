import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { isCustomerManagedKey } from "../kms/keys";
import { queueLabel, queuesAndTopics, topicLabel } from "./resources";

function encryptedWithCmk(resource: PolicyResource): boolean {
  return isCustomerManagedKey(resource, "kmsMasterKeyId", resource.props, "kmsMasterKeyId");
}

export const messagingCmkEncryption = defineStackPolicy({
  meta: {
    id: "MSG-01",
    title: "SQS queues and SNS topics are encrypted with a customer-managed KMS key",
    severity: "medium",
    decisions: ["D2"],
    controls: { fsbp: ["SQS.1", "SNS.1"], checkov: ["CKV_AWS_26", "CKV_AWS_27"] },
    description:
      "Every SQS queue (dead-letter queues included) and every SNS topic sets kmsMasterKeyId to a customer-managed key: " +
      "SSE-SQS and the AWS-managed aws/sns and aws/sqs keys cannot be scoped by a key policy, and SNS cannot deliver " +
      "into a queue encrypted with aws/sqs.",
    remediation: "Set `kmsMasterKeyId: messaging.key.arn` (the messaging CMK, src/messaging/messaging.ts) on the queue or topic.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const { queues, topics } = queuesAndTopics(args);
    for (const queue of queues) {
      if (!encryptedWithCmk(queue)) {
        reportViolation(`${queueLabel(queue)} is not encrypted with a customer-managed KMS key (kmsMasterKeyId is unset or an AWS-managed key).`, queue.urn);
      }
    }
    for (const topic of topics) {
      if (!encryptedWithCmk(topic)) {
        reportViolation(`${topicLabel(topic)} is not encrypted with a customer-managed KMS key (kmsMasterKeyId is unset or an AWS-managed key).`, topic.urn);
      }
    }
  },
});
