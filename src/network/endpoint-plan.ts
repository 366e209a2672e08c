/**
 * The VPC endpoints through which app and data reach AWS APIs without any internet route (D6), and
 * their endpoint policies: a data perimeter that admits only this account's principals and, where the
 * service reports it, only this account's resources, so a stolen credential of another account or a
 * bucket of another account cannot be used through our endpoints.
 */
import { partitionOf } from "../conventions/arn";
import { type PolicyDocument, policyDocument, type PolicyStatement } from "../conventions/iam-policy";

/**
 * How an endpoint's policy is shaped:
 * - `account`: this account's principals on this account's resources;
 * - `registry`: as `account`, plus EKS's own registry for the add-on images (vpc-cni, coredns ...);
 * - `sts`: this account's roles only; the caller may have no account yet (web identity);
 * - `principal`: this account's principals; resources may be AWS-owned (public AMIs, SSM documents);
 * - `none`: no endpoint policy is attached (not supported, or not an IAM API at all).
 */
export type EndpointPolicyKind = "account" | "registry" | "sts" | "principal" | "none";

export interface InterfaceEndpointSpec {
  /** The service's endpoint name after `com.amazonaws.<region>.`. */
  readonly service: string;
  /** IAM action prefixes served by this endpoint; the policy allows only these. */
  readonly actionPrefixes: readonly string[];
  readonly policy: EndpointPolicyKind;
  /** The TCP port clients use (SES SMTP is not HTTPS). */
  readonly port: number;
  readonly usedBy: string;
}

export const SMTP_SUBMISSION_PORT = 587;

/** Every AWS API used from the app and data zones (and by DMZ hosts for SSM and logs). */
export const INTERFACE_ENDPOINTS: readonly InterfaceEndpointSpec[] = [
  { service: "ecr.api", actionPrefixes: ["ecr"], policy: "registry", port: 443, usedBy: "nodes: registry authentication and image manifests" },
  { service: "ecr.dkr", actionPrefixes: ["ecr"], policy: "registry", port: 443, usedBy: "nodes: image pulls (layers come from S3)" },
  { service: "sts", actionPrefixes: ["sts"], policy: "sts", port: 443, usedBy: "SDKs in pods and hosts: temporary credentials" },
  { service: "ec2", actionPrefixes: ["ec2"], policy: "principal", port: 443, usedBy: "VPC CNI (ENIs, addresses), node bootstrap, cluster autoscaler (instance types, launch templates)" },
  { service: "elasticloadbalancing", actionPrefixes: ["elasticloadbalancing"], policy: "account", port: 443, usedBy: "ingress gateway target registration" },
  { service: "logs", actionPrefixes: ["logs"], policy: "account", port: 443, usedBy: "CloudWatch Logs from hosts and the cluster" },
  { service: "sqs", actionPrefixes: ["sqs"], policy: "account", port: 443, usedBy: "services consuming their queues" },
  { service: "sns", actionPrefixes: ["sns"], policy: "account", port: 443, usedBy: "services publishing events" },
  { service: "kms", actionPrefixes: ["kms"], policy: "account", port: 443, usedBy: "envelope encryption (queues, secrets, volumes, logs)" },
  { service: "secretsmanager", actionPrefixes: ["secretsmanager"], policy: "account", port: 443, usedBy: "database hosts and services fetching credentials" },
  { service: "ssm", actionPrefixes: ["ssm"], policy: "principal", port: 443, usedBy: "SSM Agent on every host (operator sessions)" },
  { service: "ssmmessages", actionPrefixes: ["ssmmessages"], policy: "none", port: 443, usedBy: "Session Manager data channels" },
  { service: "ec2messages", actionPrefixes: ["ec2messages"], policy: "none", port: 443, usedBy: "SSM Agent command channel (older agents)" },
  { service: "autoscaling", actionPrefixes: ["autoscaling"], policy: "account", port: 443, usedBy: "cluster autoscaler, node groups" },
  { service: "eks", actionPrefixes: ["eks"], policy: "account", port: 443, usedBy: "node bootstrap (DescribeCluster), cluster autoscaler (DescribeNodegroup)" },
  { service: "eks-auth", actionPrefixes: ["eks-auth"], policy: "none", port: 443, usedBy: "EKS Pod Identity agent" },
  // GuardDuty Runtime Monitoring: the security agent on nodes and hosts delivers events to guardduty-data (GuardDuty user guide, "How the security agent connects").
  { service: "guardduty-data", actionPrefixes: ["guardduty"], policy: "principal", port: 443, usedBy: "GuardDuty Runtime Monitoring agent on nodes and hosts" },
  { service: "monitoring", actionPrefixes: ["cloudwatch"], policy: "account", port: 443, usedBy: "CloudWatch metrics" },
  { service: "email-smtp", actionPrefixes: [], policy: "none", port: SMTP_SUBMISSION_PORT, usedBy: "notifications service: e-mail via SES SMTP" },
];

/** Endpoint names whose ENIs take a security group admitting 443 (all but SMTP). */
export const HTTPS_ENDPOINTS = INTERFACE_ENDPOINTS.filter((e) => e.port === 443);

/**
 * The account that hosts the EKS add-on images per region (EKS user guide, "View Amazon container
 * image registries for Amazon EKS add-ons"). A region missing here fails loudly instead of breaking
 * image pulls at deploy time.
 */
const EKS_ADDON_REGISTRY_ACCOUNTS: Readonly<Record<string, string>> = {
  "af-south-1": "877085696533",
  "ap-east-1": "800184023465",
  "ap-south-2": "900889452093",
  "ap-southeast-3": "296578399912",
  "ap-southeast-4": "491585149902",
  "cn-north-1": "918309763551",
  "cn-northwest-1": "961992271922",
  ...Object.fromEntries(
    [
      "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
      "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1",
      "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
    ].map((region) => [region, "602401143452"]),
  ),
};

export function eksAddonRegistryAccount(region: string): string {
  const account = EKS_ADDON_REGISTRY_ACCOUNTS[region];
  if (account === undefined) {
    throw new Error(`region "${region}": no EKS add-on image registry account is known; allowed: ${Object.keys(EKS_ADDON_REGISTRY_ACCOUNTS).sort().join(", ")} (add the region from the EKS user guide)`);
  }
  return account;
}

export interface PerimeterScope {
  readonly accountId: string;
  readonly region: string;
  /** Package mirrors read anonymously (apt sends no credentials) by hosts of the data zone. */
  readonly mirrorBuckets?: readonly string[];
}

/** Endpoint policies only allow, to any principal; their conditions draw the perimeter. */
export type EndpointStatement = PolicyStatement & {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Principal: "*";
  readonly Action: string[];
  readonly Resource: string | string[];
};

export type EndpointPolicy = PolicyDocument<EndpointStatement>;

/** The interface endpoint's policy, or undefined when none is attached. */
export function interfaceEndpointPolicy(spec: InterfaceEndpointSpec, scope: PerimeterScope): EndpointPolicy | undefined {
  const actions = spec.actionPrefixes.map((prefix) => `${prefix}:*`);
  const statement = (Sid: string, Condition: EndpointStatement["Condition"]): EndpointPolicy =>
    policyDocument([{ Sid, Effect: "Allow", Principal: "*", Action: actions, Resource: "*", Condition }]);
  const account = scope.accountId;
  switch (spec.policy) {
    case "none":
      return undefined;
    case "account":
      return statement("ThisAccountOnly", {
        StringEquals: { "aws:PrincipalAccount": account },
        // Resource-less calls (List*, PutMetricData) carry no resource account; IfExists lets them through.
        StringEqualsIfExists: { "aws:ResourceAccount": account },
      });
    case "registry":
      return statement("ThisAccountAndEksAddonImages", {
        StringEquals: { "aws:PrincipalAccount": account },
        StringEqualsIfExists: { "aws:ResourceAccount": [account, eksAddonRegistryAccount(scope.region)] },
      });
    case "sts":
      return statement("ThisAccountsRolesOnly", {
        // AssumeRoleWithWebIdentity has no calling account; the role assumed must still be ours.
        StringEqualsIfExists: { "aws:PrincipalAccount": account, "aws:ResourceAccount": account },
      });
    case "principal":
      return statement("ThisAccountsPrincipalsOnly", { StringEquals: { "aws:PrincipalAccount": account } });
  }
}

/**
 * AWS-owned buckets hosts and nodes must read through the gateway endpoint: ECR image layers, SSM
 * Agent updates and plugins, and the Amazon Linux package repositories.
 */
export function awsOwnedReadBuckets(region: string): string[] {
  return [
    `prod-${region}-starport-layer-bucket`,
    `amazon-ssm-${region}`,
    `amazon-ssm-packages-${region}`,
    `aws-ssm-${region}`,
    `aws-ssm-document-attachments-${region}`,
    `${region}-birdwatcher-prod`,
    `al2023-repos-${region}-de612dc2`,
    `amazonlinux-2-repos-${region}`,
  ];
}

/** The S3 gateway endpoint's policy: this account's buckets, and reads of the AWS-owned ones above. */
export function s3GatewayEndpointPolicy(scope: PerimeterScope): EndpointPolicy {
  const partition = partitionOf(scope.region);
  return policyDocument<EndpointStatement>([
    {
      Sid: "ThisAccountsBuckets",
      Effect: "Allow",
      Principal: "*",
      Action: ["s3:*"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:PrincipalAccount": scope.accountId },
        StringEqualsIfExists: { "aws:ResourceAccount": scope.accountId },
      },
    },
    {
      // ECR hands out pre-signed layer URLs signed by the service, so no principal condition here.
      Sid: "AwsOwnedReadOnly",
      Effect: "Allow",
      Principal: "*",
      Action: ["s3:GetObject"],
      Resource: awsOwnedReadBuckets(scope.region).map((bucket) => `arn:${partition}:s3:::${bucket}/*`),
    },
    ...(scope.mirrorBuckets?.length
      ? [
          {
            Sid: "PackageMirrorsReadOnly",
            Effect: "Allow" as const,
            Principal: "*" as const,
            Action: ["s3:GetObject"],
            Resource: scope.mirrorBuckets.map((bucket) => `arn:${partition}:s3:::${bucket}/*`),
          },
        ]
      : []),
  ]);
}

/** `com.amazonaws.<region>.<service>`, the endpoint service name in the commercial partition. */
export function endpointServiceName(region: string, service: string): string {
  return `com.amazonaws.${region}.${service}`;
}

/** Logical name part of an endpoint: `ecr.api` → `ecr-api`. */
export function endpointKey(service: string): string {
  return service.replace(/\./g, "-");
}
