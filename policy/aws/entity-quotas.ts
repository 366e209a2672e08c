import type { PolicyResource } from "@pulumi/policy";
import { ENTITY_QUOTAS } from "../../src/conventions/aws-limits";
import { at, flag, list, text, texts } from "../framework/props";
import type { StackIndex } from "../framework/stack-index";
import { securityGroupRuleWeight } from "./resource-limits";

/** A quota that several resources of the stack share, broken: reported on the entity that holds them. */
export interface QuotaProblem {
  readonly resource: PolicyResource;
  readonly key: string;
  readonly message: string;
}

const ROLE = "aws:iam/role:Role";
const USER = "aws:iam/user:User";
const GROUP = "aws:iam/group:Group";
const SECURITY_GROUPS = ["aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"];
const NETWORK_ACLS = ["aws:ec2/networkAcl:NetworkAcl", "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"];

const withoutWhiteSpace = (document: string | undefined): number => (document === undefined ? 0 : [...document.replace(/\s/g, "")].length);

/** Every per-entity quota of ENTITY_QUOTAS that spans resources. */
export function entityQuotaProblems(index: StackIndex): QuotaProblem[] {
  return [...iamProblems(index), ...securityGroupProblems(index), ...networkAclProblems(index), ...eksAuthenticationProblems(index)];
}

function iamProblems(index: StackIndex): QuotaProblem[] {
  const problems: QuotaProblem[] = [];
  const inline = [
    { owners: ROLE, policies: "aws:iam/rolePolicy:RolePolicy", property: "role", quota: ENTITY_QUOTAS.roleInlinePolicyCharacters },
    { owners: USER, policies: "aws:iam/userPolicy:UserPolicy", property: "user", quota: ENTITY_QUOTAS.userInlinePolicyCharacters },
    { owners: GROUP, policies: "aws:iam/groupPolicy:GroupPolicy", property: "group", quota: ENTITY_QUOTAS.groupInlinePolicyCharacters },
  ];
  for (const { owners, policies, property, quota } of inline) {
    for (const owner of index.ofType(owners)) {
      const attached = index.referrers(owner, [policies], property);
      const embedded = owners === ROLE ? list(owner.props["inlinePolicies"]).map((p) => text(at(p, "policy"))) : [];
      const total = [...attached.map((p) => text(p.props["policy"])), ...embedded].reduce((n, doc) => n + withoutWhiteSpace(doc), 0);
      if (total > quota.max) {
        problems.push({ resource: owner, key: "inline policy size", message: `its inline policies together are ${total} characters without white space: allowed at most ${quota.max} (${quota.source})` });
      }
    }
  }
  const quota = ENTITY_QUOTAS.managedPoliciesPerRole;
  for (const role of index.ofType(ROLE)) {
    const attachments = index.referrers(role, ["aws:iam/rolePolicyAttachment:RolePolicyAttachment"], "role").map((a) => text(a.props["policyArn"]) ?? a.urn);
    const arns = new Set([...attachments, ...texts(role.props["managedPolicyArns"])]);
    if (arns.size > quota.max) problems.push({ resource: role, key: "managed policies", message: `${arns.size} managed policies are attached: allowed at most ${quota.max} (${quota.source})` });
  }
  return problems;
}

function securityGroupProblems(index: StackIndex): QuotaProblem[] {
  const problems: QuotaProblem[] = [];
  const quota = ENTITY_QUOTAS.rulesPerSecurityGroupDirection;
  const standalone = [
    { type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", direction: (): "ingress" | "egress" => "ingress" },
    { type: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", direction: (): "ingress" | "egress" => "egress" },
    { type: "aws:ec2/securityGroupRule:SecurityGroupRule", direction: (r: PolicyResource): "ingress" | "egress" => (text(r.props["type"]) === "egress" ? "egress" : "ingress") },
  ];
  for (const group of index.ofType(...SECURITY_GROUPS)) {
    const counts = { ingress: 0, egress: 0 };
    for (const direction of ["ingress", "egress"] as const) {
      counts[direction] += list(group.props[direction]).reduce<number>((n, r) => n + securityGroupRuleWeight(r), 0);
    }
    for (const { type, direction } of standalone) {
      for (const rule of index.referrers(group, [type], "securityGroupId")) counts[direction(rule)] += securityGroupRuleWeight(rule.props);
    }
    for (const direction of ["ingress", "egress"] as const) {
      if (counts[direction] > quota.max) {
        problems.push({ resource: group, key: `${direction} rules`, message: `holds ${counts[direction]} ${direction} rules: allowed at most ${quota.max} (${quota.source})` });
      }
    }
  }
  return problems;
}

function networkAclProblems(index: StackIndex): QuotaProblem[] {
  const problems: QuotaProblem[] = [];
  const quota = ENTITY_QUOTAS.rulesPerNetworkAclDirection;
  for (const acl of index.ofType(...NETWORK_ACLS)) {
    const rules = index.referrers(acl, ["aws:ec2/networkAclRule:NetworkAclRule"], "networkAclId");
    for (const egress of [false, true]) {
      const direction = egress ? "egress" : "ingress";
      const count = list(acl.props[direction]).length + rules.filter((r) => (flag(r.props["egress"]) === true) === egress).length;
      if (count > quota.max) problems.push({ resource: acl, key: `nacl ${direction} rules`, message: `holds ${count} ${direction} rules: allowed at most ${quota.max} (${quota.source})` });
      const numbers = rules.filter((r) => (flag(r.props["egress"]) === true) === egress).map((r) => String(r.props["ruleNumber"]));
      const duplicate = numbers.find((n, i) => numbers.indexOf(n) !== i);
      if (duplicate !== undefined) problems.push({ resource: acl, key: `nacl ${direction} rule number`, message: `has two ${direction} rules numbered ${duplicate}: AWS refuses the second (NetworkAclEntryAlreadyExists)` });
    }
  }
  return problems;
}

/**
 * Access entries work only when the cluster's authentication mode admits the EKS API (API or
 * API_AND_CONFIG_MAP); under CONFIG_MAP (the default of clusters created without accessConfig) AWS
 * refuses CreateAccessEntry (Amazon EKS User Guide, "Change authentication mode to use access entries").
 */
function eksAuthenticationProblems(index: StackIndex): QuotaProblem[] {
  const problems: QuotaProblem[] = [];
  for (const cluster of index.ofType("aws:eks/cluster:Cluster")) {
    const entries = index.referrers(cluster, ["aws:eks/accessEntry:AccessEntry"], "clusterName");
    const mode = text(at(cluster.props, "accessConfig", "authenticationMode")) ?? "CONFIG_MAP";
    if (entries.length > 0 && mode !== "API" && mode !== "API_AND_CONFIG_MAP") {
      problems.push({ resource: cluster, key: "authentication mode", message: `has ${entries.length} access entries but authenticationMode ${mode}: allowed API or API_AND_CONFIG_MAP` });
    }
    // "An IAM principal can't be included in more than one access entry" (Amazon EKS User Guide, "Create access entries").
    const principals = entries.map((e) => text(e.props["principalArn"])).filter((p): p is string => p !== undefined);
    for (const principal of new Set(principals.filter((p, i) => principals.indexOf(p) !== i))) {
      problems.push({ resource: cluster, key: "access entry principal", message: `has more than one access entry for ${principal}: allowed one per principal` });
    }
  }
  return problems;
}
