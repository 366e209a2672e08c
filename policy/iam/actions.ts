/**
 * Which IAM actions only read. An action (or an action pattern such as `s3:Get*`) is a read when its
 * verb starts with one of these; everything else may change state and is treated as a write.
 */
const READ_VERBS = ["Get", "List", "Describe", "Head", "View", "Lookup", "Search", "Query", "Scan", "Select", "BatchGet", "Check", "Validate", "Preview", "Simulate"];

export function isAllActions(action: string): boolean {
  return action === "*" || action === "*:*";
}

/** The verb part of `service:Verb`, or undefined when the action names no service. */
function verbOf(action: string): string | undefined {
  const colon = action.indexOf(":");
  return colon < 0 ? undefined : action.slice(colon + 1);
}

export function isReadAction(action: string): boolean {
  const verb = verbOf(action);
  if (verb === undefined) return false;
  // For a pattern, only the literal part before the first wildcard tells what it can match.
  const literal = verb.split("*")[0] ?? "";
  return READ_VERBS.some((r) => literal.startsWith(r));
}

/** A pattern like `s3:*` or `s3:Put*` that matches write actions. */
export function isWriteWildcard(action: string): boolean {
  return action.includes("*") && !isReadAction(action);
}

/** Actions that AWS only authorises on Resource "*" (no resource-level permissions). */
export const STAR_RESOURCE_ACTIONS: readonly string[] = [
  "sts:GetCallerIdentity",
  "ecr:GetAuthorizationToken",
  "ssm:UpdateInstanceInformation",
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  "ec2messages:AcknowledgeMessage",
  "ec2messages:DeleteMessage",
  "ec2messages:FailMessage",
  "ec2messages:GetEndpoint",
  "ec2messages:GetMessages",
  "ec2messages:SendReply",
  "cloudwatch:PutMetricData",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
];

/**
 * Whether a Resource entry covers every resource of its kind: "*", or an ARN pattern whose account or
 * region is a wildcard across accounts, or whose resource part is nothing but a type and wildcards
 * (`arn:aws:secretsmanager:eu-central-1:123456789012:secret:*`, `arn:aws:ssm:*:*:parameter/*`).
 */
export function isUnboundedResource(resource: string): boolean {
  if (resource === "*" || /^[*?]+$/.test(resource)) return true;
  const parts = resource.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return false;
  const account = parts[4] ?? "";
  if (/^[*?]+$/.test(account)) return true;
  const rest = parts.slice(5).join(":");
  // S3 ARNs have no resource type: the bucket name comes first.
  if (parts[2] === "s3") return /^[*?]/.test(rest);
  // Strip a leading resource type ("secret:", "parameter/", "key/", "table/") and look at what is left.
  const name = rest.replace(/^[A-Za-z-]+[:/]/, "");
  return /^[*?/]*$/.test(name) || /^[*?/]*$/.test(rest);
}
