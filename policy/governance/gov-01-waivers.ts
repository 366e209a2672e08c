import { defineStackPolicy } from "../framework/define";
import { waiverLedger, waiverProblems } from "../framework/waivers";

/**
 * Judges every waiver the pack's policies were configured with. It must be the last stack policy of
 * the registry: the ledger is filled as the other policies run (see framework/waivers.ts).
 */
export const govWaivers = defineStackPolicy({
  meta: {
    id: "GOV-01",
    title: "Waivers carry reason, approver and expiry; expired waivers fail",
    severity: "high",
    decisions: ["D1", "D2", "D3", "D4", "D5", "D6", "D7"],
    controls: { other: ["Pulumi policy exceptions", "tfsec/Trivy exp: ignores"] },
    description:
      "Every waiver in the policy configuration names the resource and carries a reason and an approver; waivers of " +
      "critical and high rules carry an expiry date; a waiver past its expiry fails. Valid waivers suppress the " +
      "violation they name and are listed in the audit reports; invalid ones suppress nothing.",
    remediation:
      "Fix the waiver in policy/config/<stack>.json (under the waived policy's `waivers`): add reason, approver and " +
      "expiry (YYYY-MM-DD), or remove it once the violation is fixed; renewing an expired waiver needs a new approval.",
    enforcementLevel: "mandatory",
  },
  validate: (_args, reportViolation) => {
    const today = waiverLedger.today();
    for (const { meta, waivers } of waiverLedger.entries()) {
      for (const waiver of waivers) {
        const problems = waiverProblems(waiver, meta, today);
        if (problems.length === 0) continue;
        const who = waiver.approver === undefined ? "" : ` approved by ${waiver.approver}`;
        reportViolation(`waiver of ${meta.id} for "${waiver.resource}"${who} is invalid: ${problems.join("; ")}.`);
      }
    }
  },
});
