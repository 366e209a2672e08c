/**
 * Every Helm chart the program installs is in the OCI mirror (ECR) at the pinned version, so no chart
 * is fetched from the internet at deploy time. Helm pushes a chart as an OCI artifact tagged with its
 * version, whose config media type is `application/vnd.cncf.helm.config.v1+json` (Helm docs,
 * "Use OCI-based registries"; ECR reports it as `artifactMediaType`).
 */
import type { Check, Finding } from "../types";
import { type EcrLookup, findImage } from "./ecr-lookup";

export const HELM_CONFIG_MEDIA_TYPE = "application/vnd.cncf.helm.config.v1+json";

export interface ChartEvidence {
  /** `<repository>:<version>` → what ECR answered. */
  readonly lookups: Readonly<Record<string, EcrLookup>>;
}

const NAME = "charts";

export const chartCheck: Check<ChartEvidence> = {
  name: NAME,
  async collect(facts, { clients, accountId }) {
    const lookups: Record<string, EcrLookup> = {};
    for (const chart of facts.charts) lookups[`${chart.repository}:${chart.version}`] = await findImage(clients, accountId, chart.repository, { imageTag: chart.version });
    return { lookups };
  },
  evaluate(facts, evidence) {
    const findings: Finding[] = [];
    for (const chart of facts.charts) {
      const lookup = evidence.lookups[`${chart.repository}:${chart.version}`];
      if (lookup === undefined || "missing" in lookup) {
        const what = lookup !== undefined && lookup.missing === "image" ? `has no version ${chart.version}` : "does not exist";
        findings.push({ check: NAME, severity: "error", problem: `chart ${chart.chart} ${chart.version}: OCI mirror repository ${chart.repository} ${what}`, action: "run the mirror job (it pushes every pinned chart version to ECR)" });
      } else if (lookup.found.artifactMediaType !== HELM_CONFIG_MEDIA_TYPE) {
        findings.push({ check: NAME, severity: "error", problem: `${chart.repository}:${chart.version} is not a Helm chart (artifact media type ${lookup.found.artifactMediaType ?? "none"})`, action: "push the chart with `helm push` (the mirror job) so Helm can pull it" });
      }
    }
    return findings;
  },
};
