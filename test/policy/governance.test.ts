import { describe, expect, it } from "vitest";
import { ec2NoSsh } from "../../policy/ec2/ec2-04-no-ssh";
import { net11AdminPorts } from "../../policy/network/net-11-admin-ports";
import { s3AclsAndPrincipals } from "../../policy/s3/s3-04-acls-and-principals";
import { audit, findings, messages } from "./support/audit";
import { compliantStack, type CompliantStack } from "./support/fixture-stack";

/** A stack with one S3-04 (high) violation on bucket "logs" and one EC2-04 (medium) on instance "app-host". */
function violating(): CompliantStack {
  const s = compliantStack();
  const ownership = s.fx.toExport().deployment.resources.find((r) => r.urn.endsWith("::logs-ownership"));
  s.fx.update({ ...s.bucket, urn: ownership?.urn ?? "" }, (i) => {
    i["rule"] = { objectOwnership: "ObjectWriter" };
  });
  s.fx.update(s.appInstance, (i) => {
    i["keyName"] = "legacy";
  });
  return s;
}

const POLICIES = [s3AclsAndPrincipals, ec2NoSsh];
const WAIVER = { resource: "logs", finding: "acls enabled", reason: "vendor tool writes with ACLs until its upgrade", approver: "alice@example.com", expiry: "2030-12-31", ticket: "SEC-42" };

describe("GOV-01 waivers", () => {
  it("suppresses a violation with a valid waiver and lists the waiver as applied", async () => {
    const s = violating();
    const result = await audit(s.fx, POLICIES, { config: { "S3-04": { waivers: [WAIVER] }, "EC2-04": { waivers: [{ resource: s.appInstance.urn, finding: "key pair legacy", reason: "migration host", approver: "bob@example.com" }] } } });
    expect(result.violations).toEqual([]);
    expect(result.summary).toMatchObject({ passed: true, waived: 2 });
    expect(result.waivers.map((w) => [w.policy, w.resource, w.status])).toEqual([
      ["EC2-04", s.appInstance.urn, "applied"],
      ["S3-04", "logs", "applied"],
    ]);
    expect(result.waivers[1]?.suppressed[0]?.message).toContain('bucket "logs" does not disable ACLs');
    expect(result.policies.find((p) => p.id === "S3-04")?.waived).toBe(1);
  });

  it("fails an expired waiver and does not honour it", async () => {
    const result = await audit(violating().fx, POLICIES, { config: { "S3-04": { waivers: [{ ...WAIVER, expiry: "2030-06-14" }] } } });
    expect(messages(result, "GOV-01")).toEqual(['waiver of S3-04 for "logs" (finding "acls enabled") approved by alice@example.com is invalid: it expired on 2030-06-14.']);
    expect(messages(result, "S3-04")).toEqual([
      'bucket "logs" does not disable ACLs (ownership controls with objectOwnership "BucketOwnerEnforced"). [waiver not honoured (GOV-01): it expired on 2030-06-14]',
    ]);
    expect(result.waivers[0]?.status).toBe("invalid");
  });

  it("holds a waiver through its expiry day", async () => {
    const result = await audit(violating().fx, [s3AclsAndPrincipals], { config: { "S3-04": { waivers: [{ ...WAIVER, expiry: "2030-06-15" }] } } });
    expect(result.violations).toEqual([]);
  });

  it("requires an expiry on critical and high rules only, and a reason and an approver on all", async () => {
    const s = violating();
    const noExpiry: Record<string, string> = { ...WAIVER };
    delete noExpiry["expiry"];
    const result = await audit(s.fx, POLICIES, {
      config: { "S3-04": { waivers: [noExpiry] }, "EC2-04": { waivers: [{ resource: "app-host", finding: "key pair legacy" }] } },
    });
    expect(messages(result, "GOV-01")).toEqual([
      'waiver of EC2-04 for "app-host" (finding "key pair legacy") is invalid: it has no reason; it has no approver.',
      'waiver of S3-04 for "logs" (finding "acls enabled") approved by alice@example.com is invalid: it has no expiry, which a high rule requires.',
    ]);
    expect(result.summary.passed).toBe(false);
  });

  it("accepts a medium rule's waiver without expiry", async () => {
    const s = violating();
    const result = await audit(s.fx, [ec2NoSsh], { config: { "EC2-04": { waivers: [{ resource: "app-host", finding: "key pair legacy", reason: "break-glass host", approver: "bob@example.com" }] } } });
    expect(result.violations).toEqual([]);
    expect(result.waivers[0]?.status).toBe("applied");
  });

  it("reports a valid waiver that matches nothing as unused", async () => {
    const result = await audit(compliantStack().fx, POLICIES, { config: { "S3-04": { waivers: [WAIVER] } } });
    expect(result.waivers.map((w) => w.status)).toEqual(["unused"]);
    expect(result.violations).toEqual([]);
  });

  it("refuses a waiver that names a whole resource but no finding", async () => {
    const noFinding: Record<string, string> = { ...WAIVER };
    delete noFinding["finding"];
    const result = await audit(violating().fx, [s3AclsAndPrincipals], { config: { "S3-04": { waivers: [noFinding] } } });
    expect(messages(result, "GOV-01")).toEqual([
      'waiver of S3-04 for "logs" approved by alice@example.com is invalid: it names no finding (the key a violation shows as [finding <key>]); a waiver accepts one finding, not a whole resource.',
    ]);
    expect(findings(result, "S3-04").map((v) => v.finding)).toEqual(["acls enabled"]);
  });

  it("accepts only the finding it names: a second finding on the same resource still fails", async () => {
    const s = violating();
    s.fx.update(s.bucket, (i) => {
      i["acl"] = "public-read";
    });
    const result = await audit(s.fx, [s3AclsAndPrincipals], { config: { "S3-04": { waivers: [WAIVER] } } });
    expect(findings(result, "S3-04").map((v) => v.finding)).toEqual(["canned acl public-read"]);
    expect(result.waivers[0]?.suppressed.map((x) => x.finding)).toEqual(["acls enabled"]);
  });

  it("stops covering a waived opening once it is widened", async () => {
    const s = compliantStack();
    const opening = (cidr: string, to: number) =>
      s.fx.update(s.groups.alb, (i) => {
        i["ingress"] = [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }, { protocol: "tcp", fromPort: 3389, toPort: to, cidrBlocks: [cidr] }];
      });
    const waiver = { resource: "sg-alb", finding: "ingress tcp/3389 from 203.0.113.7/32", reason: "vendor support desk during migration", approver: "alice@example.com", expiry: "2030-07-01", ticket: "SEC-9" };
    const config = { "NET-11": { waivers: [waiver] } };
    opening("203.0.113.7/32", 3389);
    const waived = await audit(s.fx, [net11AdminPorts], { config });
    expect(waived.violations).toEqual([]);
    expect(waived.waivers.map((w) => [w.finding, w.status])).toEqual([["ingress tcp/3389 from 203.0.113.7/32", "applied"]]);

    opening("0.0.0.0/0", 3389);
    const wider = await audit(s.fx, [net11AdminPorts], { config });
    expect(findings(wider, "NET-11").map((v) => v.finding)).toEqual(["ingress tcp/3389 from 0.0.0.0/0"]);
    expect(wider.summary.passed).toBe(false);

    opening("203.0.113.7/32", 3390);
    const morePorts = await audit(s.fx, [net11AdminPorts], { config });
    expect(findings(morePorts, "NET-11").map((v) => v.finding)).toEqual(["ingress tcp/3389-3390 from 203.0.113.7/32"]);
  });
});
