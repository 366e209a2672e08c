import { defineResourcePolicy } from "../framework/define";
import { flag, num, text } from "../framework/props";
import { describeStatement, isOpenAllow, parsePolicyDocument } from "../iam/document";

const KEY_TYPE = "aws:kms/key:Key";
const REPLICA_TYPE = "aws:kms/replicaKey:ReplicaKey";
const KEY_POLICY_TYPE = "aws:kms/keyPolicy:KeyPolicy";

export const kmsKeyHygiene = defineResourcePolicy({
  meta: {
    id: "KMS-01",
    title: "KMS keys rotate, keep a 30-day deletion window, admit no wildcard principal",
    severity: "high",
    decisions: ["D5", "D7"],
    controls: { fsbp: ["KMS.3", "KMS.4"], cis: ["3.6"], checkov: ["CKV_AWS_7", "CKV_AWS_33"] },
    description:
      "Symmetric customer-managed keys have automatic rotation on; every key's deletion window is at least the minimum " +
      "(30 days), so a scheduled deletion can be noticed and cancelled; no key policy allows a wildcard principal " +
      "without a condition that scopes it by operator and value (a literal account, organisation or ARN; no IfExists, " +
      "negated, Null or wildcard-valued condition).",
    remediation:
      "Set `enableKeyRotation: true` and `deletionWindowInDays: 30`; write key policies that name the account root and the " +
      "roles that use the key (or scope a service principal with kms:CallerAccount / kms:ViaService).",
    enforcementLevel: "mandatory",
  },
  config: {
    minDeletionWindowDays: { type: "integer", minimum: 7, maximum: 30, default: 30 },
  },
  validate: (args, reportViolation) => {
    if (![KEY_TYPE, REPLICA_TYPE, KEY_POLICY_TYPE].includes(args.type)) args.notApplicable("not a KMS key or key policy");
    const label = `KMS ${args.type === KEY_POLICY_TYPE ? "key policy" : "key"} "${args.name}"`;
    if (args.type === KEY_TYPE) {
      const spec = text(args.props["customerMasterKeySpec"]) ?? text(args.props["keySpec"]) ?? "SYMMETRIC_DEFAULT";
      // Only symmetric encryption keys can rotate automatically.
      if (spec === "SYMMETRIC_DEFAULT" && flag(args.props["enableKeyRotation"]) !== true) {
        reportViolation(`${label} does not have automatic rotation enabled (enableKeyRotation).`, undefined, "rotation");
      }
    }
    if (args.type !== KEY_POLICY_TYPE) {
      const minimum = args.getConfig<{ minDeletionWindowDays?: number }>().minDeletionWindowDays ?? 30;
      // Unset means AWS's default of 30 days.
      const window = num(args.props["deletionWindowInDays"]) ?? 30;
      if (window < minimum) {
        reportViolation(`${label} has a deletion window of ${window} days; at least ${minimum} days are required.`, undefined, `deletion window ${window} days`);
      }
    }
    const doc = parsePolicyDocument(args.props["policy"]);
    if (doc === undefined) return;
    if ("error" in doc) {
      reportViolation(`${label}: ${doc.error}.`, undefined, "document");
      return;
    }
    doc.statements.forEach((s, i) => {
      if (isOpenAllow(s)) {
        reportViolation(`${label}: ${describeStatement(s, i)} allows a wildcard principal without a scoping condition.`, undefined, `principal * ${s.actions.join(",")}`);
      }
    });
  },
});
