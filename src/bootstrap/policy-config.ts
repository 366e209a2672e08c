/**
 * The policy pack's configuration for the bootstrap stack of an account: the platform stack's own file
 * (policy/config/<stack>.json) with the policies of the bootstrap's accepted findings made advisory.
 * A mandatory violation fails `pulumi up` ("mandatory, which results in an error after pulumi preview or
 * pulumi up completes", pulumi/pulumi-policy README), and the bootstrap has findings by design
 * (docs/decisions.md, "The bootstrap under the policy pack"), so with the platform's file its first
 * `pulumi up --policy-pack` could never complete. Which findings are accepted stays pinned by
 * test/program/day0-bootstrap-audit.test.ts, which fails on any other, advisory or not.
 *
 *   npx tsx src/bootstrap/policy-config.ts --write    # regenerates policy/config/bootstrap-<stack>.json
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { repositoryRoot } from "../conventions/repository-root";

/**
 * Account-level detective controls (the platform stack of the account creates them), IAM-01 (the deploy
 * role's service wildcards, the boundary's ceiling), IAM-03 (the CI roles), S3-02/S3-03 (the package mirror).
 */
export const BOOTSTRAP_ADVISORY = ["DET-01", "DET-02", "DET-03", "DET-04", "DET-05", "LOG-01", "IAM-01", "IAM-03", "S3-02", "S3-03"] as const;

export const BOOTSTRAP_STACKS = ["dev", "prod"] as const;

const configDir = (root: string) => path.join(root, "policy", "config");
export const bootstrapConfigFile = (root: string, stack: string) => path.join(configDir(root), `bootstrap-${stack}.json`);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Pure: the platform stack's policy config → the bootstrap's: the same settings, the accepted policies
 * advisory, and no waivers (they name platform resources; the expiry job reads each waiver once).
 */
export function bootstrapPolicyConfig(stackConfig: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, settings] of Object.entries(stackConfig)) {
    if (!isObject(settings)) out[id] = settings;
    else out[id] = Object.fromEntries(Object.entries(settings).filter(([key]) => key !== "waivers"));
  }
  for (const id of BOOTSTRAP_ADVISORY) out[id] = { ...(isObject(out[id]) ? out[id] : {}), enforcementLevel: "advisory" };
  return out;
}

export function renderBootstrapPolicyConfig(root: string, stack: string): string {
  const stackConfig = JSON.parse(fs.readFileSync(path.join(configDir(root), `${stack}.json`), "utf8")) as Record<string, unknown>;
  return `${JSON.stringify(bootstrapPolicyConfig(stackConfig), null, 2)}\n`;
}

if (require.main === module) {
  const root = repositoryRoot(__dirname);
  for (const stack of BOOTSTRAP_STACKS) {
    const text = renderBootstrapPolicyConfig(root, stack);
    if (process.argv.includes("--write")) fs.writeFileSync(bootstrapConfigFile(root, stack), text);
    else process.stdout.write(text);
  }
}
