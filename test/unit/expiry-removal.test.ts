import { describe, expect, it } from "vitest";
import { removeExpiredExceptions } from "../../src/offline/expiry/remove-expired";

const STACK = `# dev stack
config:
  fitness-platform:egress:
    maxLifetimeDays: 30
    # Temporary internet access, proxied.
    exceptions:
      - host: .pypi.org # setup
        zones: [app]
        ticket: OPS-1
        granted: 2026-11-01
        expires: 2026-11-20
      - host: .npmjs.org
        zones: [app]
        ticket: OPS-2
        granted: "2026-11-25"
        expires: "2026-12-10"
  fitness-platform:environment: dev
`;

describe("removing expired egress exceptions (the scheduled job's pull request)", () => {
  it("drops only entries whose last day has passed, unquoted dates included, and keeps comments and layout", () => {
    const { text, removed } = removeExpiredExceptions(STACK, "fitness-platform", "2026-12-03");
    expect(removed).toEqual([".pypi.org (OPS-1) expired 2026-11-20"]);
    expect(text).not.toContain(".pypi.org");
    expect(text).toContain("# Temporary internet access, proxied.");
    expect(text).toContain('    exceptions:\n      - host: .npmjs.org\n        zones: [ app ]\n        ticket: OPS-2\n        granted: "2026-11-25"\n        expires: "2026-12-10"\n');
    expect(text).toContain("  fitness-platform:environment: dev\n");
  });

  it("keeps an exception on its last day and leaves a file without expired entries byte-identical", () => {
    expect(removeExpiredExceptions(STACK, "fitness-platform", "2026-11-20")).toEqual({ text: STACK, removed: [] });
    expect(removeExpiredExceptions("config:\n  aws:region: eu-central-1\n", "fitness-platform", "2030-01-01").removed).toEqual([]);
  });
});
