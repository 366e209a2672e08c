/**
 * The AWS SDK v3 clients preflight uses, one per service, all in the stack's region (credentials from
 * the SDK's default chain: the deploy workflow's preview role, or a developer's profile).
 */
import { ACMClient } from "@aws-sdk/client-acm";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECRClient } from "@aws-sdk/client-ecr";
import { EKSClient } from "@aws-sdk/client-eks";
import { IAMClient } from "@aws-sdk/client-iam";
import { Route53Client } from "@aws-sdk/client-route-53";
import { S3Client } from "@aws-sdk/client-s3";
import { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { STSClient } from "@aws-sdk/client-sts";

/**
 * The pinned SDK supports Node.js 20 (its engines: >=20.0.0) but prints a notice that releases after
 * January 2027 will need Node.js 22. The project runs on Node.js 20 and pins the SDK, so the notice is
 * turned off with the SDK's own switch (@aws-sdk/core, emitWarningIfUnsupportedVersion); moving the SDK
 * past that date means moving the project to Node.js 22 first.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export interface AwsClients {
  readonly sts: STSClient;
  readonly ec2: EC2Client;
  readonly route53: Route53Client;
  readonly acm: ACMClient;
  readonly ecr: ECRClient;
  readonly s3: S3Client;
  readonly iam: IAMClient;
  readonly quotas: ServiceQuotasClient;
  readonly eks: EKSClient;
  readonly sesv2: SESv2Client;
}

export function createClients(region: string): AwsClients {
  const config = { region, maxAttempts: 5 };
  return {
    sts: new STSClient(config),
    ec2: new EC2Client(config),
    route53: new Route53Client(config),
    acm: new ACMClient(config),
    ecr: new ECRClient(config),
    // Buckets of other regions (the backup replica) answer HeadBucket with a redirect; follow it.
    s3: new S3Client({ ...config, followRegionRedirects: true }),
    iam: new IAMClient(config),
    quotas: new ServiceQuotasClient(config),
    eks: new EKSClient(config),
    sesv2: new SESv2Client(config),
  };
}
