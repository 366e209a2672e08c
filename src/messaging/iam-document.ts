/**
 * IAM policy documents as the messaging plans build them and SERVICES attaches them to a service's
 * pod-identity role: actions always listed, every statement scoped to a resource.
 */
import { accountRootArn as rootArn, partitionOf } from "../conventions/arn";
import type { PolicyDocument as Document, PolicyStatement as Statement } from "../conventions/iam-policy";

export { partitionOf } from "../conventions/arn";
export { type Principal, policyDocument } from "../conventions/iam-policy";

export type PolicyStatement = Statement & { readonly Action: readonly string[]; readonly Resource: string | readonly string[] };

export type PolicyDocument = Document<PolicyStatement>;

/** Where ARNs of this stack live; the partition follows from the region (aws, aws-cn, aws-us-gov). */
export interface ArnScope {
  readonly region: string;
  readonly accountId: string;
}

export function accountRootArn(scope: ArnScope): string {
  return rootArn(partitionOf(scope.region), scope.accountId);
}

/** The regional endpoint host a service calls KMS through (`kms:ViaService`). */
export function viaService(service: "sns" | "sqs" | "secretsmanager", region: string): string {
  return `${service}.${region}.amazonaws.com`;
}
