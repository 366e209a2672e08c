import { durabilityOf } from "../../src/conventions/durability";
import { defineStackPolicy } from "../framework/define";
import { num, tagsOf, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { isCustomerManagedKey } from "../kms/keys";
import { BUCKET_TYPES } from "../s3/buckets";
import { bucketName, bucketProtection, isBackupBucket, T } from "./facts";
import { environmentOf } from "../framework/environment";

export const bkp03Immutability = defineStackPolicy({
  meta: {
    id: "BKP-03",
    title: "Backup vaults and buckets are immutable as configured: CMK, vault lock / Object Lock, compliance mode in prod",
    severity: "high",
    decisions: ["D7"],
    controls: { fsbp: ["Backup.1"], checkov: ["CKV_AWS_166"] },
    description:
      "Every AWS Backup vault is encrypted with a customer-managed key and has a vault lock; in prod the lock is in " +
      "compliance mode (changeableForDays set). Every backup bucket (tagged component=backups) is versioned, has Object " +
      "Lock with a default retention (COMPLIANCE in prod), and no lifecycle rule expires anything sooner than that retention.",
    remediation:
      "Use the Backups component (src/backups): it creates vaults with their own keys and a VaultLockConfiguration, and " +
      "buckets with Object Lock whose lifecycle follows fitness-platform:backups.pitr.retentionDays.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const vaults = index.ofType(T.vault);
    const buckets = index.ofType(...BUCKET_TYPES).filter(isBackupBucket);
    if (vaults.length === 0 && buckets.length === 0) args.notApplicable("the stack has no backup vault or bucket");
    const locks = index.ofType(T.vaultLock);
    for (const vault of vaults) {
      const what = `backup vault "${vault.name}"`;
      const prod = environmentOf(vault) === "prod";
      if (!isCustomerManagedKey(vault, "kmsKeyArn", vault.props, "kmsKeyArn")) reportViolation(`${what} is not encrypted with a customer-managed KMS key.`, vault.urn);
      const lock = locks.find((l) => index.targets(l, "backupVaultName", [T.vault]).includes(vault) || text(l.props["backupVaultName"]) === text(vault.props["name"]));
      // dev is disposable (src/conventions/durability.ts): a locked vault could not be destroyed.
      if (lock === undefined && durabilityOf(environmentOf(vault)).vaultLock) reportViolation(`${what} has no vault lock: recovery points can be deleted before their retention ends.`, vault.urn);
      else if (lock !== undefined && prod && num(lock.props["changeableForDays"]) === undefined) reportViolation(`${what} is locked in governance mode; prod requires compliance mode (changeableForDays).`, vault.urn);
    }
    for (const bucket of buckets) {
      const what = `backup bucket "${bucketName(bucket) ?? bucket.name}"`;
      const p = bucketProtection(index, bucket);
      const prod = tagsOf(bucket.props)["environment"] === "prod";
      if (!p.versioned) reportViolation(`${what} is not versioned.`, bucket.urn);
      const retains = durabilityOf(environmentOf(bucket)).objectLockRetention;
      if (!p.lockEnabled || (p.lockDays === undefined && retains)) reportViolation(`${what} has no Object Lock default retention.`, bucket.urn);
      else if (prod && p.lockMode !== "COMPLIANCE") reportViolation(`${what} locks objects in ${p.lockMode ?? "no"} mode; prod requires COMPLIANCE.`, bucket.urn);
      if (p.lockDays !== undefined && p.shortestExpirationDays !== undefined && p.shortestExpirationDays < p.lockDays) {
        reportViolation(`${what}: a lifecycle rule expires objects after ${p.shortestExpirationDays} days, before the ${p.lockDays}-day retention.`, bucket.urn);
      }
    }
  },
});
