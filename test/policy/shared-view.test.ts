import type { PolicyResource } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { defineResourcePolicy, defineStackPolicy } from "../../policy/framework/define";
import type { PolicyMetadata } from "../../policy/framework/metadata";
import { peekTexts } from "../../policy/framework/props";
import { AuditRunError, runAudit } from "../../src/offline/audit";
import { TODAY } from "./support/audit";
import { FixtureStack } from "./support/fixture-stack";

/**
 * The offline auditor builds the stack policies' view of the resources once and shares it (the engine
 * builds one per policy). Sharing must not let one policy change what another sees: every way of
 * changing it is refused, and a policy evaluated after an attempt sees the snapshot as it is.
 */
function meta(id: string): PolicyMetadata {
  return { id, title: id, severity: "high", decisions: ["D6"], controls: { checkov: ["CKV_TEST"] }, description: `${id} test policy`, remediation: "fix it", enforcementLevel: "advisory" };
}

function stack(): FixtureStack {
  const fx = new FixtureStack();
  const bucket = fx.add("aws:s3/bucket:Bucket", "logs", { bucket: "logs", tags: { zone: "data" }, rules: [{ id: "r1", days: 30 }] });
  fx.add("aws:s3/bucketPolicy:BucketPolicy", "logs-policy", { bucket: "logs", policy: "{}" }, { deps: { bucket: [bucket] } });
  return fx;
}

const bucketOf = (resources: readonly PolicyResource[]): PolicyResource => resources.find((r) => r.type === "aws:s3/bucket:Bucket") as PolicyResource;
const policyOf = (resources: readonly PolicyResource[]): PolicyResource => resources.find((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy") as PolicyResource;

/** Every change a careless policy could try, each caught on its own. */
const ATTEMPTS: ReadonlyArray<[string, (resources: PolicyResource[]) => void]> = [
  ["set a property", (rs) => void ((bucketOf(rs).props as Record<string, unknown>)["bucket"] = "other")],
  ["set a nested property", (rs) => void ((bucketOf(rs).props["tags"] as Record<string, unknown>)["zone"] = "dmz")],
  ["push into a nested list", (rs) => void (bucketOf(rs).props["rules"] as unknown[]).push({ id: "r2" })],
  ["delete a property", (rs) => void delete (bucketOf(rs).props as Record<string, unknown>)["tags"]],
  ["define a property", (rs) => void Object.defineProperty(bucketOf(rs).props, "acl", { value: "public-read" })],
  ["change a value reached through a property descriptor", (rs) => void ((Object.getOwnPropertyDescriptor(bucketOf(rs).props, "tags")?.value as Record<string, unknown>)["zone"] = "dmz")],
  ["replace the props object", (rs) => void ((bucketOf(rs) as { props: unknown }).props = {})],
  ["re-parent a resource", (rs) => void ((policyOf(rs) as { parent?: unknown }).parent = undefined)],
  ["drop a dependency", (rs) => void (policyOf(rs).dependencies as unknown[]).pop()],
  ["drop a property dependency", (rs) => void delete (policyOf(rs).propertyDependencies as Record<string, unknown>)["bucket"]],
  ["change resource options", (rs) => void ((bucketOf(rs).opts as { protect: boolean }).protect = true)],
  ["sort the resource list in place", (rs) => void rs.sort((a, b) => b.urn.localeCompare(a.urn))],
  ["empty the resource list", (rs) => void rs.splice(0)],
];

/** What a later policy reads: it must be the snapshot's state whatever came before. */
function observe(resources: readonly PolicyResource[]): unknown {
  const bucket = bucketOf(resources);
  const policy = policyOf(resources);
  return {
    order: resources.map((r) => r.name),
    bucket: JSON.parse(JSON.stringify(bucket.props)) as unknown,
    peeked: peekTexts(bucket.props["tags"], "zone"),
    protect: bucket.opts.protect,
    parent: policy.parent?.name,
    dependencies: policy.dependencies.map((d) => d.name),
    bucketDependency: policy.propertyDependencies["bucket"]?.map((d) => d.name),
  };
}

describe("stack policies share one read-only view of the resources", () => {
  it.each(ATTEMPTS)("a policy that tries to %s fails, and the next policy sees the snapshot unchanged", async (_what, attempt) => {
    const seen: unknown[] = [];
    const observer = (id: string) =>
      defineStackPolicy({
        meta: meta(id),
        validate: (args) => {
          seen.push(observe(args.resources));
        },
      });
    const meddler = defineStackPolicy({ meta: meta("P-MEDDLER"), validate: (args) => attempt(args.resources) });
    const snapshot = stack().toExport();
    const before = await runAudit(snapshot, { now: TODAY, policies: [observer("P-FIRST")] });
    expect(before.violations).toEqual([]);
    // The meddler runs between the two observers; the audit stops on it as on any policy defect.
    await expect(runAudit(snapshot, { now: TODAY, policies: [observer("P-FIRST"), meddler, observer("P-LAST")] })).rejects.toThrow(AuditRunError);
    await expect(runAudit(snapshot, { now: TODAY, policies: [observer("P-FIRST"), meddler, observer("P-LAST")] })).rejects.toThrow(/P-MEDDLER failed: .*(read-only|frozen|not extensible|read only|Cannot)/);
    // Caught and ignored by the policy itself, the attempt still changes nothing for the next one.
    const swallowing = defineStackPolicy({
      meta: meta("P-SWALLOWING"),
      validate: (args) => {
        try {
          attempt(args.resources);
        } catch {
          // a careless policy
        }
      },
    });
    seen.length = 0;
    await runAudit(snapshot, { now: TODAY, policies: [observer("P-FIRST"), swallowing, observer("P-LAST")] });
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[0]).toMatchObject({ bucket: { bucket: "logs", tags: { zone: "data" }, rules: [{ id: "r1", days: 30 }] }, peeked: ["data"], protect: false, parent: "fitness-platform-test", dependencies: ["logs"], bucketDependency: ["logs"] });
  });

  it("resource policies share one read-only copy of each resource's inputs too", async () => {
    const values: unknown[] = [];
    const meddling = defineResourcePolicy({
      meta: meta("P-RESOURCE-MEDDLER"),
      validate: (args) => {
        if (args.type !== "aws:s3/bucket:Bucket") args.notApplicable("buckets only");
        try {
          (args.props["tags"] as Record<string, unknown>)["zone"] = "dmz";
        } catch {
          // a careless policy
        }
      },
    });
    const reading = defineResourcePolicy({
      meta: meta("P-RESOURCE-READER"),
      validate: (args) => {
        if (args.type !== "aws:s3/bucket:Bucket") args.notApplicable("buckets only");
        values.push(JSON.parse(JSON.stringify(args.props["tags"])));
      },
    });
    await runAudit(stack().toExport(), { now: TODAY, policies: [meddling, reading] });
    expect(values).toEqual([{ zone: "data" }]);
  });

  it("still reads like the engine's views: spread, entries, iteration, JSON, array methods, unknown values throw", async () => {
    const fx = stack();
    fx.add("aws:ec2/instance:Instance", "pending", { instanceType: "t3.small", userData: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", tags: { zone: "app" } });
    const reads: unknown[] = [];
    const reader = defineStackPolicy({
      meta: meta("P-READER"),
      validate: (args) => {
        const bucket = bucketOf(args.resources);
        const rules = bucket.props["rules"] as Array<Record<string, unknown>>;
        reads.push({
          spread: { ...(bucket.props["tags"] as object) },
          entries: Object.entries(bucket.props["tags"] as object),
          mapped: rules.map((r) => r["id"]),
          filtered: rules.filter((r) => r["days"] === 30).length,
          iterated: [...rules].length,
          isArray: Array.isArray(rules),
          has: "tags" in bucket.props,
          keys: Object.keys(bucket.props).includes("bucket"),
        });
        const pending = args.resources.find((r) => r.name === "pending") as PolicyResource;
        reads.push(peekTexts(pending.props, "userData"));
        void pending.props["userData"];
      },
    });
    const result = await runAudit(fx.toExport(), { now: TODAY, policies: [reader] });
    expect(reads[0]).toEqual({ spread: { zone: "data" }, entries: [["zone", "data"]], mapped: ["r1"], filtered: 1, iterated: 1, isArray: true, has: true, keys: true });
    expect(reads[1]).toEqual([]);
    expect(result.violations.map((v) => [v.kind, v.message])).toEqual([["unchecked", "cannot be checked during preview: string value at .userData can't be known during preview"]]);
  });
});
