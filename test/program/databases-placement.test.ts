/**
 * Issue 19 for the databases: adding an availability zone to a stack, or reordering its AZs, must never
 * move a database member, an etcd node or a data volume. The whole program is synthesised for each stack
 * before and after the change; no input of a database instance, volume or attachment that forces a
 * replacement (src/offline/diff/replace-rules.ts) may differ, and none of them may disappear.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { replacementCauses } from "../../src/offline/diff/replace-rules";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { ROOT, committedConfigData } from "../support/stack-config";

const TYPES = ["aws:ec2/instance:Instance", "aws:ebs/volume:Volume", "aws:ec2/volumeAttachment:VolumeAttachment"];
const GROWN: Record<string, (azs: string[]) => string[]> = {
  // dev: a third AZ at the end; prod: its AZs reversed (eu-central-1 has exactly three: a, b, c).
  dev: (azs) => [...azs, "eu-central-1c"],
  prod: (azs) => [...azs].reverse(),
};
const snapshots: Record<string, StackExport> = {};

beforeAll(async () => {
  for (const stack of ["dev", "prod"]) {
    snapshots[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
    const network = committedConfigData(stack)["fitness-platform:network"] as { availabilityZones: string[] };
    const grown = { ...network, availabilityZones: GROWN[stack]?.(network.availabilityZones) };
    snapshots[`${stack}+az`] = (await synthesize({ stack, projectRoot: ROOT, configOverrides: { network: JSON.stringify(grown) } })).snapshot;
  }
}, 240_000);

function databaseResources(snapshot: StackExport): Map<string, ResourceState> {
  return new Map(snapshot.deployment.resources.filter((r) => TYPES.includes(r.type) && r.urn.includes("fitness:databases:")).map((r) => [r.urn, r]));
}

function changedPaths(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

describe.each(["dev", "prod"])("%s: adding and reordering AZs", (stack) => {
  it("keeps every database member, etcd node, data volume and attachment, with no replacing change", () => {
    const before = databaseResources(snapshots[stack] as StackExport);
    const after = databaseResources(snapshots[`${stack}+az`] as StackExport);
    expect(before.size).toBeGreaterThan(stack === "prod" ? 20 : 10);
    for (const [urn, old] of before) {
      const now = after.get(urn);
      expect(now, `${urn} disappeared`).toBeDefined();
      const changed = changedPaths(old.inputs ?? {}, now?.inputs ?? {});
      expect(replacementCauses(old.type, changed, now?.inputs ?? {}), `${urn}: ${changed.join(", ")}`).toEqual([]);
    }
  });

  it("really changed the network (the test would see a moved subnet)", () => {
    const subnets = (s: StackExport) => s.deployment.resources.filter((r) => r.type === "aws:ec2/subnet:Subnet").length;
    if (stack === "dev") {
      expect(subnets(snapshots[`${stack}+az`] as StackExport)).toBeGreaterThan(subnets(snapshots[stack] as StackExport));
      return;
    }
    // prod's region has no fourth zone: the same zones, configured in another order (subnets are keyed by AZ letter).
    const zones = (committedConfigData(stack)["fitness-platform:network"] as { availabilityZones: string[] }).availabilityZones;
    const reordered = GROWN[stack]?.(zones) ?? zones;
    expect(reordered).not.toEqual(zones);
    expect([...reordered].sort()).toEqual([...zones].sort());
  });
});
