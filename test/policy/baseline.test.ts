import { describe, expect, it } from "vitest";
import { audit } from "./support/audit";
import { compliantStack } from "./support/fixture-stack";
import { FIRST_SET } from "./support/first-set";

/** The hand-built compliant stack is the baseline every crafted violation starts from: it must be clean. */
describe("the compliant fixture stack", () => {
  it("passes every policy of the first set, with nothing left unchecked", async () => {
    const result = await audit(compliantStack().fx, FIRST_SET);
    expect(result.violations).toEqual([]);
    expect(result.summary.passed).toBe(true);
  });

  it("is actually evaluated by every policy (none is silently not applicable)", async () => {
    const result = await audit(compliantStack().fx, FIRST_SET);
    for (const p of result.policies.filter((r) => r.id !== "GOV-01")) {
      expect(p.notApplicable, p.id).toBeUndefined();
      expect(p.scope.resources, p.id).toBeGreaterThan(0);
    }
  });
});
