import { describe, expect, it } from "vitest";
import { exceptionProblems } from "../../policy/dmz/egr-01-egress-exceptions";
import { hostProblem } from "../../src/dmz/egress-register";

const exception = (host: string) => ({
  host,
  zones: ["app"],
  services: [],
  reason: "Pull the vendor's SDK during setup",
  ticket: "OPS-1",
  owner: "ops@example.com",
  granted: "2026-11-20",
  expires: "2026-12-10",
});

describe("EGR-01 and EGR-02 refuse public suffixes and AWS service domains (Public Suffix List via tldts)", () => {
  it.each([
    [".co.uk", "public suffix"],
    ["co.uk", "public suffix"],
    [".github.io", "public suffix"],
    [".s3.amazonaws.com", "AWS's service domain amazonaws.com"],
    [".amazonaws.com", "AWS's service domain amazonaws.com"],
    ["sqs.eu-central-1.amazonaws.com", "AWS's service domain amazonaws.com"],
    ["mirror.corp.internal", "public suffix"],
  ])("%s", (host, reason) => {
    expect(hostProblem(host)).toContain(reason);
    expect(exceptionProblems(exception(host), "2026-11-24", 30).join(" ")).toContain(reason);
  });

  it.each([".pypi.org", "files.pythonhosted.org", "example.co.uk", "acme.github.io"])("admits %s", (host) => {
    expect(hostProblem(host)).toBeUndefined();
    expect(exceptionProblems(exception(host), "2026-11-24", 30)).toEqual([]);
  });
});
