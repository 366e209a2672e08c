import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "./schema";
import { type PlatformConfig, validatePlatformConfig } from "./validate";

/** The repository root: config paths (the catalog) are relative to it, wherever Pulumi runs from. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

const DEFAULT_CATALOG = "src/config/catalog.yaml";

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
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
    catalogText: readText(path.resolve(PROJECT_ROOT, catalogFile)),
    now,
  });
}
