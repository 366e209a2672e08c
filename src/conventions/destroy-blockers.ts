/**
 * What in a stack snapshot would stop `pulumi destroy` from completing, or leave something behind that
 * a rebuild would trip over. Used to prove dev disposable and prod protected (test/program/day0-*.test.ts).
 */
import type { ResourceState } from "../offline/snapshot/types";

export interface DestroyBlocker {
  readonly urn: string;
  readonly reason: string;
}

const truthy = (v: unknown) => v === true || v === "true";

/** Each rule: the resource types it reads, and the reason it blocks (undefined when it does not). */
const RULES: ReadonlyArray<(r: ResourceState) => string | undefined> = [
  (r) => (r.protect === true ? "protected: `pulumi destroy` refuses protected resources" : undefined),
  (r) => (r.retainOnDelete === true ? "retainOnDelete: left in the account, and a rebuild fails on its name" : undefined),
  (r) => (r.type === "aws:ec2/instance:Instance" && truthy(r.inputs?.disableApiTermination) ? "termination protection (disableApiTermination)" : undefined),
  (r) =>
    /^aws:lb\/loadBalancer:LoadBalancer$|^aws:alb\/loadBalancer:LoadBalancer$/.test(r.type) && truthy(r.inputs?.enableDeletionProtection) ? "load balancer deletion protection" : undefined,
  (r) => (/^aws:s3\/bucket(V2)?:Bucket(V2)?$/.test(r.type) && !truthy(r.inputs?.forceDestroy) ? "bucket without forceDestroy: deleting a non-empty bucket fails" : undefined),
  (r) =>
    /^aws:s3\/bucketObjectLockConfiguration(V2)?:/.test(r.type) && r.inputs?.rule !== undefined ? "Object Lock default retention: locked versions outlive the destroy" : undefined,
  (r) => (r.type === "aws:backup/vaultLockConfiguration:VaultLockConfiguration" ? "vault lock: recovery points (hence the vault) cannot be deleted" : undefined),
  (r) => (r.type === "aws:backup/vault:Vault" && !truthy(r.inputs?.forceDestroy) ? "backup vault without forceDestroy: a vault with recovery points cannot be deleted" : undefined),
  (r) => {
    if (r.type !== "aws:secretsmanager/secret:Secret") return undefined;
    const days = r.inputs?.recoveryWindowInDays;
    return days === 0 ? undefined : `secret recovery window of ${String(days ?? 30)} days: a rebuild cannot reuse the name until it ends`;
  },
];

export function destroyBlockers(resources: readonly ResourceState[]): DestroyBlocker[] {
  const out: DestroyBlocker[] = [];
  for (const r of resources) {
    if (r.external === true || !r.custom) continue; // reads are not deleted; components hold nothing
    for (const rule of RULES) {
      const reason = rule(r);
      if (reason !== undefined) out.push({ urn: r.urn, reason });
    }
  }
  return out;
}
