import { describe, expect, it } from "vitest";
import { boundaryEscapes } from "../../policy/iam/boundary";
import { parsePolicyDocument } from "../../policy/iam/document";
import { iam03PermissionsBoundary } from "../../policy/iam/iam-03-permissions-boundary";
import { permissionsBoundaryDocument } from "../../src/account/permissions-boundary";
import { deployRolePolicy } from "../../src/bootstrap/plan";
import { audit, messages } from "./support/audit";
import { compliantStack } from "./support/fixture-stack";

const BOUNDARY = "arn:aws:iam::123456789012:policy/test-iam-boundary";
type Statement = Record<string, unknown> & { Sid?: string };
const boundaryDoc = () =>
  permissionsBoundaryDocument({
    partition: "aws",
    boundaryArn: BOUNDARY,
    bootstrapIdentityArns: ["arn:aws:iam::123456789012:role/test-ci-deploy"],
    stateBucket: "test-state",
    secretsKeyArn: "arn:aws:kms:eu-central-1:123456789012:key/1",
  }) as unknown as { Version: string; Statement: Statement[] };

/** The compliant stack with the boundary defined in it (as the bootstrap stack does), its document changed by `edit`. */
function withBoundary(edit: (statements: Statement[]) => Statement[] = (s) => s) {
  const s = compliantStack();
  const doc = boundaryDoc();
  const inputs = { name: "test-iam-boundary", policy: JSON.stringify({ ...doc, Statement: edit(doc.Statement) }) };
  const policy = s.fx.add("aws:iam/policy:Policy", "boundary", inputs, { id: BOUNDARY, outputs: { ...inputs, arn: BOUNDARY, id: BOUNDARY } });
  return { s, policy };
}

describe("IAM-03 permissions boundary on every role", () => {
  it("passes the compliant stack, and fails a role without a boundary, with an AWS managed one, a non-ARN, or another than the configured one", async () => {
    expect(messages(await audit(compliantStack().fx, [iam03PermissionsBoundary]), "IAM-03")).toEqual([]);
    const cases: [unknown, string, Record<string, unknown>?][] = [
      [undefined, 'role "app-role" has no permissions boundary: whoever can change its policies can make it as powerful as they like.'],
      ["", 'role "app-role" has no permissions boundary: whoever can change its policies can make it as powerful as they like.'],
      ["arn:aws:iam::aws:policy/PowerUserAccess", 'role "app-role" has the AWS managed policy arn:aws:iam::aws:policy/PowerUserAccess as its boundary, which denies none of the platform\'s guardrails.'],
      ["test-iam-boundary", 'role "app-role" has the permissions boundary "test-iam-boundary", which is not a managed policy ARN.'],
      ["arn:aws:iam::123456789012:policy/other", 'role "app-role" has the permissions boundary arn:aws:iam::123456789012:policy/other; the platform\'s is the policy "test-iam-boundary".', { boundaryPolicyName: "test-iam-boundary" }],
    ];
    for (const [value, message, config] of cases) {
      const s = compliantStack();
      s.fx.update(s.role, (i) => {
        if (value === undefined) delete i["permissionsBoundary"];
        else i["permissionsBoundary"] = value;
      });
      const result = await audit(s.fx, [iam03PermissionsBoundary], config === undefined ? {} : { config: { "IAM-03": config } });
      expect(messages(result, "IAM-03"), String(value)).toEqual([message]);
    }
    // A path before the name is still the configured policy.
    const s = compliantStack();
    s.fx.update(s.role, (i) => void (i["permissionsBoundary"] = "arn:aws:iam::123456789012:policy/boundaries/test-iam-boundary"));
    expect(messages(await audit(s.fx, [iam03PermissionsBoundary], { config: { "IAM-03": { boundaryPolicyName: "test-iam-boundary" } } }), "IAM-03")).toEqual([]);
  });

  it("a boundary the stack defines holds: the platform's document passes, each guard removed is an escape", async () => {
    expect(messages(await audit(withBoundary().s.fx, [iam03PermissionsBoundary]), "IAM-03")).toEqual([]);
    const without = (sid: string) => (st: Statement[]) => st.filter((x) => x.Sid !== sid);
    expect(messages(await audit(withBoundary(without("RolesOnlyWithTheBoundary")).s.fx, [iam03PermissionsBoundary]), "IAM-03")).toEqual(
      ["iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"].map(
        (a) => `permissions boundary "test-iam-boundary" allows ${a} on roles that do not carry it (no Deny unless iam:PermissionsBoundary is ${BOUNDARY}).`,
      ),
    );
    expect(messages(await audit(withBoundary(without("NeverRemoveTheBoundary")).s.fx, [iam03PermissionsBoundary]), "IAM-03")).toEqual([
      'permissions boundary "test-iam-boundary" allows iam:DeleteRolePermissionsBoundary, which lifts the ceiling.',
    ]);
    expect(messages(await audit(withBoundary(without("NeverEditTheBoundary")).s.fx, [iam03PermissionsBoundary]), "IAM-03")).toEqual([
      'permissions boundary "test-iam-boundary" allows iam:CreatePolicyVersion on itself.',
      'permissions boundary "test-iam-boundary" allows iam:SetDefaultPolicyVersion on itself.',
    ]);
  });

  it("a Deny that names another boundary, or carries a further condition, does not hold the ceiling", async () => {
    const retarget = (cond: Record<string, unknown>) => (st: Statement[]) => st.map((x) => (x.Sid === "RolesOnlyWithTheBoundary" ? { ...x, Condition: cond } : x));
    const other = await audit(withBoundary(retarget({ StringNotEquals: { "iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/weaker" } })).s.fx, [iam03PermissionsBoundary]);
    expect(messages(other, "IAM-03")).toHaveLength(4);
    const partial = await audit(
      withBoundary(retarget({ StringNotEquals: { "iam:PermissionsBoundary": BOUNDARY }, StringEquals: { "aws:RequestedRegion": "eu-central-1" } })).s.fx,
      [iam03PermissionsBoundary],
    );
    expect(messages(partial, "IAM-03")).toHaveLength(4);
    // ArnNotLike with a pattern that names only this boundary holds like StringNotEquals.
    const like = await audit(withBoundary(retarget({ ArnNotLike: { "iam:PermissionsBoundary": "arn:aws:iam::*:policy/test-iam-boundary" } })).s.fx, [iam03PermissionsBoundary]);
    expect(messages(like, "IAM-03")).toEqual([]);
  });

  it("fails a boundary attached as a permissions policy: its Allow * becomes a grant", async () => {
    const { s, policy } = withBoundary();
    s.fx.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "app-role-boundary", { role: s.role.id, policyArn: BOUNDARY }, { deps: { role: [s.role], policyArn: [policy] } });
    expect(messages(await audit(s.fx, [iam03PermissionsBoundary]), "IAM-03")).toEqual([
      'permissions boundary "test-iam-boundary" is attached as a permissions policy by RolePolicyAttachment "app-role-boundary": its ceiling becomes a grant.',
    ]);
  });

  it("checks the boundary a policy requires through iam:PermissionsBoundary even when no role carries it yet (the bootstrap stack)", async () => {
    const { s } = withBoundary((st) => st.filter((x) => x.Sid !== "NeverRemoveTheBoundary"));
    s.fx.update(s.role, (i) => void delete i["permissionsBoundary"]);
    const deploy = deployRolePolicy({
      partition: "aws", region: "eu-central-1", accountId: "123456789012", namePrefix: "test", stateBucket: "test-state",
      secretsKeyArn: "arn:aws:kms:eu-central-1:123456789012:key/1", ciRoleNames: ["test-ci-deploy"], githubOidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/x", permissionsBoundaryArn: BOUNDARY,
    });
    s.fx.add("aws:iam/rolePolicy:RolePolicy", "deploy-policy", { role: s.role.id, policy: JSON.stringify(deploy) }, { deps: { role: [s.role] } });
    expect(messages(await audit(s.fx, [iam03PermissionsBoundary]), "IAM-03")).toEqual([
      'permissions boundary "test-iam-boundary" allows iam:DeleteRolePermissionsBoundary, which lifts the ceiling.',
      'role "app-role" has no permissions boundary: whoever can change its policies can make it as powerful as they like.',
    ]);
  });
});

describe("the deploy role cannot make a role more powerful than the boundary", () => {
  const args = {
    partition: "aws", region: "eu-central-1", accountId: "123456789012", namePrefix: "test", stateBucket: "test-state",
    secretsKeyArn: "arn:aws:kms:eu-central-1:123456789012:key/1", ciRoleNames: ["test-ci-deploy"], githubOidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/x", permissionsBoundaryArn: BOUNDARY,
  };
  const statements = (doc: unknown) => {
    const parsed = parsePolicyDocument(doc);
    if (parsed === undefined || "error" in parsed) throw new Error("unparsable");
    return parsed.statements;
  };

  it("its iam:* on the platform's names writes role permissions only on roles with the boundary, never lifts it, never edits it", () => {
    const deploy = deployRolePolicy(args);
    expect(boundaryEscapes(statements(deploy), BOUNDARY)).toEqual([]);
    // The same judgement fails the policy without its guards: the test can see the fault it guards against.
    const unguarded = { ...deploy, Statement: deploy.Statement.filter((s) => !["RolesOnlyWithTheBoundary", "NeverRemoveTheBoundary", "NeverEditTheBoundary"].includes(s.Sid ?? "")) };
    expect(boundaryEscapes(statements(unguarded), BOUNDARY)).toEqual([
      ...["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"].map((a) => `allows ${a} on roles that do not carry it (no Deny unless iam:PermissionsBoundary is ${BOUNDARY})`),
      "allows iam:DeleteRolePermissionsBoundary, which lifts the ceiling",
      "allows iam:CreatePolicyVersion on itself",
      "allows iam:SetDefaultPolicyVersion on itself",
    ]);
  });

  it("the guard's condition is the documented one: StringNotEquals iam:PermissionsBoundary on the six role actions that take the key", () => {
    const guard = deployRolePolicy(args).Statement.find((s) => s.Sid === "RolesOnlyWithTheBoundary");
    expect(guard).toEqual({
      Sid: "RolesOnlyWithTheBoundary",
      Effect: "Deny",
      Action: ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"],
      Resource: "*",
      Condition: { StringNotEquals: { "iam:PermissionsBoundary": BOUNDARY } },
    });
  });
});
