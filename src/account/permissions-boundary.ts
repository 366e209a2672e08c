/**
 * The permissions boundary of every IAM role the platform creates (pure). The bootstrap layer creates the
 * managed policy once per account and stack (src/bootstrap), before the platform exists; the platform
 * names it on each of its roles (`permissionsBoundary`), and the deploy role may create or change a
 * role's permissions only when that role carries it (condition key `iam:PermissionsBoundary`, IAM User
 * Guide, "Permissions boundaries for IAM entities"). So a deploy, or any bounded role, cannot make a role
 * more powerful than the boundary, and the boundary itself is out of the deploy's reach.
 *
 * Shape: an Allow of everything (a boundary grants nothing by itself: the role's own policies still have
 * to allow an action) with explicit Denies of what no platform role needs and what would let a role
 * escape the guardrails: IAM escalation, the trail, key deletion, bucket deletion and protections, the
 * detective controls, backup vaults, the bootstrap's identities and the state.
 */
import { type PolicyDocument, type PolicyStatement, policyDocument } from "../conventions/iam-policy";
import { physicalName } from "../conventions/naming";

/** `<project>-<stack>-iam-boundary`: one name, derived the same way by the bootstrap and the platform. */
export const permissionsBoundaryName = (scope: { readonly project: string; readonly stack: string }): string => physicalName(scope, "iam", "boundary");

export function permissionsBoundaryArn(args: { partition: string; accountId: string; project: string; stack: string }): string {
  return `arn:${args.partition}:iam::${args.accountId}:policy/${permissionsBoundaryName(args)}`;
}

/**
 * The role actions that accept the `iam:PermissionsBoundary` condition key (Service Authorization
 * Reference, IAM: AttachRolePolicy, CreateRole, DeleteRolePolicy, DetachRolePolicy,
 * PutRolePermissionsBoundary, PutRolePolicy; DeleteRolePermissionsBoundary is denied outright).
 */
export const BOUNDED_ROLE_ACTIONS = ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"] as const;

/** What would change a managed policy's effective document (its default version). */
export const POLICY_EDIT_ACTIONS = ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"] as const;

/**
 * The three statements that keep roles inside the boundary, shared by the deploy role's policy and the
 * boundary itself (so a bounded role that may manage roles is held the same way): role permissions are
 * written only on roles that carry the boundary, a boundary is never removed, the boundary policy is
 * never edited.
 */
export function boundaryGuardStatements(boundaryArn: string): PolicyStatement[] {
  return [
    { Sid: "RolesOnlyWithTheBoundary", Effect: "Deny", Action: [...BOUNDED_ROLE_ACTIONS], Resource: "*", Condition: { StringNotEquals: { "iam:PermissionsBoundary": boundaryArn } } },
    { Sid: "NeverRemoveTheBoundary", Effect: "Deny", Action: "iam:DeleteRolePermissionsBoundary", Resource: "*" },
    { Sid: "NeverEditTheBoundary", Effect: "Deny", Action: [...POLICY_EDIT_ACTIONS], Resource: boundaryArn },
  ];
}

export interface BoundaryArgs {
  readonly partition: string;
  readonly boundaryArn: string;
  /** The bootstrap's CI roles and GitHub's OIDC provider: no platform role touches them. */
  readonly bootstrapIdentityArns: readonly string[];
  readonly stateBucket: string;
  readonly secretsKeyArn: string;
}

export function permissionsBoundaryDocument(args: BoundaryArgs): PolicyDocument {
  const state = `arn:${args.partition}:s3:::${args.stateBucket}`;
  return policyDocument([
    // The ceiling, not a grant: what a bounded role may do is still only what its own policies allow.
    { Sid: "CeilingForPlatformRoles", Effect: "Allow", Action: "*", Resource: "*" },
    ...boundaryGuardStatements(args.boundaryArn),
    {
      Sid: "NoLongLivedCredentialsOrUsers",
      Effect: "Deny",
      Action: ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:CreateServiceSpecificCredential", "iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:AddUserToGroup", "iam:CreateGroup"],
      Resource: "*",
    },
    {
      Sid: "NeverTheBootstrapIdentities",
      Effect: "Deny",
      Action: ["iam:Create*", "iam:Delete*", "iam:Put*", "iam:Attach*", "iam:Detach*", "iam:Update*", "iam:Tag*", "iam:Untag*", "iam:Add*", "iam:Remove*", "iam:PassRole"],
      Resource: [...args.bootstrapIdentityArns],
    },
    { Sid: "KeepTheTrail", Effect: "Deny", Action: ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors"], Resource: "*" },
    { Sid: "KeepTheKeys", Effect: "Deny", Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:DeleteImportedKeyMaterial"], Resource: "*" },
    {
      Sid: "KeepTheBuckets",
      Effect: "Deny",
      Action: [
        "s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning", "s3:PutBucketObjectLockConfiguration", "s3:BypassGovernanceRetention",
        "s3:PutBucketPublicAccessBlock", "s3:PutAccountPublicAccessBlock", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:PutBucketAcl", "s3:PutReplicationConfiguration",
      ],
      Resource: "*",
    },
    // The state is the deploy role's (and the preview role's locks): no platform role writes it.
    { Sid: "KeepTheState", Effect: "Deny", Action: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"], Resource: `${state}/*` },
    { Sid: "KeepTheSecretsKey", Effect: "Deny", Action: ["kms:Encrypt", "kms:ReEncrypt*", "kms:CreateGrant", "kms:UpdateAlias", "kms:DeleteAlias"], Resource: args.secretsKeyArn },
    {
      Sid: "KeepTheDetectiveControls",
      Effect: "Deny",
      Action: [
        "guardduty:DeleteDetector", "guardduty:UpdateDetector", "guardduty:DisassociateFromMasterAccount", "securityhub:DisableSecurityHub", "securityhub:BatchDisableStandards",
        "config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel", "access-analyzer:DeleteAnalyzer",
      ],
      Resource: "*",
    },
    {
      Sid: "KeepTheBackupVaults",
      Effect: "Deny",
      Action: ["backup:DeleteBackupVault", "backup:DeleteBackupVaultAccessPolicy", "backup:PutBackupVaultAccessPolicy", "backup:DeleteBackupVaultLockConfiguration", "backup:DeleteBackupPlan"],
      Resource: "*",
    },
    { Sid: "StayInTheOrganization", Effect: "Deny", Action: ["organizations:LeaveOrganization", "account:CloseAccount"], Resource: "*" },
  ]);
}
