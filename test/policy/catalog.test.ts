import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { DECISIONS } from "../../policy/framework/metadata";
import { policyRegistry } from "../../policy/registry";
import { CATALOG_FILE, renderCatalog } from "../../src/offline/audit/policy-catalog";

/** Every rule of the pack carries the metadata auditors trace it by, and docs/policies.md lists it. */
describe("the policy registry", () => {
  it("gives every policy a unique id, severity, decisions, description and remediation", () => {
    const ids = policyRegistry.map((p) => p.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { meta, policy } of policyRegistry) {
      expect(meta.id, meta.id).toMatch(/^[A-Z0-9]+-\d{2}$/);
      expect(policy.name).toBe(meta.id);
      expect(["critical", "high", "medium"]).toContain(meta.severity);
      expect(meta.decisions.length, meta.id).toBeGreaterThan(0);
      for (const d of meta.decisions) expect(DECISIONS).toContain(d);
      // Architecture-level rules (★ in controls.md) may have no public control to map to.
      expect(meta.controls, meta.id).toBeTypeOf("object");
      expect(meta.description.length, meta.id).toBeGreaterThan(40);
      expect(meta.remediation.length, meta.id).toBeGreaterThan(20);
      expect(policy.configSchema?.properties, meta.id).toHaveProperty("waivers");
    }
  });

  it("closes with GOV-01, which judges the waivers the others recorded", () => {
    const stackPolicies = policyRegistry.filter((p) => p.kind === "stack");
    expect(stackPolicies[stackPolicies.length - 1]?.meta.id).toBe("GOV-01");
  });

  it("is listed in docs/policies.md (refresh with `npx tsx src/offline/audit/policy-catalog.ts --write`)", () => {
    expect(fs.readFileSync(CATALOG_FILE, "utf8")).toContain(renderCatalog(policyRegistry));
  });
});
