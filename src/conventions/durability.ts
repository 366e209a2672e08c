/**
 * What outlives a `pulumi destroy`, decided once per environment. `dev` is disposable: destroy must
 * complete and a rebuild must find no leftovers in its way. `prod` is not: its critical data (D5, D7)
 * survives a destroy, an accidental replacement and an administrator's mistake.
 */
export interface DurabilityProfile {
  /** Pulumi `protect` and `retainOnDelete` on critical data (DB hosts, data volumes, backup buckets, vaults and their keys). */
  readonly protectCriticalData: boolean;
  /** EC2 termination protection (`disableApiTermination`) on the database hosts. */
  readonly terminationProtection: boolean;
  /** Buckets are emptied on destroy (`forceDestroy`), including every object version. */
  readonly forceDestroyBuckets: boolean;
  /**
   * Object Lock default retention on locked buckets. Retained object versions cannot be deleted before
   * their date by anyone (COMPLIANCE) or without a bypass permission (GOVERNANCE), so a bucket holding
   * them cannot be deleted: in dev the buckets keep Object Lock enabled but set no default retention.
   */
  readonly objectLockRetention: boolean;
  /** AWS Backup Vault Lock (a locked vault refuses deleting recovery points, hence the vault). */
  readonly vaultLock: boolean;
  /** Backup vaults delete their recovery points on destroy (`forceDestroy`). */
  readonly forceDestroyVaults: boolean;
  /**
   * Secrets Manager recovery window: 0 deletes at once (a re-created secret of the same name would
   * otherwise fail for the window's length with "scheduled for deletion"); 7-30 days keeps it recoverable.
   */
  readonly secretRecoveryWindowDays: number;
}

export const DURABILITY: Readonly<Record<"dev" | "prod", DurabilityProfile>> = {
  dev: {
    protectCriticalData: false,
    terminationProtection: false,
    forceDestroyBuckets: true,
    objectLockRetention: false,
    vaultLock: false,
    forceDestroyVaults: true,
    secretRecoveryWindowDays: 0,
  },
  prod: {
    protectCriticalData: true,
    terminationProtection: true,
    forceDestroyBuckets: false,
    objectLockRetention: true,
    vaultLock: true,
    forceDestroyVaults: false,
    secretRecoveryWindowDays: 30,
  },
};

/** The profile of an environment name as found on a resource; an unknown one gets prod's (the strictest). */
export function durabilityOf(environment: string | undefined): DurabilityProfile {
  return environment === "dev" ? DURABILITY.dev : DURABILITY.prod;
}
