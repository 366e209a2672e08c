import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { permissionsBoundaryDocument } from "../account/permissions-boundary";
import { customerManagedKey } from "../conventions/customer-managed-key";
import { DURABILITY } from "../conventions/durability";
import { platformTags, type Zone } from "../conventions/tags";
import type { LoadedBootstrap } from "./config";
import { type BootstrapPlan, deployRolePolicy, deploySubjects, scopedPreflightPolicy, GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, githubTrust, planBootstrap, previewStatePolicy, previewSubjects, stateBucketPolicy } from "./plan";
import { preflightPolicyDocument } from "./preview-role";

const COMPONENT = "bootstrap";

/**
 * Everything an empty account needs before the platform's first deploy: service-linked roles, the
 * state backend (bucket + secrets-provider key), GitHub's OIDC provider with the preview (read-only)
 * and deploy roles, and the Debian package-mirror bucket the mirror job fills.
 */
export class Bootstrap extends pulumi.ComponentResource {
  readonly plan: BootstrapPlan;
  readonly stateBucket: aws.s3.Bucket;
  readonly secretsKey: aws.kms.Key;
  readonly previewRole: aws.iam.Role;
  readonly deployRole: aws.iam.Role;
  readonly packageMirrorBucket: aws.s3.Bucket;
  readonly permissionsBoundary: aws.iam.Policy;

  constructor(name: string, loaded: LoadedBootstrap, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:bootstrap:Bootstrap", name, {}, opts);
    const { config } = loaded;
    const plan = (this.plan = planBootstrap(loaded));
    const durability = DURABILITY[config.environment];
    const tags = (zone: Zone, resourceName?: string) => platformTags({ project: config.platformProject, environment: config.environment }, { component: COMPONENT, zone }, resourceName);
    const parent = { parent: this };
    const keep = { parent: this, protect: durability.protectCriticalData, retainOnDelete: durability.protectCriticalData };

    // Service-linked roles: account singletons, so never deleted with this stack (others may rely on them);
    // an existing one is adopted by import (its id is the role ARN), since creating it again fails.
    for (const role of plan.serviceLinkedRoles) {
      new aws.iam.ServiceLinkedRole(
        `${name}-slr-${role.service.split(".")[0] ?? role.service}`,
        { awsServiceName: role.service, description: role.why, tags: tags("global") },
        { parent: this, retainOnDelete: true, ...(role.adopt ? { import: role.arn } : {}) },
      );
    }

    // State backend: versioned, KMS-encrypted, TLS only, this account only.
    this.secretsKey = customerManagedKey(
      { key: `${name}-secrets-key`, alias: `${name}-secrets-key-alias` },
      { description: `Pulumi secrets provider of the ${config.platformProject} stacks in this account`, tags: tags("global"), alias: plan.secretsKeyAlias },
      keep,
    );
    this.stateBucket = this.bucket(`${name}-state`, plan.stateBucket, tags("global", plan.stateBucket), { sseKms: this.secretsKey.arn, forceDestroy: durability.forceDestroyBuckets }, keep);
    new aws.s3.BucketPolicy(
      `${name}-state-policy`,
      { bucket: this.stateBucket.id, policy: JSON.stringify(stateBucketPolicy({ partition: plan.partition, stateBucket: plan.stateBucket, accountId: loaded.accountId })) },
      parent,
    );

    // Debian package mirror: SSE-S3, since apt's reads are anonymous and S3 serves SSE-KMS objects only
    // to SigV4-signed requests (docs/decisions.md); its bucket policy (TLS only, reads through the S3
    // gateway endpoint) names the platform's endpoint, so the platform owns it (src/mirror/package-mirror-policy.ts).
    this.packageMirrorBucket = this.bucket(`${name}-package-mirror`, plan.packageMirrorBucket, tags("global", plan.packageMirrorBucket), { forceDestroy: durability.forceDestroyBuckets }, parent);

    // GitHub Actions' OIDC provider (one per account and issuer); AWS trusts GitHub's certificate
    // authority itself, so no thumbprint is pinned.
    const oidc = new aws.iam.OpenIdConnectProvider(
      `${name}-github-oidc`,
      { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: [GITHUB_OIDC_AUDIENCE], tags: tags("global") },
      { parent: this, retainOnDelete: true, ...(plan.adoptOidcProvider ? { import: plan.oidcProviderArn } : {}) },
    );

    this.previewRole = new aws.iam.Role(
      `${name}-preview-role`,
      {
        name: plan.previewRoleName,
        description: "CI: pulumi preview, drift checks and preflight (read-only)",
        assumeRolePolicy: oidc.arn.apply((arn) => JSON.stringify(githubTrust(arn, previewSubjects(config.github.repository)))),
        maxSessionDuration: 3600,
        tags: tags("global"),
      },
      parent,
    );
    new aws.iam.RolePolicyAttachment(`${name}-preview-read-only`, { role: this.previewRole.name, policyArn: `arn:${plan.partition}:iam::aws:policy/ReadOnlyAccess` }, parent);
    new aws.iam.RolePolicy(
      `${name}-preview-state`,
      { role: this.previewRole.name, policy: this.secretsKey.arn.apply((secretsKeyArn) => JSON.stringify(previewStatePolicy({ partition: plan.partition, stateBucket: plan.stateBucket, secretsKeyArn }))) },
      parent,
    );
    const preflight = preflightPolicyDocument();
    if (preflight !== undefined) {
      const scoped = scopedPreflightPolicy(preflight, { partition: plan.partition, packageMirrorBucket: plan.packageMirrorBucket });
      new aws.iam.RolePolicy(`${name}-preview-preflight`, { role: this.previewRole.name, name: "preflight", policy: JSON.stringify(scoped) }, parent);
    }

    // The permissions boundary of every role the platform creates: made here, before the platform, so the
    // deploy role (which may not edit it) never owns it; the platform names it by its derived ARN.
    this.permissionsBoundary = new aws.iam.Policy(
      `${name}-permissions-boundary`,
      {
        name: plan.permissionsBoundaryName,
        description: `Permissions boundary of every IAM role of ${config.platformProject}-${loaded.stack}: a ceiling with the account's guardrails denied`,
        policy: pulumi.all([this.secretsKey.arn, oidc.arn]).apply(([secretsKeyArn, githubOidcProviderArn]) =>
          JSON.stringify(
            permissionsBoundaryDocument({
              partition: plan.partition,
              boundaryArn: plan.permissionsBoundaryArn,
              bootstrapIdentityArns: [plan.previewRoleName, plan.deployRoleName].map((n) => `arn:${plan.partition}:iam::${loaded.accountId}:role/${n}`).concat(githubOidcProviderArn),
              stateBucket: plan.stateBucket,
              secretsKeyArn,
            }),
          ),
        ),
        tags: tags("global", plan.permissionsBoundaryName),
      },
      parent,
    );

    // The deploy role: only jobs of the protected GitHub environment (required reviewers in prod), which
    // run on the platform's in-VPC deployer. It creates every kind of resource the platform has, IAM included.
    this.deployRole = new aws.iam.Role(
      `${name}-deploy-role`,
      {
        name: plan.deployRoleName,
        description: `CI: pulumi up of ${config.platformProject}, from the GitHub environment ${config.github.deployEnvironment}`,
        assumeRolePolicy: oidc.arn.apply((arn) => JSON.stringify(githubTrust(arn, deploySubjects(config.github.repository, config.github.deployEnvironment)))),
        maxSessionDuration: 3 * 3600,
        tags: tags("global"),
      },
      parent,
    );
    // Scoped, not AdministratorAccess: the platform's services, IAM on its own names only, never the bootstrap (plan.ts).
    new aws.iam.RolePolicy(
      `${name}-deploy-policy`,
      {
        role: this.deployRole.name,
        name: "deploy",
        policy: pulumi.all([this.secretsKey.arn, oidc.arn]).apply(([secretsKeyArn, githubOidcProviderArn]) =>
          JSON.stringify(
            deployRolePolicy({
              partition: plan.partition,
              region: loaded.region,
              accountId: loaded.accountId,
              namePrefix: plan.platformNamePrefix,
              stateBucket: plan.stateBucket,
              secretsKeyArn,
              ciRoleNames: [plan.previewRoleName, plan.deployRoleName],
              githubOidcProviderArn,
              permissionsBoundaryArn: plan.permissionsBoundaryArn,
            }),
          ),
        ),
      },
      parent,
    );
    this.registerOutputs({ backendUrl: plan.backendUrl, secretsProvider: plan.secretsProvider, permissionsBoundaryArn: this.permissionsBoundary.arn });
  }

  private bucket(id: string, bucketName: string, tags: Record<string, string>, opts: { sseKms?: pulumi.Input<string>; forceDestroy: boolean }, resourceOpts: pulumi.CustomResourceOptions): aws.s3.Bucket {
    const child = { parent: this };
    const bucket = new aws.s3.Bucket(id, { bucket: bucketName, forceDestroy: opts.forceDestroy, tags }, resourceOpts);
    new aws.s3.BucketOwnershipControls(`${id}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
    new aws.s3.BucketPublicAccessBlock(`${id}-public-access`, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, child);
    new aws.s3.BucketVersioning(`${id}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${id}-encryption`,
      {
        bucket: bucket.id,
        rules: [
          opts.sseKms === undefined
            ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
            : { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: opts.sseKms }, bucketKeyEnabled: true },
        ],
      },
      child,
    );
    return bucket;
  }
}
