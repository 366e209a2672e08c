import * as pulumi from "@pulumi/pulumi";
import { permissionsBoundaryArn } from "../account/permissions-boundary";
import { partitionOf } from "./arn";
import { DURABILITY, type DurabilityProfile } from "./durability";
import { boundedName, bucketName, physicalName } from "./naming";
import { platformTags, type TagTarget } from "./tags";

/**
 * What every component needs to know about the stack it belongs to. Built once by the composition
 * root, so naming and tagging cannot drift between components.
 */
export interface PlatformContext {
  readonly project: string;
  readonly stack: string;
  readonly environment: "dev" | "prod";
  readonly region: string;
  readonly accountId: pulumi.Output<string>;
  /** The stack's account (`aws:allowedAccountIds`, which the provider enforces), known before deploy. */
  readonly account: string;
  readonly isProd: boolean;
  /** What survives a destroy in this environment (dev disposable, prod protected). */
  readonly durability: DurabilityProfile;
  /** `<project>-<stack>-<component>[-<thing>]`, optionally cut to an AWS length limit. */
  name(component: string, thing?: string, maxLength?: number): string;
  tags(target: TagTarget, name?: string): Record<string, string>;
  /** The ARN of a service-linked role the platform reads (src/account/prerequisites.ts), e.g. `autoscaling.amazonaws.com`. */
  serviceLinkedRoleArn(service: string): pulumi.Output<string>;
  /** The S3 bucket name of `<component>-<thing>`: carries the account id (src/conventions/naming.ts). */
  bucketName(component: string, thing?: string, prefix?: string): string;
  /**
   * The ARN of the permissions boundary every role of the platform carries (`permissionsBoundary`): the
   * bootstrap layer creates it (src/account/permissions-boundary.ts), and the deploy role may write role
   * permissions only on roles that carry it.
   */
  readonly permissionsBoundary: string;
}

export function createContext(args: {
  project: string;
  stack: string;
  environment: "dev" | "prod";
  region: string;
  /** From `aws:allowedAccountIds` (exactly one). */
  accountId: string;
  /** Service principal → ARN of its service-linked role, as read by AccountPrerequisites. */
  serviceLinkedRoles?: Readonly<Record<string, pulumi.Output<string>>>;
}): PlatformContext {
  const scope = { project: args.project, stack: args.stack };
  return {
    ...args,
    accountId: pulumi.output(args.accountId),
    account: args.accountId,
    isProd: args.environment === "prod",
    durability: DURABILITY[args.environment],
    serviceLinkedRoleArn: (service) => {
      const arn = args.serviceLinkedRoles?.[service];
      if (arn === undefined) throw new Error(`the service-linked role of ${service} was not read before use (src/account/prerequisites.ts)`);
      return arn;
    },
    bucketName: (component, thing, prefix) => bucketName({ ...scope, accountId: args.accountId }, component, thing, prefix),
    permissionsBoundary: permissionsBoundaryArn({ partition: partitionOf(args.region), accountId: args.accountId, ...scope }),
    name: (component, thing, maxLength) => {
      const full = physicalName(scope, component, thing);
      return maxLength === undefined ? full : boundedName(full, maxLength);
    },
    tags: (target, name) => platformTags({ project: args.project, environment: args.environment }, target, name),
  };
}
