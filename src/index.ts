/**
 * Composition root: reads and validates the stack's configuration, then builds the platform's
 * components in dependency order and exports the stack outputs. No logic of its own lives here.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadPlatformConfig } from "./config/load";
import { createContext } from "./conventions/context";

async function main(): Promise<Record<string, unknown>> {
  // Validation throws a ConfigError (one line per problem) before any resource is registered.
  const platform = loadPlatformConfig();
  const { config } = platform;
  const ctx = createContext({
    project: pulumi.getProject(),
    stack: platform.stack,
    environment: config.environment,
    region: platform.aws.region,
    accountId: aws.getCallerIdentityOutput().accountId,
  });

  return {
    environment: ctx.environment,
    region: ctx.region,
    services: Object.keys(platform.catalog.services),
    liveEgressExceptions: platform.liveEgressExceptions.map((ex) => `${ex.host} until ${ex.expires} (${ex.ticket})`),
  };
}

export = main;
