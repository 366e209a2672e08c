import { describe, expect, it } from "vitest";
import { DatedEntryError, egressExceptions, parseDocument, waivers } from "../../src/offline/expiry/dated-entries";
import { daysLeft, describe as describeEntry, expiringWithin } from "../../src/offline/expiry/expiring";

const stackConfig = `
config:
  fitness-platform:egress:
    exceptions:
      - host: .pypi.org
        ticket: OPS-1
        expires: 2031-01-08
      - host: .debian.org
        ticket: OPS-2
        expires: "2031-02-01"
`;

describe("dated entries", () => {
  it("reads the egress exceptions of a stack config, quoted or unquoted dates alike", () => {
    const entries = egressExceptions("Pulumi.dev.yaml", parseDocument("Pulumi.dev.yaml", stackConfig), "fitness-platform");
    expect(entries).toEqual([
      { kind: "egress exception", file: "Pulumi.dev.yaml", path: "fitness-platform:egress.exceptions[0].expires", what: ".pypi.org, OPS-1", expires: "2031-01-08" },
      { kind: "egress exception", file: "Pulumi.dev.yaml", path: "fitness-platform:egress.exceptions[1].expires", what: ".debian.org, OPS-2", expires: "2031-02-01" },
    ]);
    expect(egressExceptions("Pulumi.x.yaml", { config: {} }, "fitness-platform")).toEqual([]);
  });

  it("finds waivers under their policy, wherever the policy config nests them", () => {
    const config = {
      "s3-01-public-access-block": { enforcementLevel: "mandatory", waivers: [{ resource: "edge-logs", approver: "a", reason: "r", expiry: "2031-01-02" }] },
      "net-01": { waivers: [{ policy: "NET-01", resource: "stack", expiry: "2031-03-01" }] },
    };
    expect(waivers("policy/config/dev.json", config).map((w) => [w.what, w.path, w.expires])).toEqual([
      ["s3-01-public-access-block for edge-logs", "s3-01-public-access-block.waivers[0].expiry", "2031-01-02"],
      ["NET-01 for stack", "net-01.waivers[0].expiry", "2031-03-01"],
    ]);
  });

  it("rejects a date that is not one, naming the file and key", () => {
    expect(() => waivers("policy/config/dev.json", { p: { waivers: [{ expiry: "2031-02-30" }] } })).toThrow(
      new DatedEntryError('policy/config/dev.json: p.waivers[0].expiry: "2031-02-30" is not a date; allowed: YYYY-MM-DD'),
    );
    expect(() => egressExceptions("Pulumi.dev.yaml", { config: { "fitness-platform:egress": { exceptions: [{ host: "a.example" }] } } }, "fitness-platform")).toThrow(
      "Pulumi.dev.yaml: fitness-platform:egress.exceptions[0].expires: null is not a date",
    );
    expect(() => parseDocument("policy/config/dev.json", "{")).toThrow(/^policy\/config\/dev.json: not valid JSON/);
  });
});

describe("expiring within a window", () => {
  const entry = (expires: string) => ({ kind: "policy waiver" as const, file: "f", path: "p", what: "w", expires });

  it("counts whole days, expiry day inclusive", () => {
    expect(daysLeft("2031-01-01", "2031-01-08")).toBe(7);
    expect(daysLeft("2031-03-30", "2031-03-31")).toBe(1);
    expect(daysLeft("2031-01-02", "2031-01-01")).toBe(-1);
  });

  it("selects what expires within the window or has expired, soonest first", () => {
    const picked = expiringWithin([entry("2031-01-09"), entry("2031-01-08"), entry("2030-12-31"), entry("2031-01-01")], "2031-01-01", 7);
    expect(picked.map((e) => [e.expires, e.daysLeft])).toEqual([
      ["2030-12-31", -1],
      ["2031-01-01", 0],
      ["2031-01-08", 7],
    ]);
    expect(picked.map(describeEntry)).toEqual([
      "policy waiver w expired on 2030-12-31 (1 day ago): f p",
      "policy waiver w expires today (2031-01-01): f p",
      "policy waiver w expires on 2031-01-08, in 7 days: f p",
    ]);
  });
});
