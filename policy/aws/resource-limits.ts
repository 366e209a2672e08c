import {
  DOCUMENT_LIMITS,
  ENTITY_QUOTAS,
  IAM_DOCUMENT_TEXT,
  NAME_RULES,
  SNS_POLICY_LIMITS,
  SQS_POLICY_LIMITS,
  WAF_METRIC_NAME,
  documentSize,
  fifoNameProblem,
  nameProblem,
  tagProblems,
} from "../../src/conventions/aws-limits";
import { at, flag, isRecord, list, num, record, tagsOf, text, texts, type Json } from "../framework/props";

/** One limit a resource's own inputs break: `key` is the stable finding key, `message` says what and why. */
export interface LimitProblem {
  readonly key: string;
  readonly message: string;
}

const IAM_DOCUMENT_TYPES = new Set(["aws:iam/policy:Policy", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"]);
const SQS_POLICY_TYPES = new Set(["aws:sqs/queuePolicy:QueuePolicy", "aws:sqs/queue:Queue"]);

/** Properties that attach security groups to one network interface (or to every interface the resource makes). */
const SECURITY_GROUP_LISTS: Readonly<Record<string, ReadonlyArray<readonly (string | number)[]>>> = {
  "aws:ec2/instance:Instance": [["vpcSecurityGroupIds"], ["securityGroups"]],
  "aws:ec2/launchTemplate:LaunchTemplate": [["vpcSecurityGroupIds"], ["securityGroupNames"]],
  "aws:ec2/vpcEndpoint:VpcEndpoint": [["securityGroupIds"]],
  "aws:lb/loadBalancer:LoadBalancer": [["securityGroups"]],
  "aws:alb/loadBalancer:LoadBalancer": [["securityGroups"]],
  "aws:eks/cluster:Cluster": [["vpcConfig", "securityGroupIds"]],
  "aws:codebuild/project:Project": [["vpcConfig", "securityGroupIds"]],
  "aws:ec2/networkInterface:NetworkInterface": [["securityGroups"]],
};

/** Everything one resource's inputs can break on their own; cross-resource quotas are in ./entity-quotas.ts. */
export function resourceLimitProblems(type: string, props: Json, region?: string): LimitProblem[] {
  const problems: LimitProblem[] = [];
  const add = (key: string, message: string) => problems.push({ key, message });

  for (const [property, rule] of Object.entries(NAME_RULES[type] ?? {})) {
    const value = text(props[property]);
    if (value === undefined) continue;
    const problem = nameProblem(rule, value);
    if (problem !== undefined) add(`${property} format`, `${property} "${value}" ${problem}`);
  }
  fifoProblems(type, props, add);
  wafMetricProblems(type, props, add);

  const tags = Array.isArray(props["tags"]) ? tagsOf(props) : record(props["tags"]);
  if (tags !== undefined) for (const problem of tagProblems(tags)) add("tags", problem);

  for (const [property, limit] of Object.entries(DOCUMENT_LIMITS[type] ?? {})) {
    const document = text(props[property]);
    if (document === undefined) continue;
    const size = documentSize(document, limit.measure);
    if (size > limit.max) add(`${property} size`, `${property} is ${size} ${limit.measure}: allowed at most ${limit.max} (${limit.source})`);
    if (IAM_DOCUMENT_TYPES.has(type) && !IAM_DOCUMENT_TEXT.test(document)) {
      add(`${property} characters`, `${property} holds characters outside tab, LF, CR and U+0020..U+00FF, which IAM refuses (IAM name requirements)`);
    }
  }
  if (SQS_POLICY_TYPES.has(type)) sqsPolicyShapeProblems(text(props["policy"]), add);
  if (type === "aws:sns/topicPolicy:TopicPolicy" || type === "aws:sns/topic:Topic") {
    const statements = statementsOf(text(props["policy"]));
    if (statements !== undefined && statements.length > SNS_POLICY_LIMITS.statements) {
      add("sns policy statements", `policy has ${statements.length} statements: allowed at most ${SNS_POLICY_LIMITS.statements} (${SNS_POLICY_LIMITS.source})`);
    }
  }
  endpointRegionProblems(type, props, region, add);

  securityGroupRuleProblems(type, props, add);
  networkAclProblems(type, props, add);
  for (const path of SECURITY_GROUP_LISTS[type] ?? []) {
    const groups = texts(at(props, ...path));
    const quota = ENTITY_QUOTAS.securityGroupsPerNetworkInterface;
    if (groups.length > quota.max) add("security groups per interface", `${path.join(".")} names ${groups.length} security groups: allowed at most ${quota.max} (${quota.source})`);
  }
  if (type === "aws:ec2/launchTemplate:LaunchTemplate") {
    for (const [i, nic] of list(props["networkInterfaces"]).entries()) {
      const groups = texts(at(nic, "securityGroups"));
      const quota = ENTITY_QUOTAS.securityGroupsPerNetworkInterface;
      if (groups.length > quota.max) add("security groups per interface", `networkInterfaces[${i}].securityGroups names ${groups.length} security groups: allowed at most ${quota.max} (${quota.source})`);
    }
  }
  userDataProblems(type, props, add);
  return problems;
}

function fifoProblems(type: string, props: Json, add: (key: string, message: string) => void): void {
  const flagProperty = type === "aws:sqs/queue:Queue" ? "fifoQueue" : type === "aws:sns/topic:Topic" ? "fifoTopic" : undefined;
  const name = text(props["name"]);
  if (flagProperty === undefined || name === undefined) return;
  const problem = fifoNameProblem(name, flag(props[flagProperty]) === true);
  if (problem !== undefined) add("name fifo suffix", `name "${name}": ${problem}`);
}

function wafMetricProblems(type: string, props: Json, add: (key: string, message: string) => void): void {
  if (type !== "aws:wafv2/webAcl:WebAcl" && type !== "aws:wafv2/ruleGroup:RuleGroup") return;
  const configs: Array<[string, unknown]> = [["visibilityConfig", props["visibilityConfig"]]];
  list(props["rules"]).forEach((rule, i) => configs.push([`rules[${i}].visibilityConfig`, at(rule, "visibilityConfig")]));
  for (const [where, config] of configs) {
    const metric = text(at(config, "metricName"));
    if (metric === undefined) continue;
    const problem = nameProblem(WAF_METRIC_NAME, metric);
    if (problem !== undefined) add("waf metric name", `${where}.metricName "${metric}" ${problem}`);
  }
}

/** A policy document's statements, or undefined when it is no JSON (the messaging and IAM policies report that). */
function statementsOf(document: string | undefined): unknown[] | undefined {
  if (document === undefined) return undefined;
  try {
    return list(at(JSON.parse(document) as unknown, "Statement"));
  } catch {
    return undefined;
  }
}

/**
 * An AWS endpoint service is named `com.amazonaws.<region>.<service>`: one of another region cannot be
 * reached from this VPC (CreateVpcEndpoint answers InvalidServiceName).
 */
function endpointRegionProblems(type: string, props: Json, region: string | undefined, add: (key: string, message: string) => void): void {
  if (type !== "aws:ec2/vpcEndpoint:VpcEndpoint" || region === undefined) return;
  const service = text(props["serviceName"]);
  const named = service === undefined ? undefined : /^com\.amazonaws\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\./.exec(service)?.[1];
  if (named !== undefined && named !== region) add("endpoint region", `serviceName "${service}" is in ${named}, but the provider's region is ${region} (EC2 CreateVpcEndpoint: InvalidServiceName)`);
}

function sqsPolicyShapeProblems(document: string | undefined, add: (key: string, message: string) => void): void {
  const statements = statementsOf(document);
  if (statements === undefined) return;
  const q = SQS_POLICY_LIMITS;
  if (statements.length > q.statements) add("sqs policy statements", `policy has ${statements.length} statements: allowed at most ${q.statements} (${q.source})`);
  let principals = 0;
  let conditions = 0;
  statements.forEach((s, i) => {
    const principal = at(s, "Principal");
    principals += principal === "*" ? 1 : isRecord(principal) ? Object.values(principal).reduce<number>((n, v) => n + texts(v).length, 0) : 0;
    for (const operators of Object.values(record(at(s, "Condition")) ?? {})) conditions += Object.keys(record(operators) ?? {}).length;
    const actions = texts(at(s, "Action")).length;
    if (actions > q.actionsPerStatement) add("sqs policy actions", `policy statement ${i} has ${actions} actions: allowed at most ${q.actionsPerStatement} (${q.source})`);
  });
  if (principals > q.principals) add("sqs policy principals", `policy names ${principals} principals: allowed at most ${q.principals} (${q.source})`);
  if (conditions > q.conditions) add("sqs policy conditions", `policy has ${conditions} conditions: allowed at most ${q.conditions} (${q.source})`);
}

/** Inline rules of a security group (and of the default one): count per direction, descriptions. */
function securityGroupRuleProblems(type: string, props: Json, add: (key: string, message: string) => void): void {
  if (type !== "aws:ec2/securityGroup:SecurityGroup" && type !== "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup") return;
  const descriptionRule = NAME_RULES["aws:ec2/securityGroup:SecurityGroup"]?.["description"];
  for (const direction of ["ingress", "egress"] as const) {
    const rules = list(props[direction]);
    const count = rules.reduce<number>((n, r) => n + securityGroupRuleWeight(r), 0);
    const quota = ENTITY_QUOTAS.rulesPerSecurityGroupDirection;
    if (count > quota.max) add(`${direction} rules`, `${direction} holds ${count} rules: allowed at most ${quota.max} (${quota.source})`);
    rules.forEach((r, i) => {
      const description = text(at(r, "description"));
      const problem = description === undefined || descriptionRule === undefined ? undefined : nameProblem(descriptionRule, description);
      if (problem !== undefined) add("rule description", `${direction}[${i}].description "${description}" ${problem}`);
    });
  }
}

/** How many rules one rule entry counts as: one per CIDR, IPv6 CIDR, prefix list and referenced group (at least one). */
export function securityGroupRuleWeight(rule: unknown): number {
  const sources = ["cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "securityGroups"].reduce((n, key) => n + texts(at(rule, key)).length, 0);
  const single = ["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId", "sourceSecurityGroupId"].filter((key) => text(at(rule, key)) !== undefined).length;
  return Math.max(1, sources + single + (flag(at(rule, "self")) === true ? 1 : 0));
}

function networkAclProblems(type: string, props: Json, add: (key: string, message: string) => void): void {
  const range = ENTITY_QUOTAS.networkAclRuleNumber;
  const checkNumber = (where: string, value: number | undefined) => {
    if (value !== undefined && (value < range.min || value > range.max)) add("nacl rule number", `${where} is ${value}: allowed ${range.min}..${range.max} (${range.source})`);
  };
  if (type === "aws:ec2/networkAclRule:NetworkAclRule") checkNumber("ruleNumber", num(props["ruleNumber"]));
  if (type !== "aws:ec2/networkAcl:NetworkAcl" && type !== "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl") return;
  for (const direction of ["ingress", "egress"] as const) {
    const rules = list(props[direction]);
    const quota = ENTITY_QUOTAS.rulesPerNetworkAclDirection;
    if (rules.length > quota.max) add(`nacl ${direction} rules`, `${direction} holds ${rules.length} rules: allowed at most ${quota.max} (${quota.source})`);
    rules.forEach((r, i) => checkNumber(`${direction}[${i}].ruleNo`, num(at(r, "ruleNo"))));
  }
}

function userDataProblems(type: string, props: Json, add: (key: string, message: string) => void): void {
  const quota = ENTITY_QUOTAS.userDataBytes;
  let bytes: number | undefined;
  let what = "";
  if (type === "aws:ec2/instance:Instance") {
    const raw = text(props["userData"]);
    const encoded = text(props["userDataBase64"]);
    if (raw !== undefined) [bytes, what] = [Buffer.byteLength(raw, "utf8"), "userData"];
    else if (encoded !== undefined) [bytes, what] = [Buffer.from(encoded, "base64").length, "userDataBase64 (decoded)"];
  } else if (type === "aws:ec2/launchTemplate:LaunchTemplate") {
    const encoded = text(props["userData"]);
    if (encoded !== undefined) [bytes, what] = [Buffer.from(encoded, "base64").length, "userData (decoded)"];
  }
  if (bytes !== undefined && bytes > quota.max) add("user data size", `${what} is ${bytes} bytes: allowed at most ${quota.max} (${quota.source})`);
}
