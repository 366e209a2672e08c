/**
 * What AWS itself refuses: name formats, document sizes, tag rules and per-entity quotas, each with the
 * page it comes from. The program's config validation (src/config/aws-name-rules.ts) and the policy pack
 * (policy/aws/) read these, so a limit is written down once. Quotas marked "default" can be raised per
 * account through Service Quotas; the pack holds the stack to the default, which is what a fresh account has.
 *
 * Sources (read 2026-12-03):
 * - IAM: "IAM and AWS STS quotas, name requirements, and character limits",
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 * - S3: "General purpose bucket naming rules", https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html;
 *   bucket policy size: S3 User Guide, "Bucket policies" ("Bucket policies are limited to 20 KB in size").
 * - KMS: "Create aliases", https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html;
 *   PutKeyPolicy API ("The policy size limit is 32 kilobytes (32768 bytes)").
 * - SQS: "Amazon SQS standard queue quotas" and "Amazon SQS FIFO queue quotas" (names),
 *   "Amazon SQS policy quotas", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html
 * - SNS: CreateTopic API, Name constraints; "Amazon SNS API permissions: Actions and resources reference",
 *   https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html (policy quotas:
 *   30 KB, 100 statements).
 * - EC2/VPC: CreateSecurityGroup API (GroupName, Description constraints); "Amazon VPC quotas",
 *   https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html (rules per security group, security
 *   groups per network interface, rules per network ACL); CreateNetworkAclEntry API (RuleNumber 1-32766);
 *   CreateLaunchTemplate API (LaunchTemplateName); "Amazon Virtual Private Cloud endpoints and quotas",
 *   https://docs.aws.amazon.com/general/latest/gr/vpc-service.html (characters per VPC endpoint policy).
 * - ELB: CreateLoadBalancer and CreateTargetGroup APIs (Name).
 * - Tags: "Tagging best practices" / each service's tag restrictions, e.g.
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-tags.html and the CloudFormation
 *   Tag pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$.
 * - EKS: CreateCluster API (name), CreateNodegroup API (nodegroupName), CreateAccessEntry API.
 * - AWS Backup: CreateBackupVault API (pattern ^[a-zA-Z0-9\-\_]{2,50}$), CreateBackupSelection API
 *   (SelectionName ^[a-zA-Z0-9\-\_\.]{1,50}$), CreateBackupPlan API (BackupPlanName, at most 50).
 * - CodeBuild: CreateProject API (name [A-Za-z0-9][A-Za-z0-9\-_]{1,254}).
 * - CloudWatch Logs: CreateLogGroup API (logGroupName [\.\-_/#A-Za-z0-9]+, 1-512); PutMetricFilter API
 *   (filterName [^:*]*, 1-512). CloudWatch: PutMetricAlarm API (AlarmName 1-255).
 * - Secrets Manager: CreateSecret API (Name 1-512, letters, digits and /_+=.@-); resource policy 20,480 characters.
 * - ECR: CreateRepository API (repositoryName 2-256, (?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*).
 * - SSM: CreateDocument API (Name ^[a-zA-Z0-9_\-.]{3,128}$, no aws/amazon/amzn prefix); PutParameter API (Name,
 *   at most 1011 characters, 15 hierarchy levels, no aws/ssm prefix).
 * - WAFv2: CreateWebACL API (Name ^[\w\-]+$ 1-128; VisibilityConfig.MetricName ^[\w#:\.\-/]+$ 1-255, not "All" or
 *   "Default_Action").
 * - Auto Scaling: CreateAutoScalingGroup API (AutoScalingGroupName 1-255).
 * - CloudTrail: CreateTrail API (Name 3-128: letters, digits, . _ -, starts and ends with a letter or digit, no
 *   adjacent . _ -, not an IP address).
 * - EC2 user data: see ./user-data.ts (16 KB before base64).
 */
import { USER_DATA_LIMIT_BYTES } from "./user-data";

/** A name format of one resource type's property, as the API states it. */
export interface NameRule {
  readonly min: number;
  readonly max: number;
  /** The whole value must match. */
  readonly pattern: RegExp;
  /** The pattern as a reader would state it, for the one-line message. */
  readonly allowed: string;
  /** Further checks (reserved prefixes, suffixes); each returns what is wrong, or undefined. */
  readonly extra?: ReadonlyArray<(value: string) => string | undefined>;
  readonly source: string;
}

const IAM = "IAM User Guide, IAM and AWS STS quotas";
const IAM_NAME = /^[\w+=,.@-]+$/;
const IAM_NAME_ALLOWED = "letters, digits and +=,.@_-";
const ALNUM_HYPHEN_NO_EDGE = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
/** CreateSecurityGroup's character set for names and descriptions (and rule descriptions). */
export const SECURITY_GROUP_TEXT = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;
const SECURITY_GROUP_TEXT_ALLOWED = "a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*";

const notPrefixed =
  (prefixes: readonly string[], why: string, caseInsensitive = false) =>
  (value: string): string | undefined => {
    const v = caseInsensitive ? value.toLowerCase() : value;
    const hit = prefixes.find((p) => v.startsWith(p));
    return hit === undefined ? undefined : `must not start with "${hit}" (${why})`;
  };
const notSuffixed =
  (suffixes: readonly string[], why: string) =>
  (value: string): string | undefined => {
    const hit = suffixes.find((s) => value.endsWith(s));
    return hit === undefined ? undefined : `must not end with "${hit}" (${why})`;
  };
const notIpAddress = (value: string): string | undefined => (/^\d{1,3}(\.\d{1,3}){3}$/.test(value) ? "must not be formatted as an IP address" : undefined);
const fifoSuffix = (fifoFlag: boolean) => (value: string) => (value.endsWith(".fifo") === fifoFlag ? undefined : fifoFlag ? 'a FIFO name must end with ".fifo"' : 'only a FIFO name may end with ".fifo"');

function iamName(max: number, what: string): NameRule {
  return { min: 1, max, pattern: IAM_NAME, allowed: IAM_NAME_ALLOWED, source: `${IAM} (${what} name: ${max} characters)` };
}

/** IAM paths: "/" or "/" + printable ASCII + "/", at most 512 characters. */
const IAM_PATH: NameRule = { min: 1, max: 512, pattern: /^\/(?:[\x21-\x7e]*\/)?$/, allowed: "/ or /segments/ of printable ASCII, beginning and ending with /", source: `${IAM} (path: 512 characters)` };

/** S3 general purpose bucket names (every rule of the naming page, not only length and charset). */
export const S3_BUCKET_NAME: NameRule = {
  min: 3,
  max: 63,
  pattern: /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
  allowed: "lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit",
  extra: [
    (v) => (v.includes("..") ? 'must not contain ".."' : undefined),
    notIpAddress,
    notPrefixed(["xn--", "sthree-", "amzn-s3-demo-"], "reserved prefix"),
    notSuffixed(["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"], "reserved suffix"),
  ],
  source: "Amazon S3 User Guide, General purpose bucket naming rules",
};

const TARGET_GROUP_NAME: NameRule = { min: 1, max: 32, pattern: ALNUM_HYPHEN_NO_EDGE, allowed: "letters, digits and hyphens, not starting or ending with a hyphen", source: "ELB CreateTargetGroup API, Name" };
const LOAD_BALANCER_NAME: NameRule = {
  ...TARGET_GROUP_NAME,
  extra: [notPrefixed(["internal-"], "reserved for internal load balancers' DNS names")],
  source: "ELB CreateLoadBalancer API, Name",
};

/** `type` → property → its name rule. Only properties the program sets as literal names. */
export const NAME_RULES: Readonly<Record<string, Readonly<Record<string, NameRule>>>> = {
  "aws:iam/role:Role": { name: iamName(64, "role"), path: IAM_PATH },
  "aws:iam/user:User": { name: iamName(64, "user"), path: IAM_PATH },
  "aws:iam/group:Group": { name: iamName(128, "group"), path: IAM_PATH },
  "aws:iam/policy:Policy": { name: iamName(128, "managed policy"), path: IAM_PATH },
  "aws:iam/instanceProfile:InstanceProfile": { name: iamName(128, "instance profile"), path: IAM_PATH },
  "aws:iam/rolePolicy:RolePolicy": { name: { min: 1, max: 128, pattern: /^[\x21-\x7e]+$/, allowed: "ASCII without \\ / * ? and white space", extra: [(v) => (/[\\/*?]/.test(v) ? "must not contain \\ / * ?" : undefined)], source: `${IAM} (inline policy name: 128 characters)` } },
  "aws:iam/groupPolicy:GroupPolicy": { name: { min: 1, max: 128, pattern: /^[\x21-\x7e]+$/, allowed: "ASCII without \\ / * ? and white space", extra: [(v) => (/[\\/*?]/.test(v) ? "must not contain \\ / * ?" : undefined)], source: `${IAM} (inline policy name: 128 characters)` } },
  "aws:s3/bucket:Bucket": { bucket: S3_BUCKET_NAME },
  "aws:s3/bucketV2:BucketV2": { bucket: S3_BUCKET_NAME },
  "aws:kms/alias:Alias": {
    name: {
      min: 7,
      max: 256,
      pattern: /^alias\/[A-Za-z0-9/_-]+$/,
      allowed: '"alias/" then letters, digits and /_-',
      extra: [notPrefixed(["alias/aws/"], "reserved for AWS managed keys", true)],
      source: "AWS KMS Developer Guide, Create aliases",
    },
  },
  "aws:sqs/queue:Queue": { name: { min: 1, max: 80, pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/, allowed: "letters, digits, hyphens and underscores (FIFO: plus the .fifo suffix)", source: "Amazon SQS Developer Guide, queue quotas (Queue name)" } },
  "aws:sns/topic:Topic": { name: { min: 1, max: 256, pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/, allowed: "ASCII letters, digits, underscores and hyphens (FIFO: plus the .fifo suffix)", source: "Amazon SNS CreateTopic API, Name" } },
  "aws:lb/loadBalancer:LoadBalancer": { name: LOAD_BALANCER_NAME },
  "aws:alb/loadBalancer:LoadBalancer": { name: LOAD_BALANCER_NAME },
  "aws:lb/targetGroup:TargetGroup": { name: TARGET_GROUP_NAME },
  "aws:alb/targetGroup:TargetGroup": { name: TARGET_GROUP_NAME },
  "aws:ec2/securityGroup:SecurityGroup": {
    name: { min: 1, max: 255, pattern: SECURITY_GROUP_TEXT, allowed: SECURITY_GROUP_TEXT_ALLOWED, extra: [notPrefixed(["sg-"], "reserved for group ids", true)], source: "EC2 CreateSecurityGroup API, GroupName" },
    description: { min: 0, max: 255, pattern: SECURITY_GROUP_TEXT, allowed: SECURITY_GROUP_TEXT_ALLOWED, source: "EC2 CreateSecurityGroup API, Description" },
  },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": { description: { min: 0, max: 255, pattern: SECURITY_GROUP_TEXT, allowed: SECURITY_GROUP_TEXT_ALLOWED, source: "EC2 AuthorizeSecurityGroupIngress API, IpRange Description" } },
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": { description: { min: 0, max: 255, pattern: SECURITY_GROUP_TEXT, allowed: SECURITY_GROUP_TEXT_ALLOWED, source: "EC2 AuthorizeSecurityGroupEgress API, IpRange Description" } },
  "aws:ec2/securityGroupRule:SecurityGroupRule": { description: { min: 0, max: 255, pattern: SECURITY_GROUP_TEXT, allowed: SECURITY_GROUP_TEXT_ALLOWED, source: "EC2 AuthorizeSecurityGroupIngress API, IpRange Description" } },
  "aws:ec2/launchTemplate:LaunchTemplate": { name: { min: 3, max: 128, pattern: /^[a-zA-Z0-9().\-/_]+$/, allowed: "letters, digits and ().-/_", source: "EC2 CreateLaunchTemplate API, LaunchTemplateName" } },
  "aws:autoscaling/group:Group": { name: { min: 1, max: 255, pattern: /^\P{Cc}+$/u, allowed: "characters without control characters", source: "Auto Scaling CreateAutoScalingGroup API, AutoScalingGroupName" } },
  "aws:eks/cluster:Cluster": { name: { min: 1, max: 100, pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/, allowed: "letters, digits, hyphens and underscores, starting with a letter or digit", source: "Amazon EKS CreateCluster API, name" } },
  "aws:eks/nodeGroup:NodeGroup": { nodeGroupName: { min: 1, max: 63, pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/, allowed: "letters, digits, hyphens and underscores, starting with a letter or digit", source: "Amazon EKS CreateNodegroup API, nodegroupName" } },
  "aws:backup/vault:Vault": { name: { min: 2, max: 50, pattern: /^[a-zA-Z0-9_-]+$/, allowed: "letters, digits, hyphens and underscores", source: "AWS Backup CreateBackupVault API, BackupVaultName" } },
  "aws:backup/plan:Plan": { name: { min: 1, max: 50, pattern: /^[a-zA-Z0-9_.-]+$/, allowed: "letters, digits and -_.", source: "AWS Backup CreateBackupPlan API, BackupPlanName" } },
  "aws:backup/selection:Selection": { name: { min: 1, max: 50, pattern: /^[a-zA-Z0-9_.-]+$/, allowed: "letters, digits and -_.", source: "AWS Backup CreateBackupSelection API, SelectionName" } },
  "aws:codebuild/project:Project": { name: { min: 2, max: 255, pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*$/, allowed: "letters, digits, hyphens and underscores, starting with a letter or digit", source: "AWS CodeBuild CreateProject API, name" } },
  "aws:cloudwatch/logGroup:LogGroup": { name: { min: 1, max: 512, pattern: /^[.\-_/#A-Za-z0-9]+$/, allowed: "letters, digits and ._-/#", source: "CloudWatch Logs CreateLogGroup API, logGroupName" } },
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": { name: { min: 1, max: 512, pattern: /^[^:*]+$/, allowed: "any characters but : and *", source: "CloudWatch Logs PutMetricFilter API, filterName" } },
  "aws:cloudwatch/metricAlarm:MetricAlarm": { name: { min: 1, max: 255, pattern: /^\P{Cc}+$/u, allowed: "characters without ASCII control characters", source: "CloudWatch PutMetricAlarm API, AlarmName" } },
  "aws:secretsmanager/secret:Secret": { name: { min: 1, max: 512, pattern: /^[A-Za-z0-9/_+=.@-]+$/, allowed: "letters, digits and /_+=.@-", source: "Secrets Manager CreateSecret API, Name" } },
  "aws:ecr/repository:Repository": {
    name: { min: 2, max: 256, pattern: /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/, allowed: "lower-case path segments of letters and digits joined by single . _ -", source: "Amazon ECR CreateRepository API, repositoryName" },
  },
  "aws:ssm/document:Document": {
    name: { min: 3, max: 128, pattern: /^[a-zA-Z0-9_.-]+$/, allowed: "letters, digits and _-.", extra: [notPrefixed(["aws", "amazon", "amzn"], "reserved prefix", true)], source: "Systems Manager CreateDocument API, Name" },
  },
  "aws:ssm/parameter:Parameter": {
    name: {
      min: 1,
      max: 1011,
      pattern: /^[a-zA-Z0-9_.\-/]+$/,
      allowed: "letters, digits and _.-/",
      extra: [
        notPrefixed(["aws", "ssm", "/aws", "/ssm"], "reserved prefix", true),
        (v) => (v.split("/").filter((s) => s !== "").length > 15 ? "must have at most 15 hierarchy levels" : undefined),
      ],
      source: "Systems Manager PutParameter API, Name",
    },
  },
  "aws:wafv2/webAcl:WebAcl": { name: { min: 1, max: 128, pattern: /^[\w-]+$/, allowed: "letters, digits, _ and -", source: "AWS WAFv2 CreateWebACL API, Name" } },
  "aws:cloudtrail/trail:Trail": {
    name: {
      min: 3,
      max: 128,
      pattern: /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/,
      allowed: "letters, digits and ._-, starting and ending with a letter or digit",
      extra: [(v) => (/[._-]{2}/.test(v) ? "must not contain adjacent . _ -" : undefined), notIpAddress],
      source: "CloudTrail CreateTrail API, Name",
    },
  },
};

/** The longest name AWS accepts for `type`'s `property`, for ctx.name(component, thing, maxLength). */
export function maxNameLength(type: string, property = "name"): number {
  const rule = NAME_RULES[type]?.[property];
  if (rule === undefined) throw new Error(`no AWS name rule for ${type}.${property} (src/conventions/aws-limits.ts)`);
  return rule.max;
}

/** Checks a name against a rule: what is wrong, or undefined. */
export function nameProblem(rule: NameRule, value: string): string | undefined {
  const length = [...value].length;
  if (length < rule.min || length > rule.max) return `is ${length} characters: allowed ${rule.min}..${rule.max} (${rule.source})`;
  if (!rule.pattern.test(value)) return `allowed: ${rule.allowed} (${rule.source})`;
  for (const check of rule.extra ?? []) {
    const problem = check(value);
    if (problem !== undefined) return `${problem} (${rule.source})`;
  }
  return undefined;
}

/** SNS and SQS names carry ".fifo" exactly when the resource is FIFO. */
export function fifoNameProblem(value: string, fifo: boolean): string | undefined {
  return fifoSuffix(fifo)(value);
}

/** WAFv2 metric names (web ACL and rule visibility configs). */
export const WAF_METRIC_NAME: NameRule = {
  min: 1,
  max: 255,
  pattern: /^[\w#:.\-/]+$/,
  allowed: "letters, digits and _#:.-/ without white space",
  extra: [(v) => (v === "All" || v === "Default_Action" ? `"${v}" is reserved` : undefined)],
  source: "AWS WAFv2 VisibilityConfig API, MetricName",
};

/** Tags: the rules common to every service the platform tags (the strictest set they share). */
export const TAG_LIMITS = {
  maxPerResource: 50,
  keyMax: 128,
  valueMax: 256,
  /** Letters, numbers and spaces in any script, plus _ . : / = + - @ (the CloudFormation Tag pattern). */
  text: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
  allowed: "letters, digits, spaces and _.:/=+-@",
  reservedPrefix: "aws:",
  source: "AWS tag restrictions (e.g. Elastic Load Balancing, Tag a target group; CloudFormation Tag pattern)",
} as const;

/** Tag problems of one resource's tag map (without the provider's default tags). */
export function tagProblems(tags: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const keys = Object.keys(tags);
  if (keys.length > TAG_LIMITS.maxPerResource) problems.push(`has ${keys.length} tags: allowed at most ${TAG_LIMITS.maxPerResource} (${TAG_LIMITS.source})`);
  for (const key of keys) {
    const value = tags[key];
    const keyLength = [...key].length;
    if (keyLength < 1 || keyLength > TAG_LIMITS.keyMax) problems.push(`tag key "${key}" is ${keyLength} characters: allowed 1..${TAG_LIMITS.keyMax} (${TAG_LIMITS.source})`);
    if (!TAG_LIMITS.text.test(key)) problems.push(`tag key "${key}": allowed ${TAG_LIMITS.allowed} (${TAG_LIMITS.source})`);
    if (key.toLowerCase().startsWith(TAG_LIMITS.reservedPrefix)) problems.push(`tag key "${key}" uses the reserved prefix aws: (${TAG_LIMITS.source})`);
    if (typeof value !== "string") continue;
    const valueLength = [...value].length;
    if (valueLength > TAG_LIMITS.valueMax) problems.push(`tag ${key} is ${valueLength} characters: allowed at most ${TAG_LIMITS.valueMax} (${TAG_LIMITS.source})`);
    if (!TAG_LIMITS.text.test(value)) problems.push(`tag ${key}="${value}": allowed ${TAG_LIMITS.allowed} (${TAG_LIMITS.source})`);
  }
  return problems;
}

/** How a document's size is counted. */
export type SizeMeasure = "characters without white space" | "characters" | "bytes";

export interface DocumentLimit {
  readonly max: number;
  readonly measure: SizeMeasure;
  readonly source: string;
}

/** Resource policy and document sizes; `type` → property → limit. */
export const DOCUMENT_LIMITS: Readonly<Record<string, Readonly<Record<string, DocumentLimit>>>> = {
  "aws:iam/policy:Policy": { policy: { max: 6_144, measure: "characters without white space", source: `${IAM} (managed policy size)` } },
  "aws:iam/role:Role": { assumeRolePolicy: { max: 2_048, measure: "characters without white space", source: `${IAM} (role trust policy length, default quota)` } },
  "aws:iam/userPolicy:UserPolicy": { policy: { max: 2_048, measure: "characters without white space", source: `${IAM} (user inline policy size, aggregate)` } },
  "aws:iam/groupPolicy:GroupPolicy": { policy: { max: 5_120, measure: "characters without white space", source: `${IAM} (group inline policy size, aggregate)` } },
  "aws:iam/rolePolicy:RolePolicy": { policy: { max: 10_240, measure: "characters without white space", source: `${IAM} (role inline policy size, aggregate)` } },
  "aws:s3/bucketPolicy:BucketPolicy": { policy: { max: 20_480, measure: "bytes", source: "Amazon S3 User Guide, Bucket policies (20 KB)" } },
  "aws:kms/key:Key": { policy: { max: 32_768, measure: "bytes", source: "AWS KMS PutKeyPolicy API (32768 bytes)" } },
  "aws:sqs/queuePolicy:QueuePolicy": { policy: { max: 8_192, measure: "bytes", source: "Amazon SQS policy quotas (8,192 bytes)" } },
  "aws:sqs/queue:Queue": { policy: { max: 8_192, measure: "bytes", source: "Amazon SQS policy quotas (8,192 bytes)" } },
  "aws:sns/topicPolicy:TopicPolicy": { policy: { max: 30_720, measure: "bytes", source: "Amazon SNS policy quotas (30 KB)" } },
  "aws:sns/topic:Topic": { policy: { max: 30_720, measure: "bytes", source: "Amazon SNS policy quotas (30 KB)" } },
  "aws:secretsmanager/secretPolicy:SecretPolicy": { policy: { max: 20_480, measure: "characters", source: "Secrets Manager PutResourcePolicy API (20,480 characters)" } },
  "aws:ecr/repositoryPolicy:RepositoryPolicy": { policy: { max: 10_240, measure: "characters", source: "Amazon ECR SetRepositoryPolicy API (policyText 0-10240)" } },
  "aws:ec2/vpcEndpoint:VpcEndpoint": { policy: { max: 20_480, measure: "characters", source: "Amazon VPC endpoints and quotas (characters per VPC endpoint policy, including white space)" } },
  "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy": { policy: { max: 20_480, measure: "characters", source: "Amazon VPC endpoints and quotas (characters per VPC endpoint policy, including white space)" } },
};

/** SNS topic policies: at most 100 statements (besides 30 KB). */
export const SNS_POLICY_LIMITS = { statements: 100, source: "Amazon SNS policy quotas" } as const;

/** SQS policy shape quotas besides bytes. */
export const SQS_POLICY_LIMITS = { statements: 20, principals: 50, conditions: 10, actionsPerStatement: 7, source: "Amazon SQS policy quotas" } as const;

export function documentSize(text: string, measure: SizeMeasure): number {
  if (measure === "bytes") return Buffer.byteLength(text, "utf8");
  if (measure === "characters") return [...text].length;
  return [...text.replace(/\s/g, "")].length;
}

/** IAM policy documents may hold only tab, LF, CR and U+0020..U+00FF (IAM name requirements). */
export const IAM_DOCUMENT_TEXT = /^[\t\n\r\x20-\xff]*$/;

/** Per-entity quotas that span several resources. */
export const ENTITY_QUOTAS = {
  /** Default quota; raisable to 20 (IAM quotas: managed policies per role). */
  managedPoliciesPerRole: { max: 10, source: `${IAM} (managed policies attached to an IAM role, default)` },
  roleInlinePolicyCharacters: { max: 10_240, source: `${IAM} (role inline policy size, all inline policies together, white space not counted)` },
  userInlinePolicyCharacters: { max: 2_048, source: `${IAM} (user inline policy size, all inline policies together)` },
  groupInlinePolicyCharacters: { max: 5_120, source: `${IAM} (group inline policy size, all inline policies together)` },
  /** Default quota per direction (IPv4 and IPv6 are counted apart; the pack counts them together, which is stricter). */
  rulesPerSecurityGroupDirection: { max: 60, source: "Amazon VPC quotas (inbound or outbound rules per security group, default)" },
  securityGroupsPerNetworkInterface: { max: 5, source: "Amazon VPC quotas (security groups per network interface, default)" },
  rulesPerNetworkAclDirection: { max: 20, source: "Amazon VPC quotas (rules per network ACL per direction, default)" },
  networkAclRuleNumber: { min: 1, max: 32_766, source: "EC2 CreateNetworkAclEntry API (RuleNumber 1-32766; 32767 and above are reserved)" },
  userDataBytes: { max: USER_DATA_LIMIT_BYTES, source: "EC2 User Guide, Work with instance user data (16 KB before base64)" },
} as const;
