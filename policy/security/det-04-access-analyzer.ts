import { defineStackPolicy } from "../framework/define";
import { text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { ACCESS_ANALYZER } from "./types";

/** External-access analyzers; the *_UNUSED_ACCESS kinds look at something else. */
const EXTERNAL_ACCESS = new Set(["ACCOUNT", "ORGANIZATION"]);

export const det04AccessAnalyzer = defineStackPolicy({
  meta: {
    id: "DET-04",
    title: "IAM Access Analyzer watches for external access",
    severity: "medium",
    decisions: ["D4", "D5"],
    controls: { cis: ["1.20"] },
    description: "The stack creates an IAM Access Analyzer of type ACCOUNT or ORGANIZATION (external access findings).",
    remediation: 'Add aws.accessanalyzer.Analyzer { type: "ACCOUNT" } (src/security/detective-controls.ts).',
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const analyzers = new StackIndex(args.resources).ofType(ACCESS_ANALYZER).filter((a) => EXTERNAL_ACCESS.has(text(a.props["type"]) ?? "ACCOUNT"));
    if (analyzers.length === 0) reportViolation("the stack has no IAM Access Analyzer for external access (type ACCOUNT or ORGANIZATION).", undefined, "no analyzer");
  },
});
