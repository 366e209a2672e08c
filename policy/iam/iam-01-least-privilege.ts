import type { ReportViolation } from "@pulumi/policy";
import { defineResourcePolicy } from "../framework/define";
import { at, list, peekTexts, text, texts } from "../framework/props";
import { STAR_RESOURCE_ACTIONS, isAllActions, isReadAction, isResourceScopingCondition, isWriteWildcard } from "./actions";
import { describeStatement, parsePolicyDocument } from "./document";

const ADMIN_POLICY = /:iam::aws:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;

/** Resources whose `policy` input is an identity policy document. */
const DOCUMENT_TYPES = ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/groupPolicy:GroupPolicy"];
/** Resources that attach policies to IAM users: the design has none (people use SSO roles). */
const USER_ATTACHMENT_TYPES = [
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/userPoliciesExclusive:UserPoliciesExclusive",
  "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
];
const ATTACHMENT_TYPES = [
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
];
const ROLE_TYPE = "aws:iam/role:Role";

function checkDocument(label: string, value: unknown, allowedStar: ReadonlySet<string>, report: ReportViolation): void {
  const doc = parsePolicyDocument(value);
  if (doc === undefined) return;
  if ("error" in doc) {
    report(`${label}: ${doc.error}.`);
    return;
  }
  doc.statements.forEach((s, i) => {
    if (s.effect !== "Allow") return;
    const where = `${label} ${describeStatement(s, i)}`;
    if (s.notActions.length > 0) report(`${where} allows NotAction (every action but a few).`);
    if (s.notResources.length > 0) report(`${where} allows NotResource (every resource but a few).`);
    if (s.actions.some(isAllActions)) {
      report(`${where} allows every action ("*"): an administrator policy.`);
      return;
    }
    for (const action of s.actions.filter(isWriteWildcard)) report(`${where} allows the wildcard action ${action}, which covers write actions.`);
    if (s.resources.includes("*") && !isResourceScopingCondition(s.conditions)) {
      const writes = s.actions.filter((a) => !isReadAction(a) && !allowedStar.has(a));
      if (writes.length > 0) report(`${where} allows write actions on Resource "*": ${writes.join(", ")}.`);
    }
  });
}

export const iamLeastPrivilege = defineResourcePolicy({
  meta: {
    id: "IAM-01",
    title: "IAM least privilege: no wildcard writes, no admin policies, no user policies",
    severity: "high",
    decisions: ["D1", "D4"],
    controls: { fsbp: ["IAM.1", "IAM.2", "IAM.21"], cis: ["1.15", "1.16"], checkov: ["CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_355"] },
    description:
      "Identity policies allow no `*` action, no wildcard write action (s3:*, s3:Put*), no write action on Resource \"*\" " +
      "unless AWS only supports \"*\" for it or a condition scopes it, and no NotAction/NotResource; no AWS administrator " +
      "policy (AdministratorAccess, PowerUserAccess, IAMFullAccess) is attached; no policy is attached to an IAM user.",
    remediation:
      "Name the actions and the resource ARNs each role needs (grant next to the resource that owns them); attach policies " +
      "to roles, never to users; replace administrator policies with scoped ones.",
    enforcementLevel: "mandatory",
  },
  config: {
    starResourceActions: {
      type: "array",
      items: { type: "string" },
      default: [],
      description: "Further actions allowed on Resource \"*\" because AWS offers no resource-level permission for them.",
    },
  },
  validate: (args, reportViolation) => {
    const { type } = args;
    const applicable = [...DOCUMENT_TYPES, ...USER_ATTACHMENT_TYPES, ...ATTACHMENT_TYPES, ROLE_TYPE];
    if (!applicable.includes(type)) args.notApplicable("not an IAM policy, role or attachment");
    const allowedStar = new Set([...STAR_RESOURCE_ACTIONS, ...texts(args.getConfig<{ starResourceActions?: string[] }>().starResourceActions)]);
    if (USER_ATTACHMENT_TYPES.includes(type)) {
      reportViolation(`${type} "${args.name}" attaches a policy to an IAM user; attach policies to roles only.`);
      return;
    }
    if (DOCUMENT_TYPES.includes(type)) {
      checkDocument(`IAM policy "${args.name}"`, args.props["policy"], allowedStar, reportViolation);
      return;
    }
    if (type === ROLE_TYPE) {
      for (const inline of list(args.props["inlinePolicies"])) {
        checkDocument(`inline policy "${text(at(inline, "name")) ?? "?"}" of role "${args.name}"`, at(inline, "policy"), allowedStar, reportViolation);
      }
      // AWS-managed ARNs are literals; an ARN unknown during preview is one of ours, never an admin policy.
      for (const arn of peekTexts(args.props, "managedPolicyArns")) {
        if (ADMIN_POLICY.test(arn)) reportViolation(`role "${args.name}" has the administrator policy ${arn} attached.`);
      }
      return;
    }
    // Attachments.
    if (texts(args.props["users"]).length > 0) {
      reportViolation(`${type} "${args.name}" attaches a policy to IAM users (${texts(args.props["users"]).join(", ")}).`);
    }
    const [arn] = peekTexts(args.props, "policyArn");
    if (arn !== undefined && ADMIN_POLICY.test(arn)) reportViolation(`${type} "${args.name}" attaches the administrator policy ${arn}.`);
  },
});
