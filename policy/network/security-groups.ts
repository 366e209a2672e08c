import { at, flag, isRecord, list, num, text, texts, UNKNOWN_SENTINELS } from "../framework/props";
import { FlowSet, normaliseProtocol } from "./flows";

/**
 * Security group rules come in four shapes: inline `ingress`/`egress` on aws.ec2.SecurityGroup (and on
 * DefaultSecurityGroup), aws.vpc.SecurityGroupIngressRule / EgressRule, and aws.ec2.SecurityGroupRule.
 * They are read into one shape here; references to other groups are kept raw for the caller to resolve.
 */
export const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
export const DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
export const SECURITY_GROUP_TYPES = [SECURITY_GROUP, DEFAULT_SECURITY_GROUP];
export const VPC_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const VPC_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
export const EC2_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
export const RULE_TYPES = [VPC_INGRESS_RULE, VPC_EGRESS_RULE, EC2_RULE];

export interface SecurityGroupRule {
  readonly direction: "ingress" | "egress";
  readonly flows: FlowSet;
  readonly allProtocols: boolean;
  /** IPv4 and IPv6 blocks the rule admits. */
  readonly cidrs: readonly string[];
  /** Referenced group ids as written; entries unknown during preview stay as the engine's sentinel. */
  readonly groupRefs: readonly string[];
  /** The top-level property holding the references (for property dependencies). */
  readonly groupRefProperty: string | undefined;
  readonly self: boolean;
  readonly prefixLists: readonly string[];
  readonly label: string;
}

function rawList(container: unknown, key: string): string[] {
  if (!isRecord(container)) return [];
  const raw: unknown = Object.getOwnPropertyDescriptor(container, key)?.value;
  return (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === "string" && v !== "");
}

export function isUnknownRef(value: string): boolean {
  return UNKNOWN_SENTINELS.has(value);
}

function inlineRules(owner: string, props: Record<string, unknown>): SecurityGroupRule[] {
  const rules: SecurityGroupRule[] = [];
  for (const direction of ["ingress", "egress"] as const) {
    list(props[direction]).forEach((rule, i) => {
      const protocol = text(at(rule, "protocol")) ?? "-1";
      rules.push({
        direction,
        flows: FlowSet.of(protocol, num(at(rule, "fromPort")), num(at(rule, "toPort"))),
        allProtocols: normaliseProtocol(protocol) === "all",
        cidrs: [...texts(at(rule, "cidrBlocks")), ...texts(at(rule, "ipv6CidrBlocks"))],
        groupRefs: rawList(rule, "securityGroups"),
        groupRefProperty: direction,
        self: flag(at(rule, "self")) === true,
        prefixLists: texts(at(rule, "prefixListIds")),
        label: `security group "${owner}" ${direction} rule ${i + 1}`,
      });
    });
  }
  return rules;
}

/** The rules a resource declares; empty for resources that declare none. */
export function rulesOf(type: string, name: string, props: Record<string, unknown>): SecurityGroupRule[] {
  if (SECURITY_GROUP_TYPES.includes(type)) return inlineRules(name, props);
  if (type === VPC_INGRESS_RULE || type === VPC_EGRESS_RULE) {
    const protocol = text(props["ipProtocol"]) ?? "-1";
    const cidrs = [text(props["cidrIpv4"]), text(props["cidrIpv6"])].filter((c): c is string => c !== undefined);
    const refs = rawList(props, "referencedSecurityGroupId");
    return [
      {
        direction: type === VPC_INGRESS_RULE ? "ingress" : "egress",
        flows: FlowSet.of(protocol, num(props["fromPort"]), num(props["toPort"])),
        allProtocols: normaliseProtocol(protocol) === "all",
        cidrs,
        groupRefs: refs,
        groupRefProperty: "referencedSecurityGroupId",
        self: false,
        prefixLists: texts(props["prefixListId"]),
        label: `${type === VPC_INGRESS_RULE ? "ingress" : "egress"} rule "${name}"`,
      },
    ];
  }
  if (type === EC2_RULE) {
    const protocol = text(props["protocol"]) ?? "-1";
    const direction = text(props["type"]) === "egress" ? "egress" : "ingress";
    return [
      {
        direction,
        flows: FlowSet.of(protocol, num(props["fromPort"]), num(props["toPort"])),
        allProtocols: normaliseProtocol(protocol) === "all",
        cidrs: [...texts(props["cidrBlocks"]), ...texts(props["ipv6CidrBlocks"])],
        groupRefs: rawList(props, "sourceSecurityGroupId"),
        groupRefProperty: "sourceSecurityGroupId",
        self: flag(props["self"]) === true,
        prefixLists: texts(props["prefixListIds"]),
        label: `${direction} rule "${name}"`,
      },
    ];
  }
  return [];
}

/**
 * The finding key of an opening: direction, what it admits and from where, e.g.
 * `ingress tcp/3389 from 203.0.113.0/24`. Widening the ports or the sources gives another key.
 */
export function openingKey(rule: SecurityGroupRule, sources: readonly string[] = sourcesOf(rule)): string {
  return `${rule.direction} ${rule.flows.toString()} ${rule.direction === "ingress" ? "from" : "to"} ${sources.join(",") || "(none)"}`;
}

function sourcesOf(rule: SecurityGroupRule): string[] {
  return [...rule.cidrs, ...rule.prefixLists, ...rule.groupRefs.map((g) => (isUnknownRef(g) ? "(group)" : g)), ...(rule.self ? ["self"] : [])];
}
