import * as aws from "@pulumi/aws";
import { validateResourceOfType, type PolicyResource } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { defineResourcePolicy, defineStackPolicy } from "../../policy/framework/define";
import type { PolicyMetadata } from "../../policy/framework/metadata";
import { packInfo } from "../../policy/registry";
import { AuditRunError, parseAuditInput, PolicyConfigError, renderReport, runAudit } from "../../src/offline/audit";
import { TODAY } from "./support/audit";
import { FixtureStack } from "./support/fixture-stack";

/** The offline runner against the engine's semantics, with small policies written for the purpose. */
function meta(id: string, enforcementLevel?: PolicyMetadata["enforcementLevel"]): PolicyMetadata {
  return {
    id,
    title: id,
    severity: "high",
    decisions: ["D5"],
    controls: { checkov: ["CKV_TEST"] },
    description: `${id} test policy`,
    remediation: "fix it",
    ...(enforcementLevel === undefined ? {} : { enforcementLevel }),
  };
}

/** Reports every bucket it sees, with the value of `marker` it was given. */
const reportsBuckets = (id: string, level?: PolicyMetadata["enforcementLevel"]) =>
  defineResourcePolicy({
    meta: meta(id, level),
    validate: (args, report) => {
      if (args.type !== "aws:s3/bucket:Bucket") args.notApplicable("buckets only");
      report(`saw marker ${String(args.props["marker"])}`);
    },
  });

function bucketStack(): FixtureStack {
  const fx = new FixtureStack();
  fx.add("aws:s3/bucket:Bucket", "b", { bucket: "b", marker: "input" }, { outputs: { bucket: "b", marker: "output", id: "b" } });
  return fx;
}

async function levels(config: Record<string, unknown>, pack = packInfo): Promise<Record<string, string | undefined>> {
  const result = await runAudit(bucketStack().toExport(), { now: TODAY, config, pack, policies: [reportsBuckets("P-OWN-NONE"), reportsBuckets("P-OWN-MANDATORY", "mandatory")] });
  return Object.fromEntries(result.policies.map((p) => [p.id, result.violations.find((v) => v.policy === p.id)?.level ?? `none (${p.enforcementLevel})`]));
}

describe("enforcement levels resolve as the engine resolves them", () => {
  it("falls back from the policy's own level to the pack default", async () => {
    expect(await levels({})).toEqual({ "P-OWN-NONE": "advisory", "P-OWN-MANDATORY": "mandatory" });
    expect(await levels({}, { ...packInfo, enforcementLevel: "mandatory" })).toEqual({ "P-OWN-NONE": "mandatory", "P-OWN-MANDATORY": "mandatory" });
  });

  it("lets \"all\" override the policies' own levels, and a policy's config override \"all\"", async () => {
    expect(await levels({ all: "advisory" })).toEqual({ "P-OWN-NONE": "advisory", "P-OWN-MANDATORY": "advisory" });
    expect(await levels({ all: "advisory", "P-OWN-MANDATORY": { enforcementLevel: "mandatory" } })).toEqual({ "P-OWN-NONE": "advisory", "P-OWN-MANDATORY": "mandatory" });
  });

  it("skips disabled policies and reports remediate as mandatory", async () => {
    expect(await levels({ "P-OWN-NONE": "disabled", "P-OWN-MANDATORY": "remediate" })).toEqual({ "P-OWN-NONE": "none (disabled)", "P-OWN-MANDATORY": "mandatory" });
  });

  it("fails the audit on mandatory violations only", async () => {
    const advisory = await runAudit(bucketStack().toExport(), { now: TODAY, policies: [reportsBuckets("P")] });
    const mandatory = await runAudit(bucketStack().toExport(), { now: TODAY, policies: [reportsBuckets("P", "mandatory")] });
    expect([advisory.summary.passed, mandatory.summary.passed]).toEqual([true, false]);
  });
});

describe("what policies see", () => {
  it("gives resource policies the inputs and stack policies the outputs", async () => {
    let stackSaw: unknown;
    const stackPolicy = defineStackPolicy({
      meta: meta("S"),
      validate: (args) => {
        stackSaw = args.resources.find((r) => r.type === "aws:s3/bucket:Bucket")?.props["marker"];
      },
    });
    const result = await runAudit(bucketStack().toExport(), { now: TODAY, policies: [reportsBuckets("R"), stackPolicy] });
    expect(result.violations.map((v) => v.message)).toEqual(["saw marker input"]);
    expect(stackSaw).toBe("output");
  });

  it("links stack resources to their parent, dependencies and property dependencies as objects", async () => {
    const fx = new FixtureStack();
    const component = fx.add("fitness:logs:LogArchive", "archive", {}, { custom: false });
    const key = fx.add("aws:kms/key:Key", "k", { enableKeyRotation: true }, { parent: component });
    const bucket = fx.add("aws:s3/bucket:Bucket", "b", { bucket: "b" }, { parent: component });
    fx.add("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "sse", { bucket: "b", rules: [] }, { parent: component, deps: { bucket: [bucket], rules: [key] } });
    let seen: readonly PolicyResource[] = [];
    await runAudit(fx.toExport(), { now: TODAY, policies: [defineStackPolicy({ meta: meta("LINKS"), validate: (args) => { seen = args.resources; } })] });
    const by = (suffix: string) => seen.find((r) => r.urn.endsWith(suffix)) as PolicyResource;
    const sse = by("::sse");
    expect(sse.parent).toBe(by("::archive"));
    expect(sse.dependencies).toEqual([by("::b"), by("::k")]);
    expect(sse.dependencies[0]).toBe(by("::b"));
    expect(sse.propertyDependencies["rules"]?.[0]).toBe(by("::k"));
    expect(by("::archive").parent).toBe(by("::fitness-platform-test"));
  });

  it("passes no provider resources and no pending deletes to any policy", async () => {
    const fx = bucketStack();
    fx.add("aws:s3/bucket:Bucket", "old", { bucket: "old", marker: "deleted" });
    const snapshot = fx.toExport();
    const old = snapshot.deployment.resources.find((r) => r.urn.endsWith("::old"));
    if (old !== undefined) old.delete = true;
    const types: string[] = [];
    const spy = defineResourcePolicy({ meta: meta("SPY"), validate: (args) => void types.push(args.type) });
    const result = await runAudit(snapshot, { now: TODAY, policies: [spy, reportsBuckets("B")] });
    expect(types).toEqual(["pulumi:pulumi:Stack", "aws:s3/bucket:Bucket"]);
    expect(result.violations.map((v) => v.message)).toEqual(["saw marker input"]);
  });

  it("supports isType/asType and validateResourceOfType with the SDK's resource classes", async () => {
    const typed = defineResourcePolicy({
      meta: meta("TYPED", "mandatory"),
      validate: [
        validateResourceOfType(aws.s3.Bucket, (bucket, _args, report) => {
          if (bucket.bucket === "b") report("typed validation saw the bucket");
        }),
        (args, report) => {
          if (args.isType(aws.s3.Bucket) && args.asType(aws.s3.Bucket)?.bucket === "b") report("asType returned the inputs");
          if (args.isType(aws.kms.Key)) report("wrong type matched");
        },
      ],
    });
    const result = await runAudit(bucketStack().toExport(), { now: TODAY, policies: [typed] });
    expect(result.violations.map((v) => v.message)).toEqual(["asType returned the inputs", "typed validation saw the bucket"]);
    // The stack resource fails both type checks and is never read: only the bucket is in scope.
    expect(result.policies[0]?.scope).toEqual({ resources: 1, passed: 0, failed: 1, waived: 0, unchecked: 0 });
  });

  it("counts only resources a policy applied to, and records a stack policy that does not apply", async () => {
    const na = defineStackPolicy({ meta: meta("NA"), validate: (args) => args.notApplicable("nothing to see") });
    const result = await runAudit(bucketStack().toExport(), { now: TODAY, policies: [reportsBuckets("B"), na] });
    expect(result.policies.map((p) => [p.id, p.scope.resources, p.notApplicable])).toEqual([
      ["B", 1, undefined],
      ["NA", 0, "nothing to see"],
    ]);
  });

  it("hands getConfig the schema defaults overlaid with the stack's config", async () => {
    const seen: unknown[] = [];
    const configured = defineResourcePolicy({
      meta: meta("CFG"),
      config: { limit: { type: "integer", default: 3 }, names: { type: "array", items: { type: "string" }, default: [] } },
      validate: (args) => void seen.push(args.getConfig()),
    });
    await runAudit(bucketStack().toExport(), { now: TODAY, policies: [configured], config: { CFG: { names: ["x"] } } });
    expect(seen[0]).toEqual({ limit: 3, names: ["x"] });
  });

  it("rejects config that does not fit the schema or names no enforcement level, in one line", async () => {
    const configured = defineResourcePolicy({ meta: meta("CFG"), config: { limit: { type: "integer", default: 3 } }, validate: () => undefined });
    await expect(runAudit(bucketStack().toExport(), { now: TODAY, policies: [configured], config: { CFG: { limit: "many" } }, configSource: "dev.json" })).rejects.toThrow(
      new PolicyConfigError('dev.json: CFG.limit: expected integer, found string "many"'),
    );
    await expect(runAudit(bucketStack().toExport(), { now: TODAY, policies: [configured], config: { CFG: "strict" }, configSource: "dev.json" })).rejects.toThrow(
      'dev.json: CFG: string "strict" is not an enforcement level; allowed: advisory, mandatory, remediate, disabled',
    );
  });

  it("turns a policy's own error into an AuditRunError naming the policy and the resource", async () => {
    const broken = defineResourcePolicy({
      meta: meta("BROKEN"),
      validate: (args) => {
        if (args.type === "aws:s3/bucket:Bucket") throw new Error("boom");
      },
    });
    await expect(runAudit(bucketStack().toExport(), { now: TODAY, policies: [broken] })).rejects.toThrow(
      new AuditRunError("policy BROKEN failed on urn:pulumi:test::fitness-platform::aws:s3/bucket:Bucket::b: boom"),
    );
  });
});

describe("values that cannot be known", () => {
  const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
  const preview = {
    steps: [
      { op: "same", urn: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", newState: { urn: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", custom: false, type: "pulumi:pulumi:Stack" } },
      {
        op: "create",
        urn: "urn:pulumi:dev::p::aws:s3/bucket:Bucket::b",
        newState: { urn: "urn:pulumi:dev::p::aws:s3/bucket:Bucket::b", custom: true, type: "aws:s3/bucket:Bucket", inputs: { bucket: "b", marker: UNKNOWN, other: "known" }, parent: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev" },
      },
      { op: "delete", urn: "urn:pulumi:dev::p::aws:s3/bucket:Bucket::gone", oldState: { urn: "urn:pulumi:dev::p::aws:s3/bucket:Bucket::gone", custom: true, type: "aws:s3/bucket:Bucket", inputs: { marker: "x" } } },
    ],
  };

  it("gives an advisory 'cannot be checked during preview' instead of failing, for resource and stack policies", async () => {
    const input = parseAuditInput(JSON.stringify(preview), "preview.json");
    expect(input.format).toBe("preview");
    expect(input.resources.map((r) => r.urn.split("::").pop())).toEqual(["p-dev", "b"]);
    const stackReader = defineStackPolicy({
      meta: meta("STACK-READER", "mandatory"),
      validate: (args, report) => {
        for (const r of args.resources) if (r.type === "aws:s3/bucket:Bucket" && r.props["marker"] === "x") report("never");
      },
    });
    const otherReader = defineResourcePolicy({ meta: meta("OTHER", "mandatory"), validate: (args) => void args.props["other"] });
    const result = await runAudit(input, { now: TODAY, policies: [reportsBuckets("RES", "mandatory"), stackReader, otherReader] });
    expect(result.violations.map((v) => [v.policy, v.level, v.kind, v.message])).toEqual([
      ["RES", "advisory", "unchecked", "cannot be checked during preview: string value at .marker can't be known during preview"],
      ["STACK-READER", "advisory", "unchecked", "cannot be checked during preview: string value at .marker can't be known during preview"],
    ]);
    expect(result.summary).toMatchObject({ passed: true, mandatory: 0, unchecked: 2 });
  });

  it("treats an encrypted secret of a real export the same way", async () => {
    const fx = bucketStack();
    const snapshot = fx.toExport();
    const bucket = snapshot.deployment.resources.find((r) => r.urn.endsWith("::b"));
    if (bucket?.inputs !== undefined) bucket.inputs["marker"] = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" };
    const result = await runAudit(snapshot, { now: TODAY, policies: [reportsBuckets("RES", "mandatory")] });
    expect(result.violations.map((v) => v.message)).toEqual(["cannot be checked during preview: encrypted secret value at .marker can't be known during preview"]);
  });
});

describe("reports", () => {
  it("are byte-for-byte the same for the same input", async () => {
    const one = await runAudit(bucketStack().toExport(), { now: TODAY, policies: [reportsBuckets("B")] });
    const two = await runAudit(bucketStack().toExport(), { now: TODAY, policies: [reportsBuckets("B")] });
    for (const format of ["json", "md", "sarif", "text"] as const) expect(renderReport(two, format)).toBe(renderReport(one, format));
  });
});
