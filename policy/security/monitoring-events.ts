/**
 * What each CIS AWS Foundations v3 monitoring control (4.1-4.15; FSBP CloudWatch.1-14) requires a
 * metric filter to match, as tokens its pattern must name: the event names, sources and fields of
 * the benchmark's filter. A filter covers a control when its pattern names every token (whole words,
 * so CreatePolicy is not found inside CreatePolicyVersion). Written from the benchmark, independently
 * of the program's own plan (src/security/cis-monitoring-plan.ts), so the two check each other.
 */
export interface MonitoringEvent {
  readonly cis: string;
  readonly fsbp?: string;
  readonly title: string;
  readonly tokens: readonly string[];
}

export const MONITORING_EVENTS: readonly MonitoringEvent[] = [
  { cis: "4.1", fsbp: "CloudWatch.2", title: "unauthorized API calls", tokens: ["errorCode", "UnauthorizedOperation", "AccessDenied"] },
  { cis: "4.2", fsbp: "CloudWatch.3", title: "console sign-in without MFA", tokens: ["ConsoleLogin", "MFAUsed"] },
  { cis: "4.3", fsbp: "CloudWatch.1", title: "use of the root user", tokens: ["userIdentity.type", "Root", "invokedBy", "AwsServiceEvent"] },
  {
    cis: "4.4",
    fsbp: "CloudWatch.4",
    title: "IAM policy changes",
    tokens: ["DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"],
  },
  { cis: "4.5", fsbp: "CloudWatch.5", title: "CloudTrail configuration changes", tokens: ["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"] },
  { cis: "4.6", fsbp: "CloudWatch.6", title: "console authentication failures", tokens: ["ConsoleLogin", "Failed authentication"] },
  { cis: "4.7", fsbp: "CloudWatch.7", title: "disabling or scheduled deletion of customer-managed keys", tokens: ["kms.amazonaws.com", "DisableKey", "ScheduleKeyDeletion"] },
  {
    cis: "4.8",
    fsbp: "CloudWatch.8",
    title: "S3 bucket policy changes",
    tokens: ["s3.amazonaws.com", "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"],
  },
  { cis: "4.9", fsbp: "CloudWatch.9", title: "AWS Config configuration changes", tokens: ["config.amazonaws.com", "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"] },
  { cis: "4.10", fsbp: "CloudWatch.10", title: "security group changes", tokens: ["AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"] },
  { cis: "4.11", fsbp: "CloudWatch.11", title: "network ACL changes", tokens: ["CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"] },
  { cis: "4.12", fsbp: "CloudWatch.12", title: "network gateway changes", tokens: ["CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway"] },
  { cis: "4.13", fsbp: "CloudWatch.13", title: "route table changes", tokens: ["CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable"] },
  { cis: "4.14", fsbp: "CloudWatch.14", title: "VPC changes", tokens: ["CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection"] },
  { cis: "4.15", title: "AWS Organizations changes", tokens: ["organizations.amazonaws.com", "CreateAccount", "LeaveOrganization", "RemoveAccountFromOrganization", "AttachPolicy", "DetachPolicy", "UpdatePolicy"] },
];

function mentions(pattern: string, token: string): boolean {
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`).test(pattern);
}

export function covers(pattern: string, event: MonitoringEvent): boolean {
  return event.tokens.every((t) => mentions(pattern, t));
}
