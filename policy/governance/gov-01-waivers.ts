import { defineStackPolicy } from "../framework/define";
import { waiverLedger, waiverProblems } from "../framework/waivers";

/**
 * Judges every waiver the pack's policies were configured with. It must be the last stack policy of
 * the registry: the ledger is filled as the other policies run (see framework/waivers.ts).
 */
export const govWaivers = defineStackPolicy({
  meta: {
    id: "GOV-01",
    title: "Waivers accept one finding and carry reason, approver and expiry; expired waivers fail",
    severity: "high",
    decisions: ["D1", "D2", "D3", "D4", "D5", "D6", "D7"],
    controls: { other: ["Pulumi policy exceptions", "tfsec/Trivy exp: ignores"] },
    description:
      "Every waiver in the policy configuration names the resource and the finding it accepts (the finding's own key: port " +
      "range and source, action, principal ...), and carries a reason and an approver; waivers of critical and high rules " +
      "carry an expiry date; a waiver past its expiry fails. A valid waiver suppresses exactly the finding it names (a wider " +
      "opening has another key and fails again) and is listed in the audit reports; an invalid one suppresses nothing.",
    remediation:
      "Fix the waiver in policy/config/<stack>.json (under the waived policy's `waivers`): name the finding (the key the " +
      "violation shows as [finding <key>]), add reason, approver and expiry (YYYY-MM-DD), or remove it once the violation is " +
      "fixed; renewing an expired waiver needs a new approval.",
    enforcementLevel: "mandatory",
  },
  validate: (_args, reportViolation) => {
    const today = waiverLedger.today();
    for (const { meta, waivers } of waiverLedger.entries()) {
      for (const waiver of waivers) {
        const problems = waiverProblems(waiver, meta, today);
        if (problems.length === 0) continue;
        const who = waiver.approver === undefined ? "" : ` approved by ${waiver.approver}`;
        const finding = waiver.finding === undefined ? "" : ` (finding "${waiver.finding}")`;
        reportViolation(`waiver of ${meta.id} for "${waiver.resource}"${finding}${who} is invalid: ${problems.join("; ")}.`, undefined, `${meta.id} ${waiver.resource} ${waiver.finding ?? ""}`);
      }
    }
  },
});
