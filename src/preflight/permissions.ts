/**
 * The IAM actions preflight needs, one per SDK command it sends, and the policy that grants exactly
 * those (all read-only: Describe/Get/List/Head). The day-0 bootstrap attaches this document to the
 * preview role; a test proves every command the runner sends maps to an action in it.
 *
 * Action names: the Service Authorization Reference (HeadBucket is authorized as s3:ListBucket; the
 * SES v2 API uses the `ses:` prefix; sts:GetCallerIdentity needs no grant but is listed for clarity).
 */
import type { PolicyDocument } from "../conventions/iam-policy";
import { policyDocument } from "../conventions/iam-policy";

/** `<client class>:<command class>` → IAM action. */
export const COMMAND_ACTIONS: Readonly<Record<string, string>> = {
  "STSClient:GetCallerIdentityCommand": "sts:GetCallerIdentity",
  "EC2Client:DescribeAvailabilityZonesCommand": "ec2:DescribeAvailabilityZones",
  "EC2Client:DescribeImagesCommand": "ec2:DescribeImages",
  "EC2Client:DescribeInstanceTypesCommand": "ec2:DescribeInstanceTypes",
  "EC2Client:DescribeVpcEndpointServicesCommand": "ec2:DescribeVpcEndpointServices",
  "Route53Client:GetHostedZoneCommand": "route53:GetHostedZone",
  "ACMClient:DescribeCertificateCommand": "acm:DescribeCertificate",
  "ECRClient:DescribeImagesCommand": "ecr:DescribeImages",
  "S3Client:HeadBucketCommand": "s3:ListBucket",
  "S3Client:GetObjectCommand": "s3:GetObject",
  "IAMClient:GetRoleCommand": "iam:GetRole",
  "ServiceQuotasClient:GetServiceQuotaCommand": "servicequotas:GetServiceQuota",
  "ServiceQuotasClient:GetAWSDefaultServiceQuotaCommand": "servicequotas:GetAWSDefaultServiceQuota",
  "ServiceQuotasClient:ListServiceQuotasCommand": "servicequotas:ListServiceQuotas",
  "EKSClient:DescribeClusterVersionsCommand": "eks:DescribeClusterVersions",
  "EKSClient:DescribeAddonVersionsCommand": "eks:DescribeAddonVersions",
  "SESv2Client:GetAccountCommand": "ses:GetAccount",
  "SESv2Client:GetEmailIdentityCommand": "ses:GetEmailIdentity",
};

/** The action a command needs; an unmapped command is a bug (the policy would not cover it). */
export function actionFor(client: object, command: object): string {
  const key = `${client.constructor.name}:${command.constructor.name}`;
  const action = COMMAND_ACTIONS[key];
  if (action === undefined) throw new Error(`preflight sends ${key}, which src/preflight/permissions.ts does not map to an IAM action`);
  return action;
}

export function preflightActions(): string[] {
  return [...new Set(Object.values(COMMAND_ACTIONS))].sort();
}

/** The identity policy for the role that runs preflight (read-only; resources are only read). */
export function preflightPolicyDocument(): PolicyDocument {
  return policyDocument([{ Sid: "PreflightReadOnly", Effect: "Allow", Action: preflightActions(), Resource: "*" }]);
}
