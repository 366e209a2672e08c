import type { PolicyResource } from "@pulumi/policy";
import { at, list } from "../framework/props";
import type { StackIndex } from "../framework/stack-index";
import { parsePolicyDocument, type PolicyStatement } from "../iam/document";
import { arnOf, physicalName, tag } from "./resources";

/**
 * The identity policies of the services' roles. A service's pod-identity role carries the tag
 * `service=<catalog name>` (as the queues it owns do); its statements come from inline policies,
 * RolePolicy resources and attached customer-managed policies of this stack.
 */
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const MANAGED_POLICY = "aws:iam/policy:Policy";

export interface ServiceRole {
  readonly role: PolicyResource;
  readonly service: string;
  readonly arn: string | undefined;
  readonly statements: PolicyStatement[];
}

function statementsOf(value: unknown): PolicyStatement[] {
  const doc = parsePolicyDocument(value);
  return doc === undefined || "error" in doc ? [] : [...doc.statements];
}

export function serviceRoles(index: StackIndex): ServiceRole[] {
  const rolePolicies = index.ofType(ROLE_POLICY);
  const attachments = index.ofType(ROLE_POLICY_ATTACHMENT);
  const roles: ServiceRole[] = [];
  for (const role of index.ofType(ROLE)) {
    const service = tag(role, "service");
    if (service === undefined) continue;
    const statements: PolicyStatement[] = [];
    for (const inline of list(role.props["inlinePolicies"])) statements.push(...statementsOf(at(inline, "policy")));
    for (const rp of rolePolicies) {
      if (index.targets(rp, "role", [ROLE]).includes(role)) statements.push(...statementsOf(rp.props["policy"]));
    }
    for (const attachment of attachments) {
      if (!index.targets(attachment, "role", [ROLE]).includes(role)) continue;
      for (const policy of index.targets(attachment, "policyArn", [MANAGED_POLICY])) statements.push(...statementsOf(policy.props["policy"]));
    }
    roles.push({ role, service, arn: arnOf(role), statements });
  }
  return roles;
}

/** The role name shown in messages. */
export function roleLabel(role: ServiceRole): string {
  return `role "${physicalName(role.role)}" of service ${role.service}`;
}
