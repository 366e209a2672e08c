import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runAudit, stackPolicyConfig, type AuditResult } from "../../src/offline/audit";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { StackExport } from "../../src/offline/snapshot/types";
import { FIRST_SET } from "./support/first-set";

/**
 * The real program, synthesized for dev and prod under mocks, audited with each stack's policy config
 * (policy/config/<stack>.json): the rules must hold for the design they were written for.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const STACKS = ["dev", "prod"] as const;
const snapshots = new Map<string, StackExport>();

function summary(result: AuditResult): string[] {
  return result.violations.map((v) => `${v.policy} [${v.level}] ${v.name ?? "stack"}: ${v.message}`);
}

beforeAll(async () => {
  for (const stack of STACKS) snapshots.set(stack, (await synthesize({ stack, projectRoot: ROOT })).snapshot);
});

describe.each(STACKS)("the real %s stack", (stack) => {
  it("passes every policy of the first set, with nothing left unchecked", async () => {
    const config = stackPolicyConfig(stack);
    const result = await runAudit(snapshots.get(stack) as StackExport, { policies: FIRST_SET, ...(config === undefined ? {} : { config }) });
    expect(summary(result)).toEqual([]);
    // Each rule found something to judge: a rule that never applies here would pass vacuously.
    for (const p of result.policies.filter((r) => r.id !== "GOV-01")) expect(p.notApplicable, p.id).toBeUndefined();
  });

  it("has no mandatory violation of the whole pack", async () => {
    const config = stackPolicyConfig(stack);
    const result = await runAudit(snapshots.get(stack) as StackExport, config === undefined ? {} : { config });
    expect(summary(result).filter((line) => line.includes("[mandatory]"))).toEqual([]);
    expect(result.reachability.unavailable).toBeUndefined();
  });
});
