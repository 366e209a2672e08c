import type { PolicyResource } from "@pulumi/policy";
import { at, flag, list, num, peekTexts, record, tagsOf, text, texts } from "../framework/props";
import type { StackIndex } from "../framework/stack-index";
import { INSTANCE } from "../ec2/compute";
import { attachedVolumes } from "../databases/db-hosts";
import { parsePolicyDocument, type PolicyStatement } from "../iam/document";
import { isCustomerManagedKey } from "../kms/keys";
import { BUCKET_TYPES, ENCRYPTION_TYPES, companions, bucketStatements } from "../s3/buckets";

/**
 * Facts about the backups (D7) that BKP-01..05 and the audit report's coverage matrix share: which hosts
 * hold critical data, which AWS Backup selections and plans cover their volumes, which buckets their
 * roles write pgBackRest repositories into, and what every IAM role may do to backups.
 */
export const T = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  profile: "aws:iam/instanceProfile:InstanceProfile",
  versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
  objectLock: ["aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"],
  lifecycle: ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"],
  replication: ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"],
  vault: "aws:backup/vault:Vault",
  vaultLock: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
  plan: "aws:backup/plan:Plan",
  selection: "aws:backup/selection:Selection",
} as const;

/** Actions that remove backups or loosen what protects them (S3 repositories and AWS Backup vaults). */
export const DELETE_ACTIONS = [
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:DeleteBucket",
  "s3:PutLifecycleConfiguration",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:PutBucketVersioning",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutObjectRetention",
  "s3:BypassGovernanceRetention",
  "backup:DeleteRecoveryPoint",
  "backup:UpdateRecoveryPointLifecycle",
  "backup:DeleteBackupVault",
  "backup:DeleteBackupVaultLockConfiguration",
  "backup:PutBackupVaultAccessPolicy",
] as const;
export const WRITE_ACTIONS = ["s3:PutObject", "backup:StartBackupJob", "backup:StartCopyJob", "backup:CopyIntoBackupVault"] as const;

/** Managed policies whose content the stack does not show, by what they let a role do to backups. */
const MANAGED: ReadonlyArray<{ readonly pattern: RegExp; readonly writes: boolean; readonly deletes: boolean }> = [
  { pattern: /:iam::aws:policy\/(AdministratorAccess|PowerUserAccess|AmazonS3FullAccess|AWSBackupFullAccess)$/, writes: true, deletes: true },
  { pattern: /:iam::aws:policy\/AWSBackupOperatorAccess$/, writes: true, deletes: false },
];

/** `*` and `?` glob, case-insensitive for actions (IAM action names are). */
export function globMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const esc = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${esc}$`, caseInsensitive ? "i" : "").test(value);
}

export function criticalHosts(index: StackIndex): PolicyResource[] {
  return index.ofType(INSTANCE).filter((i) => tagsOf(i.props)["data-class"] === "critical");
}


// ---------- IAM: what a role may do

export interface RoleGrants {
  readonly statements: PolicyStatement[];
  /** Managed policies (AWS-owned) and what they imply. */
  readonly managed: { readonly arn: string; readonly writes: boolean; readonly deletes: boolean }[];
}

export function roleGrants(index: StackIndex, role: PolicyResource): RoleGrants {
  const statements: PolicyStatement[] = [];
  const add = (value: unknown) => {
    const doc = parsePolicyDocument(value);
    if (doc !== undefined && !("error" in doc)) statements.push(...doc.statements);
  };
  for (const inline of list(role.props["inlinePolicies"])) add(at(inline, "policy"));
  for (const p of index.referrers(role, [T.rolePolicy], "role")) add(p.props["policy"]);
  const managed: RoleGrants["managed"] = [];
  const arns = [...peekTexts(role.props, "managedPolicyArns")];
  for (const a of index.referrers(role, [T.attachment], "role")) {
    const custom = index.targets(a, "policyArn", [T.policy]);
    for (const p of custom) add(p.props["policy"]);
    if (custom.length === 0) arns.push(...peekTexts(a.props, "policyArn"));
  }
  for (const arn of arns) {
    const known = MANAGED.find((m) => m.pattern.test(arn));
    if (known !== undefined) managed.push({ arn, writes: known.writes, deletes: known.deletes });
  }
  return { statements, managed };
}

function actionMatches(statement: PolicyStatement, action: string): boolean {
  if (statement.notActions.length > 0) return !statement.notActions.some((a) => globMatch(a, action, true));
  return statement.actions.some((a) => globMatch(a, action, true));
}

function resourceMatches(statement: PolicyStatement, arn: string): boolean {
  if (statement.notResources.length > 0) return !statement.notResources.some((r) => globMatch(r, arn));
  return statement.resources.some((r) => globMatch(r, arn));
}

/** Whether `statements` allow `action` on any of `arns`, with no Deny in the same statements covering it. */
export function allows(statements: readonly PolicyStatement[], action: string, arns: readonly string[]): boolean {
  return arns.some(
    (arn) =>
      statements.some((s) => s.effect === "Allow" && actionMatches(s, action) && resourceMatches(s, arn)) &&
      !statements.some((s) => s.effect === "Deny" && Object.keys(s.conditions).length === 0 && actionMatches(s, action) && resourceMatches(s, arn)),
  );
}

/** Deny statements of a bucket policy that name this principal (by `aws:PrincipalArn`) or everyone, unconditionally. */
export function bucketDenies(bucketPolicy: readonly PolicyStatement[], principalArn: string | undefined, action: string, arn: string): boolean {
  return bucketPolicy.some((s) => {
    if (s.effect !== "Deny" || !actionMatches(s, action) || !resourceMatches(s, arn)) return false;
    const keys = Object.entries(s.conditions);
    if (keys.length === 0) return true;
    if (principalArn === undefined) return false;
    return keys.every(([op, body]) => /^Arn(Equals|Like)$/.test(op) && Object.entries(body).every(([k, values]) => k === "aws:principalarn" && values.some((v) => globMatch(v, principalArn))));
  });
}

// ---------- the pgBackRest repositories

export function bucketName(bucket: PolicyResource): string | undefined {
  return peekTexts(bucket.props, "bucket")[0] ?? text(bucket.props["id"]);
}

export function bucketArns(bucket: PolicyResource): string[] {
  const name = bucketName(bucket);
  return name === undefined ? [] : [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`];
}

export function isBackupBucket(bucket: PolicyResource): boolean {
  return tagsOf(bucket.props)["component"] === "backups";
}

export function instanceRole(index: StackIndex, host: PolicyResource): PolicyResource | undefined {
  const profile = index.targets(host, "iamInstanceProfile", [T.profile])[0];
  return profile === undefined ? undefined : index.targets(profile, "role", [T.role])[0];
}

/** The buckets the host's role may write objects into (a pgBackRest repository needs PutObject). */
export function writableBuckets(index: StackIndex, host: PolicyResource): PolicyResource[] {
  const role = instanceRole(index, host);
  if (role === undefined) return [];
  const { statements } = roleGrants(index, role);
  return index.ofType(...BUCKET_TYPES).filter((b) => {
    const name = bucketName(b);
    return name !== undefined && allows(statements, "s3:PutObject", bucketProbes(statements, name));
  });
}

/** ARNs that stand for a bucket's objects in grant checks: the bucket, any object, and the prefixes grants name. */
export function bucketProbes(statements: readonly PolicyStatement[], bucket: string): string[] {
  return [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/x`, ...prefixProbe(statements, bucket)];
}

/** Object ARNs under the prefixes a role's statements name for this bucket, to test prefix-scoped grants. */
function prefixProbe(statements: readonly PolicyStatement[], bucket: string): string[] {
  const base = `arn:aws:s3:::${bucket}/`;
  return statements.flatMap((s) => s.resources.filter((r) => r.startsWith(base)).map((r) => r.replace(/\*/g, "probe")));
}

export interface BucketProtection {
  readonly versioned: boolean;
  readonly lockEnabled: boolean;
  readonly lockMode?: string;
  readonly lockDays?: number;
  readonly kmsCmk: boolean;
  /** Smallest expiration (days) of any enabled lifecycle rule on current or noncurrent versions. */
  readonly shortestExpirationDays?: number;
  readonly replicated: boolean;
}

export function bucketProtection(index: StackIndex, bucket: PolicyResource): BucketProtection {
  const versioned = companions(index, bucket, T.versioning).some((v) => text(at(v.props, "versioningConfiguration", "status")) === "Enabled");
  const lock = companions(index, bucket, T.objectLock)[0];
  const retention = record(at(lock?.props, "rule", "defaultRetention"));
  const kmsCmk = companions(index, bucket, ENCRYPTION_TYPES).some((e) =>
    list(e.props["rules"]).some((r) => text(at(r, "applyServerSideEncryptionByDefault", "sseAlgorithm"))?.startsWith("aws:kms") === true && isCustomerManagedKey(e, "rules", at(r, "applyServerSideEncryptionByDefault"), "kmsMasterKeyId")),
  );
  const days: number[] = [];
  for (const lc of companions(index, bucket, T.lifecycle)) {
    for (const rule of list(lc.props["rules"])) {
      if (text(at(rule, "status")) !== "Enabled") continue;
      for (const d of [num(at(rule, "expiration", "days")), num(at(rule, "noncurrentVersionExpiration", "noncurrentDays"))]) if (d !== undefined) days.push(d);
    }
  }
  const replicated = companions(index, bucket, T.replication).some((r) => list(r.props["rules"]).some((rule) => text(at(rule, "status")) === "Enabled"));
  const lockDays = num(at(retention, "days")) ?? (num(at(retention, "years")) === undefined ? undefined : (num(at(retention, "years")) as number) * 365);
  return {
    versioned,
    lockEnabled: flag(bucket.props["objectLockEnabled"]) === true,
    ...(text(at(retention, "mode")) === undefined ? {} : { lockMode: text(at(retention, "mode")) }),
    ...(lockDays === undefined ? {} : { lockDays }),
    kmsCmk,
    ...(days.length === 0 ? {} : { shortestExpirationDays: Math.min(...days) }),
    replicated,
  };
}

export function bucketPolicyStatements(index: StackIndex, bucket: PolicyResource): PolicyStatement[] {
  return bucketStatements(index, bucket).statements;
}

// ---------- AWS Backup

export interface SnapshotCoverage {
  readonly selection: PolicyResource;
  readonly plan: PolicyResource | undefined;
}

/** Selections that pick `volume`: by its id/ARN, by a resource pattern plus tag condition, or by a selection tag. */
export function selectionsCovering(index: StackIndex, volume: PolicyResource): SnapshotCoverage[] {
  const tags = tagsOf(volume.props);
  const volumeArns = [...peekTexts(volume.props, "arn"), `arn:aws:ec2:*:*:volume/${text(volume.props["id"]) ?? volume.name}`];
  return index.ofType(T.selection).flatMap((sel) => {
    const byDependency = index.targets(sel, "resources", ["aws:ebs/volume:Volume"]).includes(volume);
    const patterns = texts(sel.props["resources"]);
    const matchesPattern = patterns.some((p) => p === "*" || volumeArns.some((a) => globMatch(p, a)) || globMatch(p, "arn:aws:ec2:region:account:volume/vol-x"));
    const conditions = list(at(sel.props, "conditions")).flatMap((c) => list(at(c, "stringEquals")));
    const conditionsHold = conditions.every((c) => {
      const key = (text(at(c, "key")) ?? "").replace(/^aws:ResourceTag\//, "");
      return tags[key] === text(at(c, "value"));
    });
    const byTag = list(sel.props["selectionTags"]).some((t) => text(at(t, "type")) === "STRINGEQUALS" && tags[text(at(t, "key")) ?? ""] === text(at(t, "value")));
    const covered = byDependency || byTag || (patterns.length > 0 && matchesPattern && conditionsHold);
    return covered ? [{ selection: sel, plan: index.targets(sel, "planId", [T.plan])[0] }] : [];
  });
}

/** A schedule that runs at least once a day: `cron(m h * * ? *)`, `rate(N hours|minutes)` or `rate(1 day)`. */
export function isAtLeastDaily(schedule: string | undefined): boolean {
  if (schedule === undefined) return false;
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(schedule.trim());
  if (rate !== null) return rate[2]?.startsWith("day") === true ? Number(rate[1]) <= 1 : rate[2]?.startsWith("hour") === true ? Number(rate[1]) <= 24 : true;
  const cron = /^cron\((.+)\)$/.exec(schedule.trim());
  const fields = cron?.[1]?.trim().split(/\s+/) ?? [];
  return fields.length === 6 && fields[2] === "*" && fields[3] === "*" && (fields[4] === "?" || fields[4] === "*");
}

export interface PlanRuleFacts {
  readonly name: string;
  readonly schedule?: string;
  readonly deleteAfter?: number;
  readonly copyDestinations: string[];
}

export function planRules(plan: PolicyResource): PlanRuleFacts[] {
  return list(plan.props["rules"]).map((r) => {
    const schedule = text(at(r, "schedule"));
    const deleteAfter = num(at(r, "lifecycle", "deleteAfter"));
    return {
      name: text(at(r, "ruleName")) ?? "?",
      ...(schedule === undefined ? {} : { schedule }),
      ...(deleteAfter === undefined ? {} : { deleteAfter }),
      copyDestinations: list(at(r, "copyActions")).flatMap((c) => texts(at(c, "destinationVaultArn"))),
    };
  });
}

export function regionOfArn(arn: string): string | undefined {
  return arn.split(":")[3] || undefined;
}

export function providerRegion(r: PolicyResource, fallback: string | undefined): string | undefined {
  return text(r.provider?.props["region"]) ?? fallback;
}

/** The stack's home region: the one most of its resources' providers name. */
export function homeRegion(resources: readonly PolicyResource[]): string | undefined {
  const counts = new Map<string, number>();
  for (const r of resources) {
    const region = providerRegion(r, undefined);
    if (region !== undefined) counts.set(region, (counts.get(region) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

export { attachedVolumes };
