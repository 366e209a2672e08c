import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { validatePlatformConfig } from "../../src/config/validate";
import { parseYaml } from "../../src/config/yaml-reader";
import { egressExceptions, parseDocument } from "../../src/offline/expiry/dated-entries";
import { removeExpiredExceptions } from "../../src/offline/expiry/remove-expired";
import { committedCatalogText, committedConfigData, encodeConfig } from "../support/stack-config";

/**
 * The egress-exception example the README sends users to (docs/runbooks/egress-exception.md, unquoted
 * dates) must mean the same to every tool: synth's configuration, `npm run expiry` and the removal job.
 * Regression: synth's reader once typed the dates as timestamps and rejected them while expiry accepted them.
 */
const ROOT = path.join(__dirname, "..", "..");
const runbook = readFileSync(path.join(ROOT, "docs", "runbooks", "egress-exception.md"), "utf8");
const block = /```yaml\n([\s\S]*?fitness-platform:egress:[\s\S]*?)```/.exec(runbook)?.[1] ?? "";
const example = (parseYaml(block.replace(/^ {3}/gm, "").replace("proxy: { ... }", "proxy: {}"), "runbook example") as Record<string, { exceptions: Record<string, unknown>[] }>)["fitness-platform:egress"];

describe("the README's egress exception example, unquoted dates and all", () => {
  it("is read with its dates as text, as the Pulumi CLI reads them", () => {
    expect(example?.exceptions[0]).toMatchObject({ host: ".pypi.org", granted: "2026-11-20", expires: "2026-12-04" });
  });

  it("is accepted by synth's configuration on a day it is live, and live", () => {
    const config = committedConfigData("dev") as Record<string, Record<string, unknown>>;
    (config["fitness-platform:egress"] as Record<string, unknown>).exceptions = example?.exceptions;
    const result = validatePlatformConfig({ stack: "dev", config: encodeConfig(config), catalogFile: "src/config/catalog.yaml", catalogText: committedCatalogText(), now: new Date("2026-11-24T12:00:00Z") });
    expect(result.liveEgressExceptions.map((e) => `${e.host} ${e.granted}..${e.expires}`)).toEqual([".pypi.org 2026-11-20..2026-12-04"]);
  });

  it("has the same expiry for npm run expiry and for the removal job", () => {
    const stackText = `config:\n  fitness-platform:egress:\n    exceptions:\n${block
      .split("\n")
      .filter((l) => /^\s+(- host|\w+):/.test(l) && !/fitness-platform:egress|maxLifetimeDays|proxy|exceptions:/.test(l))
      .map((l) => `  ${l.replace(/^ {3}/, "").replace(/\s+#.*$/, "")}`)
      .join("\n")}\n`;
    const [entry] = egressExceptions("Pulumi.dev.yaml", parseDocument("Pulumi.dev.yaml", stackText), "fitness-platform");
    expect(entry?.expires).toBe("2026-12-04");
    expect(removeExpiredExceptions(stackText, "fitness-platform", "2026-12-04").removed).toEqual([]);
    expect(removeExpiredExceptions(stackText, "fitness-platform", "2026-12-05").removed).toEqual([".pypi.org (OPS-123) expired 2026-12-04"]);
  });
});
