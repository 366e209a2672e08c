import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * CODEOWNERS gives the waivers (policy/config/**) and the egress exceptions (the stack files) to the
 * security reviewers. Matched as GitHub does for these anchored patterns: a leading "/" anchors to the
 * root, a trailing "/" covers everything below, "*" everything; the last matching line wins.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const lines = fs
  .readFileSync(path.join(ROOT, ".github", "CODEOWNERS"), "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"))
  .map((l) => {
    const [pattern = "", ...owners] = l.split(/\s+/);
    return { pattern, owners };
  });

function ownersOf(file: string): string[] {
  let owners: string[] = [];
  for (const { pattern, owners: o } of lines) {
    const anchored = pattern.replace(/^\//, "");
    const matches = pattern === "*" || (pattern.endsWith("/") ? file.startsWith(anchored) : file === anchored);
    if (matches) owners = o;
  }
  return owners;
}

describe("CODEOWNERS", () => {
  it.each(["policy/config/dev.json", "policy/config/prod.json", "Pulumi.dev.yaml", "Pulumi.prod.yaml", ".github/CODEOWNERS"])("makes the security reviewers own %s", (file) => {
    const owners = ownersOf(file);
    expect(owners).toContain("@fitness-platform/security-reviewers");
    // Named people, not only a team: the second reviewer is someone in particular.
    expect(owners.filter((o) => !o.includes("/")).length).toBeGreaterThanOrEqual(2);
  });

  it("leaves the rest to the platform team", () => {
    expect(ownersOf("src/index.ts")).toEqual(["@fitness-platform/platform-engineers"]);
    expect(ownersOf("policy/iam/iam-01-least-privilege.ts")).toEqual(["@fitness-platform/platform-engineers"]);
  });

  it("names only files that exist", () => {
    for (const { pattern } of lines.filter((l) => l.pattern !== "*")) expect(fs.existsSync(path.join(ROOT, pattern.replace(/^\//, ""))), pattern).toBe(true);
  });
});
