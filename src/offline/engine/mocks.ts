import type * as pulumi from "@pulumi/pulumi";
import { parseProviderReference } from "../snapshot/urn";
import { mockInvoke } from "./invokes";
import type { Recorder } from "./recorder";
import { mockResource } from "./resources";
import type { PulumiConfig } from "./stack-config";

/** The account used when the stack config does not pin one (`aws:allowedAccountIds`). */
export const DEFAULT_ACCOUNT = "123456789012";
const DEFAULT_REGION = "us-east-1";

function parseJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(record(value)).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** The AWS settings a resource or function call sees through its provider. */
interface ProviderSettings {
  readonly region: string;
  readonly account: string;
  readonly defaultTags: Record<string, string>;
}

function settingsFrom(values: Record<string, unknown>, fallback: ProviderSettings): ProviderSettings {
  const accounts = parseJson(values.allowedAccountIds);
  const account = Array.isArray(accounts) && typeof accounts[0] === "string" ? accounts[0] : fallback.account;
  return {
    region: typeof values.region === "string" && values.region !== "" ? values.region : fallback.region,
    account,
    defaultTags: stringRecord(record(parseJson(values.defaultTags)).tags),
  };
}

/**
 * The mocks handed to `pulumi.runtime.setMocks`: ids, states and function results that look like the
 * real cloud's, derived from the resource's URN and its provider's region and account.
 */
export function createMocks(recorder: Recorder, config: PulumiConfig): pulumi.runtime.Mocks {
  const awsConfig: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config.values)) {
    if (key.startsWith("aws:")) awsConfig[key.slice(4)] = value;
  }
  const stackDefaults = settingsFrom(awsConfig, { region: DEFAULT_REGION, account: DEFAULT_ACCOUNT, defaultTags: {} });

  const settingsOf = (providerRef: string | undefined): ProviderSettings => {
    if (providerRef === undefined || providerRef === "") return stackDefaults;
    const explicit = recorder.registrations.get(parseProviderReference(providerRef).urn);
    if (explicit === undefined) return stackDefaults;
    return settingsFrom(explicit.inputs, { ...stackDefaults, defaultTags: {} });
  };

  return {
    newResource(args) {
      const registration = recorder.current;
      if (registration === undefined) {
        throw new Error(`offline engine: ${args.type} "${args.name}" reached the mocks outside a registration (unsupported @pulumi/pulumi version?)`);
      }
      if (args.custom !== true) return { id: undefined, state: { ...(args.inputs as Record<string, unknown>) } };
      const settings = settingsOf(args.provider);
      const mocked = mockResource({
        type: args.type,
        name: args.name,
        urn: registration.urn,
        inputs: record(args.inputs),
        region: settings.region,
        account: settings.account,
        defaultTags: settings.defaultTags,
      });
      // A read (`.get`) keeps the id it asked for.
      return { id: registration.external ? registration.id : mocked.id, state: mocked.state };
    },
    call(args) {
      const settings = settingsOf(args.provider);
      return mockInvoke(args.token, record(args.inputs), {
        region: settings.region,
        account: settings.account,
        warn: (message) => recorder.warn(message),
      });
    },
  };
}
