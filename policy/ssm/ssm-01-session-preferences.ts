import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { flag, isRecord, peekTexts, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";

const DOCUMENT = "aws:ssm/document:Document";
/** Session Manager reads the account's preferences from this Session document (Session Manager user guide). */
export const SESSION_PREFERENCES = "SSM-SessionManagerRunShell";
const HOST_TYPES = ["aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate", "aws:eks/nodeGroup:NodeGroup", "aws:autoscaling/group:Group"];

function inputsOf(doc: PolicyResource): Record<string, unknown> | undefined {
  const raw = doc.props["content"];
  let parsed: unknown = raw;
  if (typeof raw === "string") {
    try {
      parsed = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  const inputs = isRecord(parsed) ? parsed["inputs"] : undefined;
  return isRecord(inputs) ? inputs : undefined;
}

export const ssm01SessionPreferences = defineStackPolicy({
  meta: {
    id: "SSM-01",
    title: "Session Manager sessions are encrypted, and their transcripts logged encrypted",
    severity: "high",
    decisions: ["D4"],
    controls: { checkov: ["CKV_AWS_112", "CKV_AWS_113"] },
    description:
      "A stack with hosts or nodes defines the Session Manager preferences (Session document SSM-SessionManagerRunShell) with " +
      "session data encrypted by a KMS key (kmsKeyId) and transcripts logged to S3 (s3BucketName with s3EncryptionEnabled) or to " +
      "CloudWatch Logs (cloudWatchLogGroupName with cloudWatchEncryptionEnabled): the operator's shells are the audit trail of D4.",
    remediation:
      "Create aws.ssm.Document { name: \"SSM-SessionManagerRunShell\", documentType: \"Session\" } whose inputs set kmsKeyId, " +
      "s3BucketName and s3EncryptionEnabled: true (src/operator/operator-plan.ts renders it).",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    if (index.ofType(...HOST_TYPES).length === 0) args.notApplicable("the stack has no hosts or nodes to open sessions on");
    const docs = index.ofType(DOCUMENT).filter((d) => text(d.props["documentType"]) === "Session" && peekTexts(d.props, "name").includes(SESSION_PREFERENCES));
    if (docs.length === 0) {
      reportViolation(`the stack does not set the Session Manager preferences (Session document ${SESSION_PREFERENCES}): sessions are neither logged nor encrypted with our key.`, undefined, "no preferences");
      return;
    }
    for (const doc of docs) {
      const inputs = inputsOf(doc);
      const label = `Session Manager preferences "${doc.name}"`;
      if (inputs === undefined) {
        reportViolation(`${label}: its content has no inputs.`, doc.urn, "no inputs");
        continue;
      }
      const set = (key: string) => (text(inputs[key]) ?? "") !== "";
      if (!set("kmsKeyId")) reportViolation(`${label} does not encrypt session data with a KMS key (kmsKeyId).`, doc.urn, "no kms key");
      const s3 = set("s3BucketName") && flag(inputs["s3EncryptionEnabled"]) === true;
      const logs = set("cloudWatchLogGroupName") && flag(inputs["cloudWatchEncryptionEnabled"]) === true;
      if (!s3 && !logs) reportViolation(`${label} does not log session transcripts to an encrypted destination (s3BucketName with s3EncryptionEnabled, or cloudWatchLogGroupName with cloudWatchEncryptionEnabled).`, doc.urn, "no transcripts");
    }
  },
});
