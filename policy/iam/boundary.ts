import { statementCovers } from "../messaging/arn-match";
import { globMatch } from "../backups/facts";
import type { PolicyStatement } from "./document";

/**
 * Whether a permissions boundary holds (IAM User Guide, "Permissions boundaries for IAM entities"): a
 * role inside it must not be able to write role permissions on a role without the same boundary, remove
 * a boundary, or edit the boundary's own document. Otherwise the ceiling is only as high as the most
 * powerful role a bounded role can make. Conditions are read for exactly one purpose: a Deny that
 * applies whenever `iam:PermissionsBoundary` is not this boundary counts; any other condition makes a
 * Deny partial, and it does not count.
 */

/** Role actions that take the `iam:PermissionsBoundary` condition key (Service Authorization Reference, IAM). */
const ROLE_PERMISSION_WRITES = ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"];
const POLICY_EDITS = ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"];
const NEGATED = /^(StringNotEquals|StringNotEqualsIgnoreCase|StringNotLike|ArnNotEquals|ArnNotLike)$/;
const POSITIVE = /^(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/;

/** The condition only tests the role's boundary, with the given operators, against values that name `boundaryArn`. */
function onlyTestsBoundary(s: PolicyStatement, operators: RegExp, boundaryArn: string): boolean {
  const blocks = Object.entries(s.conditions);
  return (
    blocks.length > 0 &&
    blocks.every(
      ([op, body]) => operators.test(op) && Object.entries(body).every(([key, values]) => key === "iam:permissionsboundary" && values.length > 0 && values.every((v) => globMatch(v, boundaryArn, /IgnoreCase$/.test(op)))),
    )
  );
}

const unconditional = (s: PolicyStatement) => Object.keys(s.conditions).length === 0;

function allowed(statements: readonly PolicyStatement[], action: string, arn: string): boolean {
  return statements.some((s) => s.effect === "Allow" && statementCovers(s, action, arn));
}

function denied(statements: readonly PolicyStatement[], action: string, arn: string, counts: (s: PolicyStatement) => boolean): boolean {
  return statements.some((s) => s.effect === "Deny" && statementCovers(s, action, arn) && counts(s));
}

/** What lets a role inside the boundary escape it; empty when it holds. */
export function boundaryEscapes(statements: readonly PolicyStatement[], boundaryArn: string): string[] {
  const account = /^arn:([^:]+):iam::(\d{12}):/.exec(boundaryArn);
  // Any role of the account, and an instance of every role pattern an Allow names (`role/<prefix>-*`).
  const roles = [
    `arn:${account?.[1] ?? "aws"}:iam::${account?.[2] ?? "000000000000"}:role/any-role`,
    ...statements.flatMap((s) => (s.effect === "Allow" ? s.resources.filter((r) => r.includes(":role/")).map((r) => r.replace(/[*?]/g, "x")) : [])),
  ];
  const escapes = (action: string, holds: (s: PolicyStatement) => boolean) => roles.some((role) => allowed(statements, action, role) && !denied(statements, action, role, holds));
  const out: string[] = [];
  for (const action of ROLE_PERMISSION_WRITES) {
    if (escapes(action, (s) => unconditional(s) || onlyTestsBoundary(s, NEGATED, boundaryArn))) {
      out.push(`allows ${action} on roles that do not carry it (no Deny unless iam:PermissionsBoundary is ${boundaryArn})`);
    }
  }
  const removal = "iam:DeleteRolePermissionsBoundary";
  if (escapes(removal, (s) => unconditional(s) || onlyTestsBoundary(s, POSITIVE, boundaryArn))) out.push(`allows ${removal}, which lifts the ceiling`);
  for (const action of POLICY_EDITS) {
    if (allowed(statements, action, boundaryArn) && !denied(statements, action, boundaryArn, unconditional)) out.push(`allows ${action} on itself`);
  }
  return out;
}
