import { defineResourcePolicy } from "../framework/define";
import type { FindingReporter } from "../framework/findings";
import { at, list, peekTexts, text, texts } from "../framework/props";
import { STAR_RESOURCE_ACTIONS, isAllActions, isReadAction, isUnboundedResource, isWriteWildcard } from "./actions";
import { scopesResource } from "./conditions";
import { describeStatement, parsePolicyDocument } from "./document";
import { sensitiveReadsCovered } from "./sensitive-reads";
import { trustProblems } from "./trust";

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

function checkDocument(label: string, value: unknown, allowedStar: ReadonlySet<string>, report: FindingReporter): void {
  const doc = parsePolicyDocument(value);
  if (doc === undefined) return;
  if ("error" in doc) {
    report(`${label}: ${doc.error}.`, undefined, "document");
    return;
  }
  doc.statements.forEach((s, i) => {
    if (s.effect !== "Allow") return;
    const where = `${label} ${describeStatement(s, i)}`;
    if (s.notActions.length > 0) report(`${where} allows NotAction (every action but a few).`, undefined, `NotAction ${s.notActions.join(",")}`);
    if (s.notResources.length > 0) report(`${where} allows NotResource (every resource but a few).`, undefined, `NotResource ${s.notResources.join(",")}`);
    if (s.actions.some(isAllActions)) {
      report(`${where} allows every action ("*"): an administrator policy.`, undefined, "action *");
      return;
    }
    for (const action of s.actions.filter(isWriteWildcard)) report(`${where} allows the wildcard action ${action}, which covers write actions.`, undefined, `action ${action}`);
    const unbounded = s.resources.filter(isUnboundedResource);
    if (unbounded.length === 0 || scopesResource(s.conditions)) return;
    const on = unbounded.join(", ");
    for (const action of s.actions.filter((a) => !isReadAction(a) && !allowedStar.has(a))) {
      report(`${where} allows the write action ${action} on every resource (Resource ${on}).`, undefined, `write ${action} on ${on}`);
    }
    for (const action of s.actions.filter((a) => isReadAction(a) && !allowedStar.has(a))) {
      const covered = sensitiveReadsCovered(action).filter((a) => !allowedStar.has(a));
      if (covered.length === 0) continue;
      const what = covered.length === 1 && covered[0] === action ? action : `${action} (covers ${covered.slice(0, 4).join(", ")}${covered.length > 4 ? ", ..." : ""})`;
      report(`${where} allows the sensitive read ${what} on every resource (Resource ${on}): it discloses secrets or stored data; name the resources.`, undefined, `read ${action} on ${on}`);
    }
  });
}

function checkTrust(label: string, value: unknown, trustedAccounts: ReadonlySet<string>, report: FindingReporter): void {
  const doc = parsePolicyDocument(value);
  if (doc === undefined) return;
  if ("error" in doc) {
    report(`${label}: ${doc.error}.`, undefined, "trust document");
    return;
  }
  doc.statements.forEach((s, i) => {
    for (const { principal, problem } of trustProblems(s, trustedAccounts)) {
      report(`${label} ${describeStatement(s, i)} ${problem}.`, undefined, `trust ${principal}`);
    }
  });
}

export const iamLeastPrivilege = defineResourcePolicy({
  meta: {
    id: "IAM-01",
    title: "IAM least privilege: no wildcard writes or sensitive reads on every resource, scoped trust, no admin or user policies",
    severity: "high",
    decisions: ["D1", "D4"],
    controls: {
      fsbp: ["IAM.1", "IAM.2", "IAM.21"],
      cis: ["1.15", "1.16"],
      checkov: ["CKV_AWS_60", "CKV_AWS_61", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_108", "CKV_AWS_111", "CKV_AWS_355", "CKV_AWS_358"],
    },
    description:
      "Identity policies allow no `*` action, no wildcard write action (s3:*, s3:Put*), no NotAction/NotResource, and on every " +
      "resource (Resource \"*\" or an ARN pattern covering all resources of a kind or any account) neither a write action nor a " +
      "sensitive read (one returning secret material or stored data: secretsmanager:GetSecretValue, ssm:GetParameter*, kms:Decrypt, " +
      "s3:GetObject, patterns covering them ...) unless AWS only supports \"*\" for it or a condition scopes it by operator and " +
      "value (no IfExists, negated or wildcard-valued conditions). Role trust policies admit no principal `*` without a condition " +
      "pinning our account or organisation, no other account without sts:ExternalId, aws:PrincipalOrgID or a literal " +
      "aws:PrincipalArn, no web identity without a `sub` condition naming the subject, no NotPrincipal. No AWS administrator policy " +
      "(AdministratorAccess, PowerUserAccess, IAMFullAccess) is attached; no policy is attached to an IAM user.",
    remediation:
      "Name the actions and the resource ARNs each role needs (grant next to the resource that owns them); trust named " +
      "principals with an external id or organisation condition; attach policies to roles, never to users; replace " +
      "administrator policies with scoped ones.",
    enforcementLevel: "mandatory",
  },
  config: {
    starResourceActions: {
      type: "array",
      items: { type: "string" },
      default: [],
      description: "Further actions allowed on Resource \"*\" because AWS offers no resource-level permission for them.",
    },
    trustedAccounts: {
      type: "array",
      items: { type: "string" },
      default: [],
      description: "AWS account ids (this platform's own) that role trust policies may name without a scoping condition.",
    },
  },
  validate: (args, reportViolation) => {
    const { type } = args;
    const applicable = [...DOCUMENT_TYPES, ...USER_ATTACHMENT_TYPES, ...ATTACHMENT_TYPES, ROLE_TYPE];
    if (!applicable.includes(type)) args.notApplicable("not an IAM policy, role or attachment");
    const config = args.getConfig<{ starResourceActions?: string[]; trustedAccounts?: string[] }>();
    const allowedStar = new Set([...STAR_RESOURCE_ACTIONS, ...texts(config.starResourceActions)]);
    if (USER_ATTACHMENT_TYPES.includes(type)) {
      reportViolation(`${type} "${args.name}" attaches a policy to an IAM user; attach policies to roles only.`, undefined, "user policy");
      return;
    }
    if (DOCUMENT_TYPES.includes(type)) {
      checkDocument(`IAM policy "${args.name}"`, args.props["policy"], allowedStar, reportViolation);
      return;
    }
    if (type === ROLE_TYPE) {
      checkTrust(`trust policy of role "${args.name}"`, args.props["assumeRolePolicy"], new Set(texts(config.trustedAccounts)), reportViolation);
      for (const inline of list(args.props["inlinePolicies"])) {
        checkDocument(`inline policy "${text(at(inline, "name")) ?? "?"}" of role "${args.name}"`, at(inline, "policy"), allowedStar, reportViolation);
      }
      // AWS-managed ARNs are literals; an ARN unknown during preview is one of ours, never an admin policy.
      for (const arn of peekTexts(args.props, "managedPolicyArns")) {
        if (ADMIN_POLICY.test(arn)) reportViolation(`role "${args.name}" has the administrator policy ${arn} attached.`, undefined, `managed policy ${arn}`);
      }
      return;
    }
    // Attachments.
    if (texts(args.props["users"]).length > 0) {
      reportViolation(`${type} "${args.name}" attaches a policy to IAM users (${texts(args.props["users"]).join(", ")}).`, undefined, "user policy");
    }
    const [arn] = peekTexts(args.props, "policyArn");
    if (arn !== undefined && ADMIN_POLICY.test(arn)) reportViolation(`${type} "${args.name}" attaches the administrator policy ${arn}.`, undefined, `managed policy ${arn}`);
  },
});
