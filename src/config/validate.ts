import { awsLimitRules } from "./aws-limit-rules";
import { type CatalogReferences, catalogRules } from "./catalog-rules";
import { type Catalog, catalogSchema } from "./catalog-schema";
import { ConfigError } from "./errors";
import { InputError } from "./input-error";
import { type ConfigIssue, formatIssue, fromZodIssues } from "./issues";
import { type AwsConfig, awsConfigSchema, PROJECT, type StackConfig, stackConfigSchema } from "./schema";
import { databasesSchema } from "./sections/databases";
import { type EgressException, egressSchema } from "./sections/egress";
import { imagesSchema } from "./sections/images";
import { messagingSchema } from "./sections/messaging";
import { isoDay, stackRules } from "./stack-rules";
import { parseYaml } from "./yaml-reader";

/** The validated configuration of one stack: everything the composition root needs. */
export interface PlatformConfig {
  readonly project: string;
  readonly stack: string;
  readonly aws: AwsConfig;
  readonly config: StackConfig;
  readonly catalog: Catalog;
  /** Exceptions in force today (granted on or before today); only these are rendered. */
  readonly liveEgressExceptions: EgressException[];
  /** Exceptions whose last day has passed: left out of the deploy, with a warning (src/index.ts). */
  readonly expiredEgressExceptions: EgressException[];
}

export interface RawStackInput {
  readonly stack: string;
  /** `namespace:key` → value, as Pulumi hands them over (structured values JSON-encoded). */
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys?: ReadonlySet<string>;
  readonly catalogFile: string;
  /** The catalog's text, or undefined when the file could not be read. */
  readonly catalogText: string | undefined;
  /** Why the catalog could not be read (too large, not a regular file, ...), when it could not. */
  readonly catalogUnreadable?: string;
  readonly now: Date;
}

function decode(value: string): unknown {
  const trimmed = value.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  return value;
}

/** Validates everything at once and throws a ConfigError with one line per problem. */
export function validatePlatformConfig(input: RawStackInput): PlatformConfig {
  const issues: ConfigIssue[] = [];
  const stackRaw: Record<string, unknown> = {};
  const awsRaw: Record<string, unknown> = {};
  const secretTop = new Set<string>();

  for (const [fullKey, value] of Object.entries(input.config).sort(([a], [b]) => a.localeCompare(b))) {
    const sep = fullKey.indexOf(":");
    const ns = fullKey.slice(0, sep);
    const key = fullKey.slice(sep + 1);
    const secret = input.secretKeys?.has(fullKey) ?? false;
    if (ns === PROJECT) {
      stackRaw[key] = decode(value);
      if (secret) secretTop.add(key);
    } else if (ns === "aws") awsRaw[key] = decode(value);
    else if (ns === "pulumi") continue;
    else issues.push({ source: fullKey, path: [], value: secret ? undefined : value, secret, allowed: `unknown config namespace "${ns}"; allowed: ${PROJECT}:*, aws:*` });
  }

  const aws = awsConfigSchema.safeParse(awsRaw);
  if (!aws.success) issues.push(...fromZodIssues("aws", awsConfigSchema, awsRaw, aws.error.issues).map(colonSource("aws")));
  const stack = stackConfigSchema.safeParse(stackRaw);
  if (!stack.success) {
    for (const issue of fromZodIssues(PROJECT, stackConfigSchema, stackRaw, stack.error.issues)) {
      const [top, ...rest] = issue.path;
      issues.push(top === undefined ? issue : { ...issue, source: `${PROJECT}:${String(top)}`, path: rest, secret: secretTop.has(String(top)) });
    }
  }

  let catalog: Catalog | undefined;
  if (input.catalogText === undefined) {
    const why = input.catalogUnreadable ?? "this one cannot be read";
    issues.push({ source: `${PROJECT}:catalogFile`, path: [], value: input.catalogFile, allowed: `allowed: a readable service catalog file (${why})` });
  } else {
    let doc: unknown;
    try {
      doc = parseYaml(input.catalogText, input.catalogFile);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      issues.push({ source: input.catalogFile, path: [], value: undefined, allowed: `allowed: a YAML service catalog (${err.problem})` });
    }
    if (doc !== undefined) {
      const parsed = catalogSchema.safeParse(doc);
      if (parsed.success) catalog = parsed.data;
      else issues.push(...fromZodIssues(input.catalogFile, catalogSchema, doc, parsed.error.issues).map(catalogSource(input.catalogFile)));
    }
  }

  // Cross-field rules need well-typed inputs; they run when the parts they read parsed cleanly.
  if (aws.success && stack.success) issues.push(...stackRules(stack.data, aws.data, input.now));
  if (catalog) {
    const refs = stack.success ? stack.data : sectionsThatParse(stackRaw);
    issues.push(...catalogRules(catalog, `${input.catalogFile}:`, refs).map(catalogSource(input.catalogFile)));
  }
  // AWS limits on what the program derives from the catalog; they need a consistent catalog to plan from.
  const account = aws.success ? aws.data.allowedAccountIds[0] : undefined;
  if (catalog && aws.success && stack.success && account !== undefined && issues.length === 0 && STACK_SEGMENT.test(input.stack)) {
    const limits = awsLimitRules({ scope: { project: PROJECT, stack: input.stack }, region: aws.data.region, accountId: account, catalog, catalogSource: `${input.catalogFile}:`, messaging: stack.data.messaging });
    issues.push(...limits.map(catalogSource(input.catalogFile)));
  }

  if (issues.length > 0 || !aws.success || !stack.success || !catalog) {
    // Two checks can fail on the same value for the same reason; say it once.
    throw new ConfigError([...new Set(issues.map((issue) => formatIssue(input.stack, issue)))]);
  }
  const today = isoDay(input.now);
  return {
    project: PROJECT,
    stack: input.stack,
    aws: aws.data,
    config: stack.data,
    catalog,
    liveEgressExceptions: stack.data.egress.exceptions.filter((ex) => ex.granted <= today && today <= ex.expires),
    expiredEgressExceptions: stack.data.egress.exceptions.filter((ex) => ex.expires < today),
  };
}

function sectionsThatParse(raw: Record<string, unknown>): CatalogReferences {
  const databases = databasesSchema.safeParse(raw.databases);
  const images = imagesSchema.safeParse(raw.images);
  const egress = egressSchema.safeParse(raw.egress);
  const messaging = messagingSchema.safeParse(raw.messaging);
  return {
    databases: databases.success ? databases.data : undefined,
    images: images.success ? images.data : undefined,
    egress: egress.success ? egress.data : undefined,
    messaging: messaging.success ? messaging.data : undefined,
  };
}

const colonSource = (ns: string) => (issue: ConfigIssue): ConfigIssue => {
  const [top, ...rest] = issue.path;
  return top === undefined ? issue : { ...issue, source: `${ns}:${String(top)}`, path: rest };
};

/** Stack names that can be a physical name segment (src/conventions/naming.ts). */
const STACK_SEGMENT = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const catalogSource = (file: string) => (issue: ConfigIssue): ConfigIssue =>
  issue.source.startsWith(file) ? { ...issue, source: `${file}: ` } : issue;
