/**
 * IAM policy documents as plain data: what the messaging plans build and what SERVICES attaches to a
 * service's pod-identity role. Plain strings only (no Outputs), so documents are unit-testable and
 * `JSON.stringify` gives exactly what AWS receives.
 */
export type Principal = "*" | { readonly AWS?: string | readonly string[]; readonly Service?: string | readonly string[] };

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: Principal;
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | boolean | readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

export function policyDocument(statements: readonly PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** Where ARNs of this stack live; the partition follows from the region (aws, aws-cn, aws-us-gov). */
export interface ArnScope {
  readonly region: string;
  readonly accountId: string;
}

export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

export function accountRootArn(scope: ArnScope): string {
  return `arn:${partitionOf(scope.region)}:iam::${scope.accountId}:root`;
}

/** The regional endpoint host a service calls KMS through (`kms:ViaService`). */
export function viaService(service: "sns" | "sqs" | "secretsmanager", region: string): string {
  return `${service}.${region}.amazonaws.com`;
}
