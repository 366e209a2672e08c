import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { diffStructure, type SnapshotDiff } from "../../src/offline/diff";
import { readStackConfig } from "../../src/offline/engine/project";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { StackExport } from "../../src/offline/snapshot/types";

/**
 * Everyday changes reviewed as CI reviews them: the real program synthesized for `dev` before and
 * after the change, and the diff between the two. A false "replaces DB host" on a routine change
 * teaches people to ignore the loudest warning.
 */
const ROOT = path.join(__dirname, "..", "..");
const P = "fitness-platform";
const stackConfig = readStackConfig(ROOT, "dev");

async function synth(change: (config: Record<string, Record<string, unknown>>) => void = () => undefined): Promise<StackExport> {
  const config = structuredClone(stackConfig) as Record<string, Record<string, unknown>>;
  change(config);
  return (await synthesizeWith(config)).snapshot;
}

function synthesizeWith(config: Record<string, Record<string, unknown>>) {
  const overrides = Object.fromEntries([`${P}:databases`, `${P}:network`, `${P}:egress`].map((key) => [key, JSON.stringify(config[key])]));
  return synthesize({ stack: "dev", projectRoot: ROOT, configOverrides: overrides });
}

const changesOf = (diff: SnapshotDiff, type: string) => diff.components.flatMap((c) => c.changes).filter((c) => c.type === type);

describe("routine changes to dev do not announce false replacements", () => {
  let base: StackExport;
  beforeAll(async () => {
    base = await synth();
  }, 120_000);

  it("records each resource's ignoreChanges in the snapshot, as the engine does", () => {
    const hosts = base.deployment.resources.filter((r) => r.type === "aws:ec2/instance:Instance" && r.urn.includes("DatabaseHost"));
    expect(hosts.length).toBeGreaterThan(0);
    for (const host of hosts) expect(host.ignoreChanges).toEqual(["ami", "userData", "userDataBase64"]);
  });

  it("bumping databases.amiId replaces no DB host (they ignore AMI changes) and says it is held back", async () => {
    const head = await synth((c) => {
      (c[`${P}:databases`] as { amiId: string }).amiId = "ami-0123456789abcdef0";
    });
    const diff = diffStructure(base, head);
    expect(diff.warnings.filter((w) => w.rule === "critical-replaced")).toEqual([]);
    expect(changesOf(diff, "aws:ec2/instance:Instance").filter((c) => c.op === "replace")).toEqual([]);
    const held = diff.ignored.filter((i) => i.paths.includes("ami"));
    expect(held.length).toBe(base.deployment.resources.filter((r) => r.type === "aws:ec2/instance:Instance" && r.urn.includes("DatabaseHost")).length);
  }, 120_000);

  it("reordering the availability zones changes neither the EKS cluster nor its node group", async () => {
    const head = await synth((c) => {
      const network = c[`${P}:network`] as { availabilityZones: string[] };
      network.availabilityZones = [...network.availabilityZones].reverse();
    });
    const diff = diffStructure(base, head);
    expect(changesOf(diff, "aws:eks/cluster:Cluster")).toEqual([]);
    expect(changesOf(diff, "aws:eks/nodeGroup:NodeGroup")).toEqual([]);
  }, 120_000);

  it("an expired egress exception is left out with a loud warning, not a configuration error", async () => {
    const config = structuredClone(stackConfig) as Record<string, Record<string, unknown>>;
    const expired = {
      host: ".expired.example.org",
      zones: ["app"],
      services: ["notifications"],
      reason: "one-off download during setup",
      ticket: "OPS-9",
      owner: "jane.doe@fitness.example.com",
      granted: "2020-01-01",
      expires: "2020-01-20",
    };
    (config[`${P}:egress`] as { exceptions: unknown[] }).exceptions = [expired];
    const result = await synthesizeWith(config);
    expect(result.warnings).toContainEqual(expect.stringContaining("egress exception .expired.example.org (OPS-9, jane.doe@fitness.example.com) expired on 2020-01-20 and is LEFT OUT"));
    expect(JSON.stringify(result.snapshot)).not.toContain("expired.example.org");
  }, 120_000);

  it("adding an availability zone updates the EKS cluster's subnets in place (not ForceNew) and adds a node group, replacing none", async () => {
    const head = await synth((c) => {
      const network = c[`${P}:network`] as { availabilityZones: string[] };
      network.availabilityZones = [...network.availabilityZones, "eu-central-1c"];
    });
    const diff = diffStructure(base, head);
    // No database host, data volume, bucket or vault is destroyed, replaced or unprotected.
    expect(diff.warnings.filter((w) => w.kind === "critical-data")).toEqual([]);
    const [cluster] = changesOf(diff, "aws:eks/cluster:Cluster");
    expect(cluster).toMatchObject({ op: "update", replaceCauses: [] });
    expect(cluster?.changes.map((p) => p.path)).toEqual([expect.stringMatching(/^vpcConfig\.subnetIds\[\d\]$/) as string]);
    // A node group's subnet_ids is ForceNew: one group per zone means the new zone gets a new group
    // and the existing groups are not touched.
    expect(changesOf(diff, "aws:eks/nodeGroup:NodeGroup").map((c) => [c.op, c.name])).toEqual([["add", "services-cluster-nodes-eu-central-1c"]]);
  }, 120_000);
});
