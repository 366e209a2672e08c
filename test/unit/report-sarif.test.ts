import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderReport, reportContext, runAudit } from "../../src/offline/audit";
import { fromStackExport } from "../../src/offline/audit/input";
import { readSnapshot } from "../../src/offline/snapshot/reader";

interface SarifLog {
  runs: {
    tool: { driver: { rules: { id: string; helpUri?: string; help: { markdown: string } }[] } };
    results: {
      ruleId: string;
      partialFingerprints: Record<string, string>;
      locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number; startColumn?: number } }; logicalLocations?: { fullyQualifiedName: string }[] }[];
    }[];
  }[];
}

describe("SARIF for code scanning", async () => {
  const snapshot = readSnapshot(path.join(__dirname, "..", "fixtures", "diff", "head.json"));
  const queue = snapshot.deployment.resources.find((r) => r.urn.endsWith("::shop-events"));
  if (queue === undefined) throw new Error("fixture lost its queue");
  queue.sourcePosition = "project:///src/messaging/messaging.ts#42,7";
  const input = fromStackExport(snapshot, "stack.json");
  const result = await runAudit(input, {});
  const sarif = JSON.parse(renderReport(result, "sarif", reportContext(input.resources, { GITHUB_REPOSITORY: "acme/fitness" }))) as SarifLog;
  const run = sarif.runs[0];
  if (run === undefined) throw new Error("no run");

  it("locates a result on the program line that declares the resource, else on the stack file", () => {
    const onQueue = run.results.filter((r) => r.locations[0]?.logicalLocations?.[0]?.fullyQualifiedName === queue.urn);
    expect(onQueue.length).toBeGreaterThan(0);
    for (const r of onQueue) {
      expect(r.locations[0]?.physicalLocation).toMatchObject({ artifactLocation: { uri: "src/messaging/messaging.ts", uriBaseId: "%SRCROOT%" }, region: { startLine: 42, startColumn: 7 } });
    }
    const others = run.results.filter((r) => !onQueue.includes(r));
    expect(others.length).toBeGreaterThan(0);
    for (const r of others) expect(r.locations[0]?.physicalLocation.artifactLocation.uri).toBe("Pulumi.dev.yaml");
    expect(JSON.stringify(sarif)).not.toContain('"uri": "stack.json"');
  });

  it("gives every result a stable fingerprint and every rule a help link", () => {
    const prints = run.results.map((r) => r.partialFingerprints.findingKey);
    expect(prints.every((p) => typeof p === "string" && p.length > 0)).toBe(true);
    expect(new Set(prints).size).toBe(prints.length);
    for (const rule of run.tool.driver.rules) {
      expect(rule.helpUri).toBe(`https://github.com/acme/fitness/blob/HEAD/docs/policies.md#${rule.id.toLowerCase()}`);
      expect(rule.help.markdown).toContain(`docs/policies.md#${rule.id.toLowerCase()}`);
    }
  });
});
