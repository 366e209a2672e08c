import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { peekTexts, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { boundaryEscapes } from "./boundary";
import { parsePolicyDocument } from "./document";

const ROLE = "aws:iam/role:Role";
const POLICY = "aws:iam/policy:Policy";
const DOCUMENTS = [POLICY, "aws:iam/rolePolicy:RolePolicy"];
/** Resources that attach a managed policy as a permissions policy (its Allows then grant). */
const ATTACHMENTS = ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment", "aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "aws:iam/userPolicyAttachment:UserPolicyAttachment"];
const CUSTOMER_MANAGED = /^arn:aws(-[a-z-]+)?:iam::\d{12}:policy\/(.+\/)?([\w+=,.@-]+)$/;
const AWS_MANAGED = /^arn:aws(-[a-z-]+)?:iam::aws:policy\//;

/** Boundaries other policies require (`iam:PermissionsBoundary` values that are exact ARNs): the deploy role names one it may not hold itself. */
function requiredBoundaries(index: StackIndex): string[] {
  return index.ofType(...DOCUMENTS).flatMap((p) => {
    const doc = parsePolicyDocument(p.props["policy"]);
    if (doc === undefined || "error" in doc) return [];
    return doc.statements.flatMap((s) => Object.values(s.conditions).flatMap((body) => (body["iam:permissionsboundary"] ?? []).filter((v) => CUSTOMER_MANAGED.test(v) && !v.includes("*"))));
  });
}

/** The stack's own managed policy with this ARN, if it defines it (by ARN, else by name in the ARN). */
function definedPolicy(index: StackIndex, arn: string): PolicyResource | undefined {
  const name = CUSTOMER_MANAGED.exec(arn)?.[3];
  return index.ofType(POLICY).find((p) => peekTexts(p.props, "arn").includes(arn) || (name !== undefined && peekTexts(p.props, "name").includes(name)));
}

export const iam03PermissionsBoundary = defineStackPolicy({
  meta: {
    id: "IAM-03",
    title: "Every IAM role carries the platform's permissions boundary, and the boundary holds",
    severity: "high",
    decisions: ["D4"],
    controls: { other: ["IAM User Guide: Permissions boundaries for IAM entities (condition key iam:PermissionsBoundary)"] },
    description:
      "Every aws:iam/role:Role sets `permissionsBoundary` to a customer managed policy of an account (not an AWS managed one, which " +
      "denies none of the platform's guardrails), named `boundaryPolicyName` when configured. A boundary policy the stack defines " +
      "(one a role carries, or one a policy requires through the iam:PermissionsBoundary condition key) " +
      "holds: it denies writing role permissions (CreateRole, PutRolePolicy, AttachRolePolicy, PutRolePermissionsBoundary) unless " +
      "iam:PermissionsBoundary is itself, removing a boundary, and new versions of itself; and it is never attached as a " +
      "permissions policy (a boundary's Allow is a ceiling, not a grant). So whoever may create roles cannot create one more " +
      "powerful than the boundary.",
    remediation:
      "Set `permissionsBoundary: ctx.permissionsBoundary` on the role (the bootstrap layer creates the boundary, " +
      "src/account/permissions-boundary.ts); keep the boundary's Deny statements (boundaryGuardStatements) and attach it to no role.",
    enforcementLevel: "mandatory",
  },
  config: {
    boundaryPolicyName: { type: "string", description: "The name of the managed policy every role must carry as its permissions boundary." },
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const roles = index.ofType(ROLE);
    if (roles.length === 0) args.notApplicable("the stack creates no IAM role");
    const expected = args.getConfig<{ boundaryPolicyName?: string }>().boundaryPolicyName;
    const boundaries = new Set<string>();
    for (const role of roles) {
      const label = `role "${text(role.props["name"]) ?? role.name}"`;
      const arn = text(role.props["permissionsBoundary"]);
      if (arn === undefined || arn === "") {
        reportViolation(`${label} has no permissions boundary: whoever can change its policies can make it as powerful as they like.`, role.urn, "no boundary");
        continue;
      }
      if (AWS_MANAGED.test(arn)) {
        reportViolation(`${label} has the AWS managed policy ${arn} as its boundary, which denies none of the platform's guardrails.`, role.urn, `boundary ${arn}`);
        continue;
      }
      const name = CUSTOMER_MANAGED.exec(arn)?.[3];
      if (name === undefined) {
        reportViolation(`${label} has the permissions boundary "${arn}", which is not a managed policy ARN.`, role.urn, `boundary ${arn}`);
        continue;
      }
      if (expected !== undefined && expected !== "" && name !== expected) {
        reportViolation(`${label} has the permissions boundary ${arn}; the platform's is the policy "${expected}".`, role.urn, `boundary ${arn}`);
        continue;
      }
      boundaries.add(arn);
    }
    for (const arn of requiredBoundaries(index)) boundaries.add(arn);
    for (const arn of [...boundaries].sort()) {
      const policy = definedPolicy(index, arn);
      if (policy === undefined) continue; // made by another stack (the bootstrap layer), audited there
      const label = `permissions boundary "${text(policy.props["name"]) ?? policy.name}"`;
      const doc = parsePolicyDocument(policy.props["policy"]);
      if (doc === undefined || "error" in doc) {
        reportViolation(`${label}: ${doc === undefined ? "has no policy document" : doc.error}.`, policy.urn, "document");
        continue;
      }
      for (const escape of boundaryEscapes(doc.statements, arn)) reportViolation(`${label} ${escape}.`, policy.urn, escape.split(" ").slice(0, 2).join(" "));
      for (const attachment of index.ofType(...ATTACHMENTS)) {
        const attached = index.targets(attachment, "policyArn", [POLICY]).includes(policy) || peekTexts(attachment.props, "policyArn").includes(arn);
        if (attached) reportViolation(`${label} is attached as a permissions policy by ${attachment.type.split(":").pop() ?? attachment.type} "${attachment.name}": its ceiling becomes a grant.`, attachment.urn, `attached ${attachment.name}`);
      }
      for (const role of roles) {
        if (peekTexts(role.props, "managedPolicyArns").includes(arn)) reportViolation(`${label} is attached as a permissions policy of role "${role.name}": its ceiling becomes a grant.`, role.urn, `attached ${role.name}`);
      }
    }
  },
});
