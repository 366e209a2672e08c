/**
 * The DevOps provider's access (D4) as data: who may assume the operator role and under which
 * conditions, what the role may do (SSM sessions on this platform's hosts, read-only views), and the
 * Session Manager preferences that log every session to the log archive, encrypted. No SSH, no key
 * pairs, no bastion: a shell on a host exists only as a logged Session Manager session.
 */
import { accountRootArn, partitionOf } from "../conventions/arn";
import { type PolicyDocument, policyDocument, type PolicyStatement } from "../conventions/iam-policy";

/** AWS reads the account's Session Manager preferences from this document name; it cannot be renamed. */
export const SESSION_PREFERENCES_DOCUMENT = "SSM-SessionManagerRunShell";
/** AWS managed read-only policy: lists and describes, never reads data (no S3 objects, no secrets). */
export const VIEW_ONLY_POLICY = "job-function/ViewOnlyAccess";
/** The provider's MFA must be fresh when the role is assumed. */
export const MAX_MFA_AGE_SECONDS = 3600;
export const DEFAULT_IDLE_SESSION_MINUTES = 20;

export interface OperatorScope {
  readonly project: string;
  readonly environment: string;
  readonly region: string;
  readonly accountId: string;
}

export interface OperatorTrustInput {
  readonly providerAccountId: string;
  readonly externalId: string;
  readonly region: string;
}

/** Every statement of the operator's documents is named and allows (denies come from the trust conditions). */
export type IamStatement = PolicyStatement & { readonly Sid: string; readonly Effect: "Allow" };

export type IamDocument = PolicyDocument<IamStatement>;

/** Only the provider's account, with the agreed external id and a fresh MFA, may assume the role. */
export function operatorTrustPolicy(input: OperatorTrustInput): IamDocument {
  if (!/^\d{12}$/.test(input.providerAccountId)) {
    throw new Error(`operator provider account "${input.providerAccountId}": allowed: a 12-digit AWS account id`);
  }
  if (input.externalId.length < 16) throw new Error("operator external id: allowed: at least 16 characters");
  return policyDocument<IamStatement>([
    {
      Sid: "DevOpsProviderWithExternalIdAndMfa",
      Effect: "Allow",
      Principal: { AWS: accountRootArn(partitionOf(input.region), input.providerAccountId) },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "sts:ExternalId": input.externalId },
        Bool: { "aws:MultiFactorAuthPresent": "true" },
        NumericLessThan: { "aws:MultiFactorAuthAge": String(MAX_MFA_AGE_SECONDS) },
      },
    },
  ]);
}

/** The `component` tag of EKS nodes (src/services/cluster.ts tags instances through the launch template). */
export const EKS_NODE_COMPONENT = "eks-cluster";

export interface SessionPolicyInput extends OperatorScope {
  /** The KMS key that encrypts session data; a session cannot start without GenerateDataKey on it. */
  readonly sessionKeyArn: string;
}

/** What the role may do beyond viewing: open logged sessions on this stack's hosts, and manage its own. */
export function operatorSessionPolicy(input: SessionPolicyInput): IamDocument {
  const partition = partitionOf(input.region);
  const ssm = `arn:${partition}:ssm:${input.region}:${input.accountId}`;
  return policyDocument<IamStatement>([
    {
      Sid: "SessionsOnThisPlatformsHosts",
      Effect: "Allow",
      Action: "ssm:StartSession",
      Resource: `arn:${partition}:ec2:${input.region}:${input.accountId}:instance/*`,
      Condition: {
        StringEquals: { "ssm:resourceTag/project": input.project, "ssm:resourceTag/environment": input.environment },
        // Not on EKS nodes: a shell there is root over every pod's tokens and volumes (D4 keeps the
        // provider to read-only views in the cluster). Nodes carry this component tag from their launch template.
        StringNotEquals: { "ssm:resourceTag/component": EKS_NODE_COMPONENT },
        // Forces the check of the document below, so port forwarding and other documents are refused.
        BoolIfExists: { "ssm:SessionDocumentAccessCheck": "true" },
      },
    },
    {
      Sid: "OnlyTheLoggedShellDocument",
      Effect: "Allow",
      Action: "ssm:StartSession",
      Resource: `${ssm}:document/${SESSION_PREFERENCES_DOCUMENT}`,
    },
    {
      Sid: "OwnSessionsOnly",
      Effect: "Allow",
      Action: ["ssm:ResumeSession", "ssm:TerminateSession"],
      Resource: `${ssm}:session/*`,
      Condition: { StringLike: { "ssm:resourceTag/aws:ssmmessages:session-id": "${aws:userid}" } },
    },
    {
      Sid: "EncryptOwnSessions",
      Effect: "Allow",
      Action: "kms:GenerateDataKey",
      Resource: input.sessionKeyArn,
    },
    {
      Sid: "SessionViews",
      Effect: "Allow",
      Action: ["ssm:DescribeSessions", "ssm:GetConnectionStatus", "ssm:DescribeInstanceInformation", "ssm:DescribeInstanceProperties"],
      Resource: "*",
    },
  ]);
}

export interface SessionPreferencesInput {
  readonly bucketName: string;
  /** e.g. `ssm-sessions/`; the trailing slash is dropped, Session Manager adds its own. */
  readonly keyPrefix: string;
  readonly kmsKeyId: string;
  readonly idleSessionMinutes: number;
  readonly maxSessionMinutes: number;
}

/** The Session Manager preferences document (schema 1.0, Standard_Stream), as deterministic JSON text. */
export function renderSessionPreferences(input: SessionPreferencesInput): string {
  if (input.idleSessionMinutes < 1 || input.idleSessionMinutes > 60) {
    throw new Error(`idle session timeout ${input.idleSessionMinutes} min: allowed: 1..60`);
  }
  if (input.maxSessionMinutes < 1 || input.maxSessionMinutes > 1440) {
    throw new Error(`maximum session duration ${input.maxSessionMinutes} min: allowed: 1..1440`);
  }
  const document = {
    schemaVersion: "1.0",
    description: "Session Manager preferences: every session logged to the log archive and encrypted with KMS",
    sessionType: "Standard_Stream",
    inputs: {
      s3BucketName: input.bucketName,
      s3KeyPrefix: input.keyPrefix.replace(/\/+$/, ""),
      s3EncryptionEnabled: true,
      cloudWatchLogGroupName: "",
      cloudWatchEncryptionEnabled: true,
      cloudWatchStreamingEnabled: false,
      kmsKeyId: input.kmsKeyId,
      runAsEnabled: false,
      runAsDefaultUser: "",
      idleSessionTimeout: String(input.idleSessionMinutes),
      maxSessionDuration: String(input.maxSessionMinutes),
      shellProfile: { linux: "", windows: "" },
    },
  };
  return JSON.stringify(document, null, 2);
}

export interface HostSessionInput {
  readonly region: string;
  readonly bucketName: string;
  readonly keyPrefix: string;
  readonly sessionKeyArn: string;
  /** The log bucket's SSE-KMS key, when the bucket encrypts with a CMK. */
  readonly bucketKeyArn?: string;
}

/**
 * What a host's instance role needs so that sessions on it are encrypted and logged: the owners of
 * host roles (DMZ, databases, services) add these statements next to AmazonSSMManagedInstanceCore.
 */
export function hostSessionStatements(input: HostSessionInput): IamStatement[] {
  const partition = partitionOf(input.region);
  const bucket = `arn:${partition}:s3:::${input.bucketName}`;
  const prefix = input.keyPrefix.replace(/\/+$/, "");
  return [
    { Sid: "DecryptSessionData", Effect: "Allow", Action: "kms:Decrypt", Resource: input.sessionKeyArn },
    { Sid: "WriteSessionLogs", Effect: "Allow", Action: "s3:PutObject", Resource: `${bucket}/${prefix}/*` },
    { Sid: "CheckSessionLogBucketEncryption", Effect: "Allow", Action: "s3:GetEncryptionConfiguration", Resource: bucket },
    ...(input.bucketKeyArn === undefined
      ? []
      : [{ Sid: "EncryptSessionLogObjects", Effect: "Allow" as const, Action: "kms:GenerateDataKey", Resource: input.bucketKeyArn }]),
  ];
}
