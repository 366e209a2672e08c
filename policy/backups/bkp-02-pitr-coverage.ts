import { durabilityOf } from "../../src/conventions/durability";
import { instanceUserData } from "../ec2/user-data";
import { defineStackPolicy } from "../framework/define";
import { StackIndex } from "../framework/stack-index";
import { isArchiveBucket } from "../logs/archive";
import { bucketName, bucketProtection, criticalHosts, writableBuckets } from "./facts";
import { environmentOf } from "../framework/environment";

/** The archive drop-in the backups plan renders (src/backups/pgbackrest-conf.ts): WAL into pgBackRest. */
const ARCHIVE_COMMAND = /archive_command\s*=\s*'pgbackrest --stanza=[a-z0-9-]+ archive-push %p'/;

export const bkp02PitrCoverage = defineStackPolicy({
  meta: {
    id: "BKP-02",
    title: "Every critical host has pgBackRest PITR into a versioned, object-locked, KMS-encrypted bucket it can write",
    severity: "critical",
    decisions: ["D7"],
    controls: { fsbp: ["S3.14", "S3.15"], other: ["pgBackRest continuous archiving (archive_command)"] },
    description:
      "Every instance tagged data-class=critical archives its WAL with pgBackRest (its bootstrap sets archive_command to " +
      "`pgbackrest --stanza=<s> archive-push %p`) and its instance role may write objects (s3:PutObject, not denied) into " +
      "a bucket of this stack that has versioning enabled, Object Lock with a default retention, and SSE-KMS with a " +
      "customer-managed key.",
    remediation:
      "Construct Backups before DatabaseHosts and pass its hooks: bootstrapExtras (pgBackRest files and commands) and " +
      "extraRolePolicy (the host's grant on its repository prefix); see src/index.ts.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const hosts = criticalHosts(index);
    if (hosts.length === 0) args.notApplicable("the stack has no host tagged data-class=critical");
    for (const host of hosts) {
      const what = `critical host "${host.name}"`;
      if (!ARCHIVE_COMMAND.test(instanceUserData(host.props))) reportViolation(`${what} does not archive WAL with pgBackRest (no archive_command 'pgbackrest --stanza=... archive-push %p' in its bootstrap).`, host.urn);
      // The log archive takes the host's Session Manager transcripts; it is no backup repository.
      const buckets = writableBuckets(index, host).filter((b) => !isArchiveBucket(b));
      if (buckets.length === 0) {
        reportViolation(`${what}: its instance role may write into no bucket of this stack, so pgBackRest has no repository.`, host.urn);
        continue;
      }
      // A default retention only where the environment keeps data past a destroy (dev: lock enabled, no retention).
      const locked = (b: (typeof buckets)[number], p: ReturnType<typeof bucketProtection>) =>
        p.lockEnabled && (p.lockDays !== undefined || !durabilityOf(environmentOf(b)).objectLockRetention);
      const good = buckets.filter((b) => {
        const p = bucketProtection(index, b);
        return p.versioned && locked(b, p) && p.kmsCmk;
      });
      if (good.length === 0) {
        for (const b of buckets) {
          const p = bucketProtection(index, b);
          const missing = [!p.versioned && "versioning", !locked(b, p) && "Object Lock with a default retention", !p.kmsCmk && "SSE-KMS with a customer-managed key"].filter(Boolean);
          reportViolation(`${what} writes its pgBackRest repository into bucket "${bucketName(b) ?? b.name}", which lacks ${missing.join(", ")}.`, b.urn);
        }
      }
    }
  },
});
