import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError } from "../config/errors";
import { SERVICE_LINKED_ROLES } from "../account/service-linked-roles";

/**
 * The bootstrap layer's configuration (`bootstrap/Pulumi.<stack>.yaml`, namespace `fitness-bootstrap:`):
 * one stack per AWS account. Validated before anything is registered, one line per problem.
 */
export const BOOTSTRAP_PROJECT = "fitness-bootstrap";

const GITHUB_REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;
const knownServices = SERVICE_LINKED_ROLES.map((s) => s.service);

export const bootstrapConfigSchema = z.strictObject({
  environment: z.enum(["dev", "prod"], { message: "allowed: dev, prod" }),
  /** The platform project whose stacks this account runs (names and the deploy roles' scope). */
  platformProject: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: "allowed: a lower-case Pulumi project name" }).default("fitness-platform"),
  github: z.strictObject({
    repository: z.string().regex(GITHUB_REPOSITORY, { message: "allowed: <owner>/<name> of the GitHub repository" }),
    /** The GitHub environment whose jobs may deploy (required reviewers guard prod there). */
    deployEnvironment: z.string().regex(/^[A-Za-z0-9_.-]{1,255}$/, { message: "allowed: a GitHub environment name" }),
  }),
  /** Account-wide singletons that already exist: adopted by import instead of created (CreateX would fail). */
  adopt: z
    .strictObject({
      serviceLinkedRoles: z.array(z.enum(knownServices as [string, ...string[]], { message: `allowed: ${knownServices.join(", ")}` })).default([]),
      githubOidcProvider: z.boolean().default(false),
    })
    .default({ serviceLinkedRoles: [], githubOidcProvider: false }),
});
export type BootstrapConfig = z.infer<typeof bootstrapConfigSchema>;

const awsSchema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { message: "allowed: an AWS region such as eu-central-1" }),
  allowedAccountIds: z.array(z.string().regex(/^\d{12}$/)).length(1, { message: "allowed: exactly one 12-digit account id (the account this bootstrap prepares)" }),
  profile: z.string().optional(),
});

export interface LoadedBootstrap {
  readonly stack: string;
  readonly region: string;
  readonly accountId: string;
  readonly config: BootstrapConfig;
}

function decode(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Pure: raw `<namespace>:<key>` config in, the typed config or every problem as one line each out. */
export function validateBootstrapConfig(stack: string, raw: Readonly<Record<string, string>>): LoadedBootstrap {
  const mine: Record<string, unknown> = {};
  const aws: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [fullKey, value] of Object.entries(raw)) {
    const [ns, key] = fullKey.split(":", 2);
    if (ns === BOOTSTRAP_PROJECT && key !== undefined) mine[key] = decode(value);
    else if (ns === "aws" && key !== undefined) aws[key] = decode(value);
    else problems.push(`stack "${stack}": ${fullKey}: unknown key; allowed: ${BOOTSTRAP_PROJECT}:*, aws:*`);
  }
  const parsed = bootstrapConfigSchema.safeParse(mine);
  const parsedAws = awsSchema.safeParse(aws);
  for (const [ns, result] of [[BOOTSTRAP_PROJECT, parsed], ["aws", parsedAws]] as const) {
    if (result.success) continue;
    for (const issue of result.error.issues) {
      const [top, ...rest] = issue.path.map(String);
      const where = `${ns}:${top ?? "(root)"}${rest.length > 0 ? `.${rest.join(".")}` : ""}`;
      problems.push(`stack "${stack}": ${where}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success || !parsedAws.success) throw new ConfigError(problems);
  return { stack, region: parsedAws.data.region, accountId: parsedAws.data.allowedAccountIds[0] ?? "", config: parsed.data };
}

export function loadBootstrapConfig(): LoadedBootstrap {
  return validateBootstrapConfig(pulumi.getStack(), pulumi.runtime.allConfig());
}
