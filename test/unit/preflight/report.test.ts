import { describe, expect, it } from "vitest";
import { preflightActions, preflightPolicyDocument } from "../../../src/preflight/permissions";
import { renderReport } from "../../../src/preflight/report";
import type { Finding } from "../../../src/preflight/types";

const findings: Finding[] = [
  { check: "amis", severity: "error", problem: "ami-1 does not exist", action: "pin another" },
  { check: "ses", severity: "warning", problem: "sandbox", action: "request production access" },
];
const input = { stack: "prod", accountId: "222222222222", region: "eu-central-1", checks: ["amis", "ses"], findings };

describe("report", () => {
  it("text: one line per finding in the documented form, grouped by severity", () => {
    expect(renderReport(input, "text")).toBe(
      ["errors (1):", 'stack "prod": amis: ami-1 does not exist; pin another', "warnings (1):", 'stack "prod": ses: sandbox; request production access', ""].join("\n"),
    );
  });
  it("text: says so when there is nothing to report", () => {
    expect(renderReport({ ...input, findings: [] }, "text")).toBe('stack "prod": preflight passed: 2 checks against account 222222222222 in eu-central-1, no findings\n');
  });
  it("json: the same findings with their lines and a summary, byte-identical for the same input", () => {
    const json = renderReport(input, "json");
    expect(JSON.parse(json)).toMatchObject({ summary: { errors: 1, warnings: 1 }, findings: [{ line: 'stack "prod": amis: ami-1 does not exist; pin another' }, { severity: "warning" }] });
    expect(renderReport(input, "json")).toBe(json);
  });
});

describe("permissions", () => {
  it("is one read-only statement over the sorted, unique actions", () => {
    const doc = preflightPolicyDocument();
    expect(doc.Version).toBe("2012-10-17");
    expect(doc.Statement).toEqual([{ Sid: "PreflightReadOnly", Effect: "Allow", Action: preflightActions(), Resource: "*" }]);
    expect(preflightActions()).toEqual([...new Set(preflightActions())].sort());
    expect(preflightActions().some((a) => /:(Put|Create|Delete|Update|Tag|Attach)/.test(a))).toBe(false);
  });
});
