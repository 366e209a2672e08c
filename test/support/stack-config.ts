import * as fs from "node:fs";
import * as path from "node:path";
import { readYamlFile } from "../../src/config/yaml-reader";

export const ROOT = path.resolve(__dirname, "..", "..");

/** A committed stack file's config, as the Pulumi CLI hands it to a program (objects JSON-encoded). */
export function committedConfig(stack: string): Record<string, string> {
  const doc = readYamlFile(path.join(ROOT, `Pulumi.${stack}.yaml`)) as { config: Record<string, unknown> };
  return Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** The same config as plain data, for tests that edit it before encoding. */
export function committedConfigData(stack: string): Record<string, unknown> {
  const doc = readYamlFile(path.join(ROOT, `Pulumi.${stack}.yaml`)) as { config: Record<string, unknown> };
  return structuredClone(doc.config);
}

export function encodeConfig(data: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

export function committedCatalogText(): string {
  return fs.readFileSync(path.join(ROOT, "src/config/catalog.yaml"), "utf8");
}
