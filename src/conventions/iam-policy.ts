/**
 * IAM, key and resource policy documents as plain data, shared by every area. Plain strings only (no
 * Outputs), so documents are unit-testable and `JSON.stringify` gives exactly what AWS receives; the
 * statements' key order is the order they are written in, so keep it stable.
 */
import { accountRootArn } from "./arn";

export type Principal = "*" | { readonly AWS?: string | readonly string[]; readonly Service?: string | readonly string[]; readonly Federated?: string };

export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, string | boolean | readonly string[]>>>>;

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: Principal;
  readonly Action: string | readonly string[];
  /** Absent only in trust (assume-role) policies. */
  readonly Resource?: string | readonly string[];
  /** Everything but these (a Deny that spares one exact key). */
  readonly NotResource?: string | readonly string[];
  readonly Condition?: ConditionBlock;
}

export interface PolicyDocument<S extends PolicyStatement = PolicyStatement> {
  readonly Version: "2012-10-17";
  readonly Statement: S[];
}

export function policyDocument<S extends PolicyStatement>(statements: S[]): PolicyDocument<S> {
  return { Version: "2012-10-17", Statement: statements };
}

/** A role that only the given AWS service may assume (the statement named `sid`, if given). */
export const serviceTrust = (service: string, sid?: string): PolicyDocument =>
  policyDocument([{ ...(sid === undefined ? {} : { Sid: sid }), Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }]);

/** Key policy statement: the account root administers the key, so IAM policies of the account can grant its use. */
export function accountRootAdministration(partition: string, accountId: string, sid: string): PolicyStatement & { readonly Sid: string } {
  return { Sid: sid, Effect: "Allow", Principal: { AWS: accountRootArn(partition, accountId) }, Action: "kms:*", Resource: "*" };
}

/**
 * Key policy statements of a volume key: Auto Scaling launches the instances, so its service-linked
 * role must be able to use the key (and grant it to EC2), or every launch fails on the encrypted volume.
 * `grantIsForAwsResource` is the condition value as written (areas render it as a string or a boolean).
 */
export function autoScalingVolumeKeyUse(args: {
  /** The Auto Scaling service-linked role, as read from the account (src/account/prerequisites.ts). */
  autoScalingRoleArn: string;
  useSid: string;
  grantSid: string;
  grantIsForAwsResource: "true" | true;
}): Array<PolicyStatement & { readonly Sid: string }> {
  const autoScaling = args.autoScalingRoleArn;
  return [
    {
      Sid: args.useSid,
      Effect: "Allow",
      Principal: { AWS: autoScaling },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: "*",
    },
    {
      Sid: args.grantSid,
      Effect: "Allow",
      Principal: { AWS: autoScaling },
      Action: "kms:CreateGrant",
      Resource: "*",
      Condition: { Bool: { "kms:GrantIsForAWSResource": args.grantIsForAwsResource } },
    },
  ];
}

/**
 * TLS only: a Deny to anyone of `action` on `resource` when the request is not over TLS. `secureTransport`
 * is the condition value as written (areas render it as a string or a boolean; AWS reads both alike).
 */
export function denyInsecureTransport<A extends string | readonly string[], R extends string | readonly string[]>(
  action: A,
  resource: R,
  secureTransport: "false" | false,
): PolicyStatement & { readonly Sid: string; readonly Action: A; readonly Resource: R } {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: resource,
    Condition: { Bool: { "aws:SecureTransport": secureTransport } },
  };
}
