import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { boundaryEscapes } from "../../policy/iam/boundary";
import { parsePolicyDocument, type PolicyStatement } from "../../policy/iam/document";
import { readPolicyConfig, runAudit } from "../../src/offline/audit";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";

/**
 * Day 0 (issue 13): every IAM role the platform creates carries the permissions boundary that the
 * bootstrap layer of the same account creates, and the bootstrap's deploy role can write role
 * permissions only on roles that carry it. Both sides derive the boundary's ARN; this proves they agree.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const ACCOUNTS = { dev: "111111111111", prod: "222222222222" } as const;
const NOW = new Date("2026-12-03T12:00:00Z");
const platform: Partial<Record<"dev" | "prod", StackExport>> = {};
const bootstrap: Partial<Record<"dev" | "prod", StackExport>> = {};

beforeAll(async () => {
  for (const stack of ["dev", "prod"] as const) {
    platform[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
    bootstrap[stack] = (await synthesize({ stack, projectRoot: path.join(ROOT, "bootstrap") })).snapshot;
  }
}, 300_000);

const ofType = (s: StackExport | undefined, type: string): ResourceState[] => (s?.deployment.resources ?? []).filter((r) => r.type === type);
const statementsOf = (policy: unknown): PolicyStatement[] => {
  const doc = parsePolicyDocument(policy);
  if (doc === undefined || "error" in doc) throw new Error("unparsable policy");
  return [...doc.statements];
};

describe.each(["dev", "prod"] as const)("%s: the permissions boundary", (stack) => {
  const arn = `arn:aws:iam::${ACCOUNTS[stack]}:policy/fitness-platform-${stack}-iam-boundary`;

  it("every role of the platform carries it, and IAM-03 of the stack's policy config passes", async () => {
    const roles = ofType(platform[stack], "aws:iam/role:Role");
    expect(roles.length).toBeGreaterThan(15);
    expect(roles.filter((r) => r.inputs?.permissionsBoundary !== arn).map((r) => r.inputs?.name)).toEqual([]);
    const result = await runAudit(platform[stack] as StackExport, { config: readPolicyConfig(path.join(ROOT, "policy", "config", `${stack}.json`)), now: NOW });
    expect(result.violations.filter((v) => v.policy === "IAM-03").map((v) => v.message)).toEqual([]);
  }, 120_000);

  it("is the policy the bootstrap of the same account creates, and it holds: no escape for a bounded role", () => {
    const [policy] = ofType(bootstrap[stack], "aws:iam/policy:Policy").filter((p) => p.inputs?.name === `fitness-platform-${stack}-iam-boundary`);
    expect(policy?.outputs?.arn).toBe(arn);
    const statements = statementsOf(policy?.inputs?.policy);
    expect(boundaryEscapes(statements, arn)).toEqual([]);
    // The guardrails the boundary keeps for every platform role (denied unconditionally).
    const denies = statements.filter((s) => s.effect === "Deny" && Object.keys(s.conditions).length === 0).flatMap((s) => s.actions);
    expect(denies).toEqual(expect.arrayContaining(["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "kms:ScheduleKeyDeletion", "s3:DeleteBucket", "iam:DeleteRolePermissionsBoundary", "iam:CreateUser", "iam:CreateAccessKey"]));
  });

  it("the deploy role writes role permissions only on roles carrying it, never lifts it, never edits it", () => {
    const deploy = ofType(bootstrap[stack], "aws:iam/rolePolicy:RolePolicy").find((p) => p.inputs?.name === "deploy");
    expect(boundaryEscapes(statementsOf(deploy?.inputs?.policy), arn)).toEqual([]);
  });

  it("what the roles need is inside it: no action a role's own policies allow is denied by it", () => {
    const [policy] = ofType(bootstrap[stack], "aws:iam/policy:Policy").filter((p) => p.inputs?.name === `fitness-platform-${stack}-iam-boundary`);
    const denies = statementsOf(policy?.inputs?.policy).filter((s) => s.effect === "Deny" && Object.keys(s.conditions).length === 0);
    const glob = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(value);
    const needed = ofType(platform[stack], "aws:iam/rolePolicy:RolePolicy").flatMap((p) =>
      statementsOf(p.inputs?.policy)
        .filter((s) => s.effect === "Allow")
        .flatMap((s) => s.actions.flatMap((action) => s.resources.map((resource) => ({ role: String(p.inputs?.role), action, resource })))),
    );
    expect(needed.length).toBeGreaterThan(50);
    const blocked = needed.filter((n) => denies.some((d) => d.actions.some((a) => glob(a, n.action) || glob(n.action, a)) && d.resources.some((r) => r === "*" || glob(r, n.resource) || glob(n.resource, r))));
    expect(blocked).toEqual([]);
  });
});
