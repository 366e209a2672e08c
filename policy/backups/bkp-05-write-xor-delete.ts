import { defineStackPolicy } from "../framework/define";
import { peekTexts, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { BUCKET_TYPES } from "../s3/buckets";
import { allows, bucketDenies, bucketName, bucketPolicyStatements, bucketProbes, DELETE_ACTIONS, isBackupBucket, isPgBackRestLatestLink, roleGrants, T } from "./facts";

export const bkp05WriteXorDelete = defineStackPolicy({
  meta: {
    id: "BKP-05",
    title: "No principal that can write backups can also delete them",
    severity: "high",
    decisions: ["D7"],
    controls: { checkov: ["CKV_AWS_108", "CKV_AWS_288"], other: ["separation of duties: writers are not deleters"] },
    description:
      "For every IAM role of the stack and every backup bucket (tagged component=backups) or vault: if the role may write " +
      "backups (s3:PutObject on the bucket; backup:StartBackupJob/StartCopyJob/CopyIntoBackupVault; an AWS-managed " +
      "full-access policy), it may not delete them or loosen their protection (s3:DeleteObject*, lifecycle, bucket policy, " +
      "versioning, Object Lock, retention bypass — deleting pgBackRest's informational `backup/<stanza>/latest` key excepted, which it removes after every backup; backup:DeleteRecoveryPoint, lifecycle, vault deletion or lock removal), " +
      "unless an explicit Deny (in the role's policies, or in the bucket policy naming the role) takes the right away.",
    remediation:
      "Give writers (database hosts, the replication role) an explicit Deny of the destructive actions (src/backups/grants.ts " +
      "does), and keep deletion to the bucket lifecycle and the vault's retention.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const buckets = index.ofType(...BUCKET_TYPES).filter(isBackupBucket);
    const vaults = index.ofType(T.vault);
    if (buckets.length === 0 && vaults.length === 0) args.notApplicable("the stack has no backup bucket or vault");
    const vaultArns = vaults.flatMap((v) => [...peekTexts(v.props, "arn"), `arn:aws:backup:*:*:backup-vault:${text(v.props["name"]) ?? v.name}`]);
    for (const role of index.ofType(T.role)) {
      const grants = roleGrants(index, role);
      const roleArn = peekTexts(role.props, "arn")[0] ?? (text(role.props["name"]) === undefined ? undefined : `arn:aws:iam::*:role/${text(role.props["name"])}`);
      const managedWrites = grants.managed.filter((m) => m.writes);
      const managedDeletes = grants.managed.filter((m) => m.deletes);
      for (const bucket of buckets) {
        const arns = bucketProbes(grants.statements, bucketName(bucket) ?? bucket.name);
        const policy = bucketPolicyStatements(index, bucket);
        const writes = managedWrites.length > 0 || allows(grants.statements, "s3:PutObject", arns);
        if (!writes) continue;
        // Deleting pgBackRest's `latest` link removes no backup; every other key is probed.
        const dataArns = arns.filter((arn) => !isPgBackRestLatestLink(arn));
        const deletes = DELETE_ACTIONS.filter((a) => a.startsWith("s3:"))
          .filter((a) => managedDeletes.length > 0 || allows(grants.statements, a, dataArns))
          .filter((a) => !dataArns.some((arn) => bucketDenies(policy, roleArn, a, arn)));
        if (deletes.length > 0) {
          reportViolation(`role "${role.name}" can write backups into bucket "${bucketName(bucket) ?? bucket.name}" and can also ${deletes.join(", ")} there.`, role.urn);
        }
      }
      if (vaults.length === 0) continue;
      const vaultWrites = managedWrites.length > 0 || ["backup:StartBackupJob", "backup:StartCopyJob", "backup:CopyIntoBackupVault"].some((a) => allows(grants.statements, a, [...vaultArns, "*"]));
      if (!vaultWrites) continue;
      const vaultDeletes = DELETE_ACTIONS.filter((a) => a.startsWith("backup:")).filter((a) => managedDeletes.length > 0 || allows(grants.statements, a, [...vaultArns, "*"]));
      if (vaultDeletes.length > 0) reportViolation(`role "${role.name}" can write recovery points into the backup vaults and can also ${vaultDeletes.join(", ")}.`, role.urn);
    }
  },
});
