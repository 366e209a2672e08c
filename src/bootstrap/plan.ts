/**
 * The bootstrap layer as data: what one AWS account needs before the platform's first `pulumi up`
 * (docs/runbooks/first-deploy.md). Pure: config in, names and policy documents out.
 */
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
