import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CHART_PINS, chartPinKey } from "../../src/mirror/chart-pins";
import { committedManifest } from "../../src/mirror/chart-repositories";
import { MIRROR_STACKS } from "../../src/mirror/derive";
import { deriveMirrorManifest } from "../../src/mirror/manifest";
import { readStackConfig } from "../../src/offline/engine/project";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState } from "../../src/offline/snapshot/types";

/**
 * Day 0 (issue 13): every Helm chart the platform installs comes from this account's ECR (the mirror job
 * filled it) and has a pinned upstream digest, so the first deploy neither fetches a chart from the
 * internet nor stops at the mirror job's "no pinned digest".
 */
const ROOT = path.resolve(__dirname, "..", "..");
const HELM_TYPES = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v4:Chart"]);
const SHA256 = /^sha256:[0-9a-f]{64}$/;

/** What is wrong with one Helm resource of a stack whose registry is `registry`, or nothing. */
function chartProblems(r: ResourceState, registry: string, project: string): string[] {
  const name = r.urn.split("::").pop() ?? r.urn;
  const chart = String(r.inputs?.["chart"] ?? "");
  const version = String(r.inputs?.["version"] ?? "");
  const problems: string[] = [];
  const repo = r.inputs?.["repositoryOpts"] ?? r.inputs?.["fetchOpts"];
  if (repo !== undefined) problems.push(`${name}: names a chart repository ${JSON.stringify(repo)}`);
  const prefix = `oci://${registry}/${project}/charts/`;
  if (!chart.startsWith(prefix) || chart.slice(prefix.length).includes("/")) problems.push(`${name}: chart "${chart}" is not in ${prefix}<chart>`);
  const chartName = chart.split("/").pop() ?? chart;
  const pin = CHART_PINS[chartPinKey(chartName, version)];
  if (pin === undefined) problems.push(`${name}: ${chartName}@${version} has no pin in src/mirror/chart-pins.ts`);
  else if (!SHA256.test(pin.digest) || pin.source.trim() === "") problems.push(`${name}: the pin of ${chart}@${version} is not a cited sha256 digest`);
  return problems;
}

const snapshots = new Map<string, { resources: readonly ResourceState[]; registry: string }>();

beforeAll(async () => {
  for (const stack of MIRROR_STACKS) {
    const config = readStackConfig(ROOT, stack);
    const account = (config["aws:allowedAccountIds"] as string[])[0] ?? "";
    const region = String(config["aws:region"]);
    const { snapshot } = await synthesize({ stack, projectRoot: ROOT });
    snapshots.set(stack, { resources: snapshot.deployment.resources, registry: `${account}.dkr.ecr.${region}.amazonaws.com` });
  }
}, 120_000);

describe("Helm charts in dev and prod", () => {
  it.each(MIRROR_STACKS)("%s: every Helm release installs a pinned chart from this account's ECR, and names no other repository", (stack) => {
    const { resources, registry } = snapshots.get(stack) ?? { resources: [], registry: "" };
    const helm = resources.filter((r) => HELM_TYPES.has(r.type));
    // The platform installs these four; a release that disappears is a change worth a failing test too.
    expect(helm.map((r) => String(r.inputs?.["chart"]).split("/").pop()).sort()).toEqual(["aws-load-balancer-controller", "cluster-autoscaler", "fluent-bit", "gateway-helm"]);
    expect(helm.flatMap((r) => chartProblems(r, registry, "fitness-platform"))).toEqual([]);
  });

  it("the checker fails a release from an HTTP repository, from another account's registry, and an unpinned version", () => {
    const registry = "111111111111.dkr.ecr.eu-central-1.amazonaws.com";
    const release = (inputs: Record<string, unknown>): ResourceState => ({ urn: "urn:pulumi:dev::p::kubernetes:helm.sh/v3:Release::x", custom: true, type: "kubernetes:helm.sh/v3:Release", inputs });
    expect(chartProblems(release({ chart: "fluent-bit", version: "0.48.9", repositoryOpts: { repo: "https://fluent.github.io/helm-charts" } }), registry, "fitness-platform")).toEqual([
      'x: names a chart repository {"repo":"https://fluent.github.io/helm-charts"}',
      `x: chart "fluent-bit" is not in oci://${registry}/fitness-platform/charts/<chart>`,
    ]);
    expect(chartProblems(release({ chart: "oci://222222222222.dkr.ecr.eu-central-1.amazonaws.com/fitness-platform/charts/fluent-bit", version: "0.48.9" }), registry, "fitness-platform")).toEqual([
      'x: chart "oci://222222222222.dkr.ecr.eu-central-1.amazonaws.com/fitness-platform/charts/fluent-bit" is not in oci://111111111111.dkr.ecr.eu-central-1.amazonaws.com/fitness-platform/charts/<chart>',
    ]);
    expect(chartProblems(release({ chart: `oci://${registry}/fitness-platform/charts/fluent-bit`, version: "0.48.10" }), registry, "fitness-platform")).toEqual([
      "x: fluent-bit@0.48.10 has no pin in src/mirror/chart-pins.ts",
    ]);
    expect(chartProblems(release({ chart: `oci://${registry}/fitness-platform/charts/fluent-bit`, version: "0.48.9" }), registry, "fitness-platform")).toEqual([]);
  });
});

describe("chart pins and the mirror manifest", () => {
  it("the committed manifest lists every chart with exactly its pin, and no pin is left without a chart", () => {
    const charts = committedManifest().charts;
    expect(charts.map((c) => [chartPinKey(c.chart, c.version), c.digest])).toEqual(charts.map((c) => [chartPinKey(c.chart, c.version), CHART_PINS[chartPinKey(c.chart, c.version)]?.digest]));
    expect(charts.every((c) => c.digest !== undefined && SHA256.test(c.digest))).toBe(true);
    expect(Object.keys(CHART_PINS).sort()).toEqual(charts.map((c) => chartPinKey(c.chart, c.version)).sort());
  });

  it("deriving the manifest refuses a Helm release from outside the stack's ECR, with one line naming it", () => {
    const registry = "111111111111.dkr.ecr.eu-central-1.amazonaws.com";
    const release = (inputs: Record<string, unknown>): ResourceState => ({ urn: "urn:pulumi:dev::p::kubernetes:helm.sh/v3:Release::logs", custom: true, type: "kubernetes:helm.sh/v3:Release", inputs });
    const use = (r: ResourceState) => [{ stack: "dev", mirrored: [], chartUpstreams: { "fluent-bit": "https://fluent.github.io/helm-charts" }, registry, resources: [r] }];
    expect(() => deriveMirrorManifest(use(release({ chart: "fluent-bit", version: "0.48.9", repositoryOpts: { repo: "https://fluent.github.io/helm-charts" } })))).toThrow(
      /^stack "dev": Helm release logs installs chart "fluent-bit" from https:\/\/fluent\.github\.io\/helm-charts, not from this account's ECR mirror: allowed: oci:\/\/111111111111\.dkr\.ecr\.eu-central-1\.amazonaws\.com\/<project>\/charts\/<chart>/,
    );
    expect(() => deriveMirrorManifest(use(release({ chart: "oci://222222222222.dkr.ecr.eu-central-1.amazonaws.com/fitness-platform/charts/fluent-bit", version: "0.48.9" })))).toThrow(
      /installs chart fluent-bit from 222222222222\.dkr\.ecr\.eu-central-1\.amazonaws\.com, another account's or region's registry/,
    );
    const ok = deriveMirrorManifest(use(release({ chart: `oci://${registry}/fitness-platform/charts/fluent-bit`, version: "0.48.9" })));
    expect(ok.charts).toEqual([{ chart: "fluent-bit", version: "0.48.9", repository: "https://fluent.github.io/helm-charts", digest: CHART_PINS["fluent-bit@0.48.9"]?.digest }]);
  });
});
