/**
 * The bootstrap layer as data: what one AWS account needs before the platform's first `pulumi up`
 * (docs/runbooks/first-deploy.md). Pure: config in, names and policy documents out.
 */
import { boundaryGuardStatements, permissionsBoundaryArn, permissionsBoundaryName } from "../account/permissions-boundary";
import { SERVICE_LINKED_ROLES, type ServiceLinkedRoleSpec, serviceLinkedRoleArn } from "../account/service-linked-roles";
import { partitionOf } from "../conventions/arn";
import { type PolicyDocument, policyDocument } from "../conventions/iam-policy";
import { bucketName, physicalName } from "../conventions/naming";
import type { BootstrapConfig } from "./config";

/** GitHub's OIDC issuer; the audience AWS's `configure-aws-credentials` action requests. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

export interface BootstrapPlan {
  readonly partition: string;
  readonly stateBucket: string;
  /** `s3://<bucket>?region=<region>&awssdk=v2`: what `pulumi login` takes. */
  readonly backendUrl: string;
  readonly secretsKeyAlias: string;
  /** `awskms://alias/<name>?region=<region>`: what `pulumi stack init --secrets-provider` takes. */
  readonly secretsProvider: string;
  /** The Debian package mirror (its policy, which names the VPC endpoint, is the platform's). */
  readonly packageMirrorBucket: string;
  readonly packageMirrorUrl: string;
  readonly serviceLinkedRoles: ReadonlyArray<ServiceLinkedRoleSpec & { readonly arn: string; readonly adopt: boolean }>;
  readonly oidcProviderArn: string;
  readonly adoptOidcProvider: boolean;
  readonly previewRoleName: string;
  readonly deployRoleName: string;
  /** `<project>-<stack>`: the prefix of every IAM name the platform's stack derives (src/conventions/naming). */
  readonly platformNamePrefix: string;
  /** The permissions boundary of every role the platform creates (src/account/permissions-boundary.ts). */
  readonly permissionsBoundaryName: string;
  readonly permissionsBoundaryArn: string;
}

export function planBootstrap(input: { stack: string; region: string; accountId: string; config: BootstrapConfig }): BootstrapPlan {
  const { config, accountId, region } = input;
  const partition = partitionOf(region);
  const scope = { project: config.platformProject, stack: input.stack, accountId };
  const stateBucket = bucketName(scope, "state", "pulumi");
  const packageMirrorBucket = bucketName(scope, "mirror", "debian");
  const secretsKeyAlias = `alias/${physicalName(scope, "state", "secrets")}`;
  const adopt = new Set(config.adopt.serviceLinkedRoles);
  return {
    partition,
    stateBucket,
    backendUrl: `s3://${stateBucket}?region=${region}&awssdk=v2`,
    secretsKeyAlias,
    secretsProvider: `awskms://${secretsKeyAlias}?region=${region}`,
    packageMirrorBucket,
    packageMirrorUrl: `https://${packageMirrorBucket}.s3.${region}.amazonaws.com`,
    serviceLinkedRoles: SERVICE_LINKED_ROLES.map((spec) => ({ ...spec, arn: serviceLinkedRoleArn(partition, accountId, spec.service), adopt: adopt.has(spec.service) })),
    oidcProviderArn: `arn:${partition}:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}`,
    adoptOidcProvider: config.adopt.githubOidcProvider,
    previewRoleName: physicalName(scope, "ci", "preview"),
    deployRoleName: physicalName(scope, "ci", "deploy"),
    platformNamePrefix: `${config.platformProject}-${input.stack}`,
    permissionsBoundaryName: permissionsBoundaryName({ project: config.platformProject, stack: input.stack }),
    permissionsBoundaryArn: permissionsBoundaryArn({ partition, accountId, project: config.platformProject, stack: input.stack }),
  };
}

/**
 * Trust of a CI role: GitHub's OIDC tokens for this repository only, with the audience pinned, and
 * `sub` limited to `subjects` (`repo:<owner>/<name>:pull_request`, `...:environment:<env>`): the claim
 * GitHub documents for jobs of pull requests and of protected environments.
 */
export function githubTrust(oidcProviderArn: string, subjects: readonly string[]): PolicyDocument {
  return policyDocument([
    {
      Sid: "GitHubActionsOfThisRepository",
      Effect: "Allow",
      Principal: { Federated: oidcProviderArn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE }, StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: subjects } },
    },
  ]);
}

export const previewSubjects = (repository: string): string[] => [`repo:${repository}:pull_request`, `repo:${repository}:ref:refs/heads/main`];
export const deploySubjects = (repository: string, environment: string): string[] => [`repo:${repository}:environment:${environment}`];

/**
 * What a preview needs beyond read-only access to the account: the state (read, and the lock files
 * a preview takes under `.pulumi/locks/`) and decrypting the stack's secrets. Nothing that changes
 * a resource.
 */
export function previewStatePolicy(args: { partition: string; stateBucket: string; secretsKeyArn: string }): PolicyDocument {
  const bucketArn = `arn:${args.partition}:s3:::${args.stateBucket}`;
  return policyDocument([
    { Sid: "ListState", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: bucketArn },
    { Sid: "ReadState", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucketArn}/*` },
    { Sid: "TakePreviewLocks", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: `${bucketArn}/.pulumi/locks/*` },
    { Sid: "DecryptStackSecrets", Effect: "Allow", Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: args.secretsKeyArn },
  ]);
}

/** The state bucket's own policy: TLS only, and nobody outside the account (the roles above, operators). */
export function stateBucketPolicy(args: { partition: string; stateBucket: string; accountId: string }): PolicyDocument {
  const bucketArn = `arn:${args.partition}:s3:::${args.stateBucket}`;
  return policyDocument([
    { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
    {
      Sid: "DenyOtherAccounts",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { StringNotEquals: { "aws:PrincipalAccount": args.accountId } },
    },
  ]);
}

/**
 * The deploy role's own policy, instead of AdministratorAccess (what `pulumi up` of the platform, the
 * mirror job and `pulumi destroy` of dev need):
 *
 * - the services the platform registers resources of (PLATFORM_SERVICES; a test maps every resource
 *   type of both synthesized stacks onto it), with all their actions: a list of actions would drift from
 *   the provider's calls; the policy pack (IAM-01) judges what the program creates;
 * - IAM only on the platform's own names (`<project>-<stack>-*`: every role, policy and instance
 *   profile the program names is derived by one helper), the cluster's OIDC provider, and
 *   service-linked roles that services create on first use;
 * - never: Organizations, account settings, IAM users or access keys (nothing in the platform has
 *   long-lived credentials), and never a change to the bootstrap itself (the CI roles, GitHub's OIDC
 *   provider, the state bucket's protections, the secrets key), so a deploy cannot widen its own rights
 *   or lose the state;
 * - role permissions (create, put, attach, detach, delete, set boundary) only on roles that carry the
 *   platform's permissions boundary (condition key `iam:PermissionsBoundary`), never removing it, never
 *   editing it: a deploy cannot make a role more powerful than the boundary. AWS's delegation example
 *   allows those actions only under the condition; this role has `iam:*` on its names, so the same rule is
 *   an explicit Deny when the condition does not hold, which no Allow can override.
 */
/**
 * IAM service prefixes of everything the platform (and the mirror job, and preflight) touches, IAM
 * itself excepted (scoped below). `sts` for the providers' caller identity, `tag` for tagging APIs,
 * `servicequotas` and `ses` for preflight's and SES's reads, `codeconnections`/`codestar-connections`
 * for the deployer's source, `events` for alarms' rules, `ebs` for the encryption default.
 */
export const PLATFORM_SERVICES = [
  "access-analyzer", "acm", "autoscaling", "backup", "backup-storage", "cloudtrail", "cloudwatch", "codebuild", "codeconnections",
  "codestar-connections", "config", "ec2", "ecr", "eks", "elasticloadbalancing", "events", "guardduty", "kms", "logs", "route53",
  "s3", "secretsmanager", "securityhub", "servicequotas", "ses", "sns", "sqs", "ssm", "sts", "tag", "wafv2",
] as const;

export function deployRolePolicy(args: {
  partition: string;
  region: string;
  accountId: string;
  namePrefix: string;
  stateBucket: string;
  secretsKeyArn: string;
  ciRoleNames: readonly string[];
  githubOidcProviderArn: string;
  permissionsBoundaryArn: string;
}): PolicyDocument {
  const iam = (resource: string) => `arn:${args.partition}:iam::${args.accountId}:${resource}`;
  const stateArn = `arn:${args.partition}:s3:::${args.stateBucket}`;
  return policyDocument([
    { Sid: "PlatformServices", Effect: "Allow", Action: PLATFORM_SERVICES.map((p) => `${p}:*`), Resource: "*" },
    {
      Sid: "PlatformIdentities",
      Effect: "Allow",
      Action: "iam:*",
      Resource: [
        iam(`role/${args.namePrefix}-*`),
        iam(`policy/${args.namePrefix}-*`),
        iam(`instance-profile/${args.namePrefix}-*`),
        iam(`oidc-provider/oidc.eks.${args.region}.amazonaws.com/id/*`),
      ],
    },
    { Sid: "ServiceLinkedRolesOnFirstUse", Effect: "Allow", Action: ["iam:CreateServiceLinkedRole", "iam:GetServiceLinkedRoleDeletionStatus"], Resource: iam("role/aws-service-role/*") },
    // What the provider reads of identities it does not own (the service-linked roles, AWS managed policies).
    {
      Sid: "ReadIdentities",
      Effect: "Allow",
      Action: ["iam:GetRole", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRolePolicy", "iam:GetInstanceProfile", "iam:GetOpenIDConnectProvider", "iam:List*"],
      Resource: "*",
    },
    {
      Sid: "NeverLongLivedCredentials",
      Effect: "Deny",
      Action: ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:CreateServiceSpecificCredential"],
      Resource: "*",
    },
    {
      Sid: "NeverTheBootstrapIdentities",
      Effect: "Deny",
      Action: ["iam:Create*", "iam:Delete*", "iam:Put*", "iam:Attach*", "iam:Detach*", "iam:Update*", "iam:Tag*", "iam:Untag*", "iam:Add*", "iam:Remove*", "iam:PassRole"],
      Resource: [...args.ciRoleNames.map((n) => iam(`role/${n}`)), args.githubOidcProviderArn],
    },
    {
      Sid: "NeverTheStateProtections",
      Effect: "Deny",
      Action: ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:PutBucketPublicAccessBlock"],
      Resource: stateArn,
    },
    { Sid: "NeverTheSecretsKey", Effect: "Deny", Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:DeleteAlias", "kms:UpdateAlias"], Resource: args.secretsKeyArn },
    ...boundaryGuardStatements(args.permissionsBoundaryArn),
  ]);
}

/**
 * The preview role's preflight policy with its one object read scoped: preflight reads only the
 * package mirror's indexes (src/preflight), so `s3:GetObject` names that bucket instead of `*`.
 */
export function scopedPreflightPolicy(document: PolicyDocument, args: { partition: string; packageMirrorBucket: string }): PolicyDocument {
  const statements = document.Statement.flatMap((st) => {
    const actions = typeof st.Action === "string" ? [st.Action] : (st.Action ?? []);
    if (!actions.includes("s3:GetObject")) return [st];
    const rest = actions.filter((a) => a !== "s3:GetObject");
    return rest.length === 0 ? [] : [{ ...st, Action: rest }];
  });
  return policyDocument([
    ...statements,
    { Sid: "PreflightReadsTheMirrorIndexes", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:${args.partition}:s3:::${args.packageMirrorBucket}/*` },
  ]);
}
