import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { at, list, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { BUCKET_TYPES } from "../s3/buckets";
import { bucketName, bucketProtection, homeRegion, isBackupBucket, planRules, providerRegion, regionOfArn, T } from "./facts";
import { environmentOf } from "../framework/environment";

/** Region of a bucket or vault of this stack named by ARN: the ARN for vaults, the provider for buckets. */
function destinationRegion(index: StackIndex, arn: string, stackRegion: string | undefined): string | undefined {
  const fromArn = regionOfArn(arn);
  if (fromArn !== undefined) return fromArn;
  const name = arn.replace(/^arn:aws:s3:::/, "");
  const bucket = index.ofType(...BUCKET_TYPES).find((b) => bucketName(b) === name);
  return bucket === undefined ? undefined : providerRegion(bucket, stackRegion);
}

export const bkp04CrossRegion = defineStackPolicy({
  meta: {
    id: "BKP-04",
    title: "Prod: recovery points and the pgBackRest repository are copied to a second region",
    severity: "medium",
    decisions: ["D7"],
    controls: { fsbp: ["S3.7"], checkov: ["CKV_AWS_144"] },
    description:
      "In prod (environment=prod), every AWS Backup plan rule copies its recovery points to a vault in another region, " +
      "and every backup bucket (tagged component=backups, except the replicas themselves) has an enabled replication " +
      "rule to a bucket in another region.",
    remediation: "Set fitness-platform:backups.crossRegion.enabled: true and a region other than the stack's (the config requires it in prod).",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const plans = index.ofType(T.plan).filter((p) => environmentOf(p) === "prod");
    const buckets = index.ofType(...BUCKET_TYPES).filter((b) => isBackupBucket(b) && environmentOf(b) === "prod");
    if (plans.length === 0 && buckets.length === 0) args.notApplicable("cross-region copies are required in prod only");
    const home = (r: PolicyResource) => providerRegion(r, undefined);
    for (const plan of plans) {
      for (const rule of planRules(plan)) {
        const region = home(plan);
        const away = rule.copyDestinations.filter((arn) => {
          const r = regionOfArn(arn);
          return r !== undefined && region !== undefined && r !== region;
        });
        if (away.length === 0) reportViolation(`backup plan "${plan.name}" rule "${rule.name}" copies its recovery points to no vault in another region.`, plan.urn);
      }
    }
    const stackRegion = homeRegion(args.resources);
    for (const bucket of buckets) {
      const name = bucketName(bucket) ?? bucket.name;
      // A bucket away from the stack's region is the copy itself.
      if (stackRegion !== undefined && providerRegion(bucket, stackRegion) !== stackRegion) continue;
      if (!bucketProtection(index, bucket).replicated) {
        reportViolation(`backup bucket "${name}" is not replicated to another region.`, bucket.urn);
        continue;
      }
      const rules = index.ofType(...T.replication).filter((r) => index.targets(r, "bucket", BUCKET_TYPES).includes(bucket));
      const destinations = rules.flatMap((r) => list(r.props["rules"]).map((rule) => text(at(rule, "destination", "bucket")) ?? ""));
      const region = home(bucket);
      if (!destinations.some((d) => { const dr = destinationRegion(index, d, region); return dr !== undefined && dr !== region; })) {
        reportViolation(`backup bucket "${name}" replicates only within its own region.`, bucket.urn);
      }
    }
  },
});
