import { defineStackPolicy } from "../framework/define";
import { at, num, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { isCustomerManagedKey } from "../kms/keys";

const SECRET = "aws:secretsmanager/secret:Secret";
const ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";

export const sm01SecretsCmkRotation = defineStackPolicy({
  meta: {
    id: "SM-01",
    title: "Secrets Manager secrets use a customer-managed key and rotate",
    severity: "high",
    decisions: ["D5"],
    controls: { fsbp: ["SecretsManager.1", "SecretsManager.4"], checkov: ["CKV_AWS_149", "CKV2_AWS_57"] },
    description:
      "Every Secrets Manager secret is encrypted with a customer-managed KMS key (kmsKeyId naming a key of this stack or a " +
      "non-AWS-managed key), and has automatic rotation (an aws.secretsmanager.SecretRotation) at most every maxRotationDays " +
      "(default 90). A secret that cannot rotate (a backup cipher passphrase, a key whose rotation is a re-issue) carries a " +
      "waiver of its `rotation` finding saying why.",
    remediation:
      "Set kmsKeyId to the area's customer-managed key; add aws.secretsmanager.SecretRotation with a rotation function and " +
      "rotationRules.automaticallyAfterDays, or waive the secret's `rotation` finding in policy/config/<stack>.json with the reason.",
    enforcementLevel: "mandatory",
  },
  config: {
    maxRotationDays: { type: "integer", minimum: 1, maximum: 365, default: 90, description: "Longest allowed rotation interval in days." },
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const secrets = index.ofType(SECRET);
    if (secrets.length === 0) args.notApplicable("the stack has no Secrets Manager secret");
    const maxDays = args.getConfig<{ maxRotationDays?: number }>().maxRotationDays ?? 90;
    for (const secret of secrets) {
      const label = `secret "${secret.name}"`;
      if (!isCustomerManagedKey(secret, "kmsKeyId", secret.props, "kmsKeyId")) {
        reportViolation(`${label} is encrypted with the AWS-managed key (no customer-managed kmsKeyId).`, secret.urn, "aws-managed key");
      }
      const rotations = index.referrers(secret, [ROTATION], "secretId");
      if (rotations.length === 0) {
        reportViolation(`${label} does not rotate (no SecretRotation).`, secret.urn, "rotation");
        continue;
      }
      for (const rotation of rotations) {
        const days = num(at(rotation.props["rotationRules"], "automaticallyAfterDays"));
        const schedule = text(at(rotation.props["rotationRules"], "scheduleExpression"));
        if (days === undefined && schedule === undefined) reportViolation(`${label}: its rotation has no schedule.`, secret.urn, "rotation schedule");
        else if (days !== undefined && days > maxDays) reportViolation(`${label} rotates every ${days} days; at most ${maxDays}.`, secret.urn, `rotation every ${days} days`);
      }
    }
  },
});
