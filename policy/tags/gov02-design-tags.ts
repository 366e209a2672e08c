import { isTaggableAwsType } from "../../src/conventions/taggable";
import { REQUIRED_TAG_KEYS } from "../../src/conventions/tags";
import { defineResourcePolicy } from "../framework/define";
import { at, record, tagsOf, text } from "../framework/props";

const ALLOWED_VALUES: Readonly<Record<string, readonly string[]>> = {
  zone: ["dmz", "app", "data", "global"],
  "data-class": ["critical", "internal"],
  "managed-by": ["pulumi"],
};

export const gov02DesignTags = defineResourcePolicy({
  meta: {
    id: "GOV-02",
    title: "Design tags on every taggable resource",
    severity: "high",
    decisions: ["D1", "D2", "D3", "D4", "D5", "D6", "D7"],
    controls: { other: ["AWS tagging best practices"] },
    description:
      "Every taggable AWS resource carries the design's tags: project, environment, zone (dmz|app|data|global), component, " +
      "data-class (critical|internal) and managed-by=pulumi. Zone and data-class drive other rules (network zones, backups).",
    remediation:
      "Pass `tags: ctx.tags({ component, zone, dataClass })` (src/conventions/tags.ts) to the resource; never build tag maps by hand.",
    enforcementLevel: "mandatory",
  },
  config: {
    environment: { type: "string", description: "The stack's environment; the environment tag must equal it." },
    project: { type: "string", description: "The project name; the project tag must equal it." },
  },
  validate: (args, reportViolation) => {
    if (!isTaggableAwsType(args.type)) args.notApplicable(`${args.type} does not take tags`);
    const expected = args.getConfig<{ environment?: string; project?: string }>();
    // Provider default tags reach the resource too, so they count.
    const defaults = record(at(args.provider?.props, "defaultTags", "tags")) ?? {};
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(defaults)) if (typeof v === "string") tags[k] = v;
    Object.assign(tags, tagsOf(args.props));

    const missing = REQUIRED_TAG_KEYS.filter((key) => text(tags[key]) === undefined || tags[key] === "");
    if (missing.length > 0) {
      reportViolation(`${args.type} "${args.name}" is missing the design tags: ${missing.join(", ")}.`);
    }
    for (const [key, allowed] of Object.entries(ALLOWED_VALUES)) {
      const value = tags[key];
      if (value !== undefined && value !== "" && !allowed.includes(value)) {
        reportViolation(`${args.type} "${args.name}" has tag ${key}="${value}"; allowed: ${allowed.join(", ")}.`);
      }
    }
    for (const key of ["environment", "project"] as const) {
      const want = expected[key];
      const value = tags[key];
      if (want !== undefined && value !== undefined && value !== "" && value !== want) {
        reportViolation(`${args.type} "${args.name}" has tag ${key}="${value}" but this stack's ${key} is "${want}".`);
      }
    }
  },
});
