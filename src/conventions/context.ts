import type * as pulumi from "@pulumi/pulumi";
import { boundedName, physicalName } from "./naming";
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
  readonly isProd: boolean;
  /** `<project>-<stack>-<component>[-<thing>]`, optionally cut to an AWS length limit. */
  name(component: string, thing?: string, maxLength?: number): string;
  tags(target: TagTarget, name?: string): Record<string, string>;
}

export function createContext(args: {
  project: string;
  stack: string;
  environment: "dev" | "prod";
  region: string;
  accountId: pulumi.Output<string>;
}): PlatformContext {
  const scope = { project: args.project, stack: args.stack };
  return {
    ...args,
    isProd: args.environment === "prod",
    name: (component, thing, maxLength) => {
      const full = physicalName(scope, component, thing);
      return maxLength === undefined ? full : boundedName(full, maxLength);
    },
    tags: (target, name) => platformTags({ project: args.project, environment: args.environment }, target, name),
  };
}
