import { defineStackPolicy } from "../framework/define";
import { peekTexts, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { waiverLedger } from "../framework/waivers";

const ACCESS_KEY = "aws:iam/accessKey:AccessKey";
const DAY_MS = 24 * 60 * 60 * 1000;

export const iam02AccessKeyAge = defineStackPolicy({
  meta: {
    id: "IAM-02",
    title: "IAM access keys are rotated within 90 days",
    severity: "medium",
    decisions: ["D4", "D5"],
    controls: { fsbp: ["IAM.3"], cis: ["1.14"] },
    description:
      "Every active IAM access key the stack manages was created at most maxAgeDays (default 90) ago, judged from the key's " +
      "createDate in the stack's state against the day of the audit. A key not yet created (preview) has no age.",
    remediation:
      "Rotate the key: create its successor (a new aws.iam.AccessKey, e.g. by renaming the resource), switch the consumer, " +
      "then delete the old one; prefer roles over long-term keys wherever the consumer can assume one.",
    enforcementLevel: "mandatory",
  },
  config: {
    maxAgeDays: { type: "integer", minimum: 1, maximum: 365, default: 90, description: "Oldest allowed active access key, in days." },
  },
  validate: (args, reportViolation) => {
    const keys = new StackIndex(args.resources).ofType(ACCESS_KEY);
    if (keys.length === 0) args.notApplicable("the stack manages no IAM access key");
    const maxAge = args.getConfig<{ maxAgeDays?: number }>().maxAgeDays ?? 90;
    // The audit's day (fixed by the offline auditor, now under the engine), the day waivers are judged on too.
    const today = Date.parse(`${waiverLedger.today()}T00:00:00Z`);
    for (const key of keys) {
      if ((text(key.props["status"]) ?? "Active") !== "Active") continue;
      // createDate is an output: unknown during preview, when the key is new anyway.
      const [created] = peekTexts(key.props, "createDate");
      if (created === undefined || Number.isNaN(Date.parse(created))) continue;
      const age = Math.floor((today - Date.parse(created)) / DAY_MS);
      if (age > maxAge) reportViolation(`access key "${key.name}" was created ${age} days ago (${created.slice(0, 10)}); rotate it within ${maxAge} days.`, key.urn, `created ${created.slice(0, 10)}`);
    }
  },
});
