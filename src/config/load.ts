import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { readBoundedText } from "./bounded-file";
import { InputError } from "./input-error";
import { PROJECT } from "./schema";
import { type PlatformConfig, validatePlatformConfig } from "./validate";
import { YAML_LIMITS } from "./yaml-reader";
import { repositoryRoot } from "../conventions/repository-root";

/** The repository root: config paths (the catalog) are relative to it, wherever Pulumi runs from. */
export const PROJECT_ROOT = repositoryRoot(__dirname);

const DEFAULT_CATALOG = "src/config/catalog.yaml";

/** The catalog's text, or why it cannot be read (missing, not a regular file, larger than the YAML limit). */
function catalogInput(file: string): { catalogText: string | undefined; catalogUnreadable?: string } {
  try {
    return { catalogText: readBoundedText(file, YAML_LIMITS.maxBytes, "service catalog") };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { catalogText: undefined, catalogUnreadable: err.problem };
  }
}

/**
 * Keys the CLI marked secret. The SDK has no public accessor; the CLI hands them to every language host
 * in this environment variable (and `setAllConfig` writes it too), so reading it is the stable contract.
 */
function configSecretKeys(): Set<string> {
  try {
    const keys: unknown = JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]");
    return new Set(Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string") : []);
  } catch {
    return new Set();
  }
}

/** Reads this stack's Pulumi config and service catalog, and validates both before anything is registered. */
export function loadPlatformConfig(now: Date = new Date()): PlatformConfig {
  const config = pulumi.runtime.allConfig();
  const secretKeys = configSecretKeys();
  const catalogFile = config[`${PROJECT}:catalogFile`] ?? DEFAULT_CATALOG;
  return validatePlatformConfig({
    stack: pulumi.getStack(),
    config,
    secretKeys,
    catalogFile,
    ...catalogInput(path.resolve(PROJECT_ROOT, catalogFile)),
    now,
  });
}
