/**
 * The CIS AWS Foundations Benchmark v3.0.0 monitoring controls (section 4, "Monitoring": 4.1-4.15;
 * Security Hub FSBP CloudWatch.1-14 check the same filters) as CloudWatch Logs metric filters on the
 * trail's log group. Pure data: the component registers one filter and one alarm per entry.
 * Patterns follow the benchmark's published filter expressions (CloudTrail record fields).
 */
export interface MonitoringControl {
  /** Short id used in resource and metric names. */
  readonly key: string;
  readonly title: string;
  readonly cis: string;
  readonly fsbp?: string;
  readonly pattern: string;
}

const anyOf = (names: readonly string[]): string => names.map((n) => `($.eventName = ${n})`).join(" || ");

export const MONITORING_CONTROLS: readonly MonitoringControl[] = [
  { key: "unauthorized-api-calls", title: "Unauthorized API calls", cis: "4.1", fsbp: "CloudWatch.2", pattern: '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }' },
  {
    key: "console-signin-without-mfa",
    title: "Console sign-in without MFA",
    cis: "4.2",
    fsbp: "CloudWatch.3",
    pattern: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  },
  { key: "root-usage", title: "Use of the root user", cis: "4.3", fsbp: "CloudWatch.1", pattern: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }' },
  {
    key: "iam-policy-changes",
    title: "IAM policy changes",
    cis: "4.4",
    fsbp: "CloudWatch.4",
    pattern: `{ ${anyOf(["DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"])} }`,
  },
  { key: "cloudtrail-changes", title: "CloudTrail configuration changes", cis: "4.5", fsbp: "CloudWatch.5", pattern: `{ ${anyOf(["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"])} }` },
  { key: "console-auth-failures", title: "Console authentication failures", cis: "4.6", fsbp: "CloudWatch.6", pattern: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }' },
  { key: "kms-key-disabling", title: "Disabling or scheduled deletion of customer-managed keys", cis: "4.7", fsbp: "CloudWatch.7", pattern: `{ ($.eventSource = kms.amazonaws.com) && (${anyOf(["DisableKey", "ScheduleKeyDeletion"])}) }` },
  {
    key: "s3-bucket-policy-changes",
    title: "S3 bucket policy changes",
    cis: "4.8",
    fsbp: "CloudWatch.8",
    pattern: `{ ($.eventSource = s3.amazonaws.com) && (${anyOf(["PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"])}) }`,
  },
  { key: "config-changes", title: "AWS Config configuration changes", cis: "4.9", fsbp: "CloudWatch.9", pattern: `{ ($.eventSource = config.amazonaws.com) && (${anyOf(["StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"])}) }` },
  {
    key: "security-group-changes",
    title: "Security group changes",
    cis: "4.10",
    fsbp: "CloudWatch.10",
    pattern: `{ ${anyOf(["AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"])} }`,
  },
  {
    key: "nacl-changes",
    title: "Network ACL changes",
    cis: "4.11",
    fsbp: "CloudWatch.11",
    pattern: `{ ${anyOf(["CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"])} }`,
  },
  {
    key: "network-gateway-changes",
    title: "Network gateway changes",
    cis: "4.12",
    fsbp: "CloudWatch.12",
    pattern: `{ ${anyOf(["CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway"])} }`,
  },
  {
    key: "route-table-changes",
    title: "Route table changes",
    cis: "4.13",
    fsbp: "CloudWatch.13",
    pattern: `{ ($.eventSource = ec2.amazonaws.com) && (${anyOf(["CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable"])}) }`,
  },
  {
    key: "vpc-changes",
    title: "VPC changes",
    cis: "4.14",
    fsbp: "CloudWatch.14",
    pattern: `{ ${anyOf(["CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink"])} }`,
  },
  {
    key: "organizations-changes",
    title: "AWS Organizations changes",
    cis: "4.15",
    pattern: `{ ($.eventSource = organizations.amazonaws.com) && (${anyOf(["AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit"])}) }`,
  },
];

/** Security Hub standards the account subscribes to (ARNs per the Security Hub user guide, "Standards reference"). */
export function securityHubStandardArns(partition: string, region: string): { fsbp: string; cisV3: string } {
  return {
    fsbp: `arn:${partition}:securityhub:${region}::standards/aws-foundational-security-best-practices/v/1.0.0`,
    cisV3: `arn:${partition}:securityhub:${region}::standards/cis-aws-foundations-benchmark/v/3.0.0`,
  };
}

/** GuardDuty protection plans turned on (feature names of the DetectorFeature API). */
export const GUARDDUTY_FEATURES: ReadonlyArray<{ readonly name: string; readonly additional?: readonly string[] }> = [
  { name: "S3_DATA_EVENTS" },
  { name: "EKS_AUDIT_LOGS" },
  { name: "EBS_MALWARE_PROTECTION" },
  // Runtime Monitoring for the EKS nodes (GuardDuty manages the agent add-on) and the EC2 hosts (DB hosts, proxy).
  { name: "RUNTIME_MONITORING", additional: ["EKS_ADDON_MANAGEMENT", "EC2_AGENT_MANAGEMENT"] },
];

/** The alarm's metric namespace: one per stack, so dev and prod alarms never mix. */
export function monitoringNamespace(project: string, stack: string): string {
  return `${project}/${stack}/security-events`;
}
