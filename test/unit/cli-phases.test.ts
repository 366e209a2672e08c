import { describe, expect, it } from "vitest";
import { phaseReporter } from "../../src/offline/cli/phases";

describe("phase reporting of long commands", () => {
  it("prints each phase as it starts, and closes a CI log group even when the phase fails", async () => {
    const lines: string[] = [];
    const plain = phaseReporter("synth dev", (l) => lines.push(l), {});
    expect(await plain.run("evaluating", () => 42)).toBe(42);
    expect(lines).toEqual(["synth dev: evaluating ..."]);

    lines.length = 0;
    const ci = phaseReporter("synth dev", (l) => lines.push(l), { CI: "true" });
    await expect(
      ci.run("writing", () => {
        lines.push("inside");
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    expect(lines).toEqual(["::group::synth dev: writing", "inside", "::endgroup::"]);
  });
});
