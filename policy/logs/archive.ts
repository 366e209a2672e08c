import type { PolicyResource } from "@pulumi/policy";
import { ENVIRONMENT_RULES } from "../../src/config/environment-rules";
import { isRecord, tagsOf, UNKNOWN_SENTINELS } from "../framework/props";
import type { StackIndex } from "../framework/stack-index";
import { environmentTag } from "../framework/environment";
import { BUCKET_TYPES } from "../s3/buckets";

/**
 * What the log rules share: which buckets form the log archive (the `component=logs` buckets the
 * LogArchive creates), how a log destination (a bucket name, an S3 ARN with a prefix) resolves to a
 * bucket, and the environment's retention floor (the same numbers config validation uses).
 */
export const ARCHIVE_COMPONENT = "logs";

export function tagOf(resource: PolicyResource, key: string): string | undefined {
  return isRecord(resource.props) ? tagsOf(resource.props)[key] : undefined;
}

export function isArchiveBucket(resource: PolicyResource): boolean {
  return BUCKET_TYPES.includes(resource.type) && tagOf(resource, "component") === ARCHIVE_COMPONENT;
}

/** Reads a property without tripping the unknown-value check; sentinels read as undefined. */
export function peek(value: unknown, ...path: (string | number)[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = Object.getOwnPropertyDescriptor(current, key)?.value;
  }
  return typeof current === "string" && UNKNOWN_SENTINELS.has(current) ? undefined : current;
}

/** True when the value (or something inside it) is not known yet (preview). */
export function isUnknown(value: unknown): boolean {
  if (typeof value === "string") return UNKNOWN_SENTINELS.has(value);
  if (typeof value !== "object" || value === null) return false;
  return Object.keys(value).some((key) => isUnknown(Object.getOwnPropertyDescriptor(value, key)?.value));
}

/** Every known string inside a value (arrays and objects walked), in order. */
export function deepTexts(value: unknown): string[] {
  if (typeof value === "string") return UNKNOWN_SENTINELS.has(value) ? [] : [value];
  if (typeof value !== "object" || value === null) return [];
  return Object.keys(value).flatMap((key) => deepTexts(Object.getOwnPropertyDescriptor(value, key)?.value));
}

export function bucketName(bucket: PolicyResource): string | undefined {
  const name = peek(bucket.props, "bucket");
  return typeof name === "string" ? name : undefined;
}

const S3_DESTINATION = /^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/(.*))?$/;
const BARE_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `arn:aws:s3:::bucket/prefix/` or `bucket` → { bucket, key prefix }. */
export function parseS3Destination(value: string): { bucket: string; prefix: string } | undefined {
  const arn = S3_DESTINATION.exec(value);
  if (arn) return { bucket: arn[1] as string, prefix: arn[3] ?? "" };
  return BARE_BUCKET.test(value) ? { bucket: value, prefix: "" } : undefined;
}

export interface ResolvedDestination {
  readonly value: string;
  readonly bucket: PolicyResource | undefined;
  readonly prefix: string;
}

/**
 * The buckets a property names (as bucket names or S3 ARNs). While the value is unknown (preview), the
 * engine's property dependencies stand in for it: the bucket the value will be computed from.
 */
export function resolveDestinations(
  index: StackIndex,
  resource: PolicyResource,
  property: string,
  ...within: string[]
): { known: ResolvedDestination[]; pending: PolicyResource[] } {
  const value = peek(resource.props, property, ...within);
  const byName = new Map<string, PolicyResource>();
  for (const b of index.ofType(...BUCKET_TYPES)) {
    const name = bucketName(b);
    if (name !== undefined) byName.set(name, b);
  }
  const known: ResolvedDestination[] = [];
  for (const text of deepTexts(value)) {
    const parsed = parseS3Destination(text);
    if (parsed === undefined) continue;
    known.push({ value: text, bucket: byName.get(parsed.bucket), prefix: parsed.prefix });
  }
  const pending =
    known.length === 0 && (value === undefined || isUnknown(value))
      ? (resource.propertyDependencies[property] ?? []).filter((d) => BUCKET_TYPES.includes(d.type))
      : [];
  return { known, pending };
}

/** The stack's environment for a resource: its `environment` tag, else the pack's configured one. */
export function environmentOf(resource: PolicyResource, configured: string | undefined): string | undefined {
  return environmentTag(resource) ?? configured;
}

/** The floor for log retention; an unknown environment gets the strictest one (prod's). */
export function minLogRetentionDays(environment: string | undefined): number {
  if (environment === "dev" || environment === "prod") return ENVIRONMENT_RULES[environment].minLogRetentionDays;
  return Math.max(...Object.values(ENVIRONMENT_RULES).map((r) => r.minLogRetentionDays));
}

export const ENVIRONMENT_CONFIG = {
  environment: { type: "string", description: "The stack's environment (dev|prod), for resources without an environment tag." },
} as const;
