import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterSizedFor, generatedCatalog, imagesWithTags } from "../../bench/catalog-100";
import { awsLimitPolicies } from "../../policy/aws/policies";
import { accessEntryPrincipals, principalsNamedBeforeCreated } from "../../src/account/principal-order";
import { runAudit } from "../../src/offline/audit";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";

/**
 * Every resource of the real snapshots (dev, prod, both bootstrap stacks) and of dev with a generated
 * catalog of 200 services, and dev and prod under 100-character stack names, walked by the AWS limit
 * policies (AWS-01 per resource, AWS-02 shared quotas):
 * nothing the program registers is a value AWS would refuse; and every principal a policy names that
 * the stack creates is created before the policy (its resource depends on the principal's).
 */
const ROOT = path.resolve(__dirname, "..", "..");
const snapshots = new Map<string, StackExport>();
let scratch = "";

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "aws-limits-"));
  for (const stack of ["dev", "prod"]) {
    snapshots.set(stack, (await synthesize({ stack, projectRoot: ROOT })).snapshot);
    snapshots.set(`bootstrap-${stack}`, (await synthesize({ stack, projectRoot: path.join(ROOT, "bootstrap") })).snapshot);
  }
  const catalog = generatedCatalog(200);
  const file = path.join(scratch, "catalog-200.yaml");
  fs.writeFileSync(file, catalog.text);
  const configOverrides = { images: imagesWithTags("dev", catalog.services), cluster: clusterSizedFor("dev", catalog.services) };
  snapshots.set("dev-200-services", (await synthesize({ stack: "dev", projectRoot: ROOT, catalogFile: file, configOverrides })).snapshot);
  // Stacks named as long as Pulumi allows (100 characters): every name the program derives still fits.
  const project = path.join(scratch, "project");
  fs.mkdirSync(project);
  for (const entry of fs.readdirSync(ROOT)) fs.symlinkSync(path.join(ROOT, entry), path.join(project, entry));
  for (const environment of ["dev", "prod"]) {
    const stack = `${environment}-${"n".repeat(99 - environment.length)}`;
    fs.copyFileSync(path.join(ROOT, `Pulumi.${environment}.yaml`), path.join(project, `Pulumi.${stack}.yaml`));
    snapshots.set(`${environment}-long-stack-name`, (await synthesize({ stack, projectRoot: project })).snapshot);
  }
}, 900_000);

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const CASES = ["dev", "prod", "bootstrap-dev", "bootstrap-prod", "dev-200-services", "dev-long-stack-name", "prod-long-stack-name"];

describe.each(CASES)("the %s snapshot", (name) => {
  it("has no value AWS would refuse (AWS-01, AWS-02 over every resource)", async () => {
    const snapshot = snapshots.get(name) as StackExport;
    const result = await runAudit(snapshot, { policies: awsLimitPolicies });
    expect(result.violations.map((v) => `${v.policy} ${v.message}`)).toEqual([]);
    for (const p of result.policies) expect(p.notApplicable, p.id).toBeUndefined();
    expect(snapshot.deployment.resources.length).toBeGreaterThan(name === "dev-200-services" ? 3000 : 20);
  });

  it("names no principal it creates before creating it", () => {
    expect(principalsNamedBeforeCreated((snapshots.get(name) as StackExport).deployment.resources)).toEqual([]);
  });
});

describe.each(["dev", "prod"])("the %s platform's EKS access entries", (stack) => {
  it("name principals that exist first: created or read by the platform, or created by the account's bootstrap", () => {
    const platform = (snapshots.get(stack) as StackExport).deployment.resources;
    const bootstrap = (snapshots.get(`bootstrap-${stack}`) as StackExport).deployment.resources;
    const entries = accessEntryPrincipals(platform);
    expect(entries.length).toBeGreaterThan(0);
    const known = new Set([...platform, ...bootstrap].map((r) => r.outputs?.arn).filter((a): a is string => typeof a === "string"));
    expect(entries.filter((e) => !known.has(e.principal))).toEqual([]);
  });
});

describe("principal ordering check", () => {
  const role: ResourceState = { urn: "urn:pulumi:t::p::aws:iam/role:Role::app", custom: true, type: "aws:iam/role:Role", inputs: {}, outputs: { arn: "arn:aws:iam::111111111111:role/app" } };
  const keyNaming = (dependencies: string[]): ResourceState => ({
    urn: "urn:pulumi:t::p::aws:kms/key:Key::key",
    custom: true,
    type: "aws:kms/key:Key",
    inputs: { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:role/app" }, Action: "kms:Decrypt", Resource: "*" }] }) },
    dependencies,
  });

  it("catches a key policy naming a role the key does not wait for (KMS: MalformedPolicyDocumentException)", () => {
    expect(principalsNamedBeforeCreated([role, keyNaming([])]).map((p) => p.creator)).toEqual([role.urn]);
  });

  it("accepts it once the key depends on the role, directly or through another resource", () => {
    expect(principalsNamedBeforeCreated([role, keyNaming([role.urn])])).toEqual([]);
    const middle: ResourceState = { urn: "urn:pulumi:t::p::aws:iam/rolePolicy:RolePolicy::mid", custom: true, type: "aws:iam/rolePolicy:RolePolicy", inputs: {}, dependencies: [role.urn] };
    expect(principalsNamedBeforeCreated([role, middle, keyNaming([middle.urn])])).toEqual([]);
  });

  it("holds EKS access entries to it too (the entry's principal must exist)", () => {
    const entry: ResourceState = { urn: "urn:pulumi:t::p::aws:eks/accessEntry:AccessEntry::e", custom: true, type: "aws:eks/accessEntry:AccessEntry", inputs: { principalArn: role.outputs?.arn }, dependencies: [] };
    expect(principalsNamedBeforeCreated([role, entry]).map((p) => p.urn)).toEqual([entry.urn]);
    expect(principalsNamedBeforeCreated([role, { ...entry, dependencies: [role.urn] }])).toEqual([]);
  });

  it("does not hold a read (external) principal to it: it exists before the stack runs", () => {
    expect(principalsNamedBeforeCreated([{ ...role, external: true }, keyNaming([])])).toEqual([]);
  });
});
