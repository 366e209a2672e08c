import type { PolicyResource } from "@pulumi/policy";
import { isRecord, text } from "../framework/props";

export const KMS_KEY_TYPES = ["aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey", "aws:kms/externalKey:ExternalKey"];

/**
 * Whether `container[field]` names a customer-managed key. A key created in this stack is recognised
 * from the property dependencies (so it holds during preview, when the key's ARN is unknown); a literal
 * id or ARN counts unless it names an AWS-managed key (`alias/aws/...`); an absent key means the
 * AWS-managed default.
 */
export function isCustomerManagedKey(owner: PolicyResource, property: string, container: unknown, field: string): boolean {
  if (!isRecord(container) || !(field in container)) return false;
  const deps = owner.propertyDependencies[property] ?? [];
  if (deps.some((d) => KMS_KEY_TYPES.includes(d.type))) return true;
  const value = text(container[field]);
  if (value === undefined || value === "") return false;
  return !/(^|:)alias\/aws\//.test(value);
}
