import { beforeAll, describe, expect, it } from "vitest";
import { egr01EgressExceptions } from "../../policy/dmz/egr-01-egress-exceptions";
import { egr02ProxyPlacement } from "../../policy/dmz/egr-02-proxy-placement";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { committedConfigData, ROOT } from "../support/stack-config";
import { edit, find, without } from "../support/snapshot-edit";
import { relink, subnetsOfZone, violations } from "./dmz-support";

/**
 * EGR-01 and EGR-02 against the real dev and prod stacks (as committed: no exception, and with one
 * live exception), and against crafted violations made by editing those snapshots.
 */
const PARAMETER = "aws:ssm/parameter:Parameter";
const ASG = "aws:autoscaling/group:Group";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const NLB = "aws:lb/loadBalancer:LoadBalancer";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

const DAY = 86_400_000;
const TODAY = new Date();
const day = (offset: number) => new Date(TODAY.getTime() + offset * DAY).toISOString().slice(0, 10);

const snapshots: Record<string, StackExport> = {};

/** A stack with one exception live today, through the same config override a user would write. */
function withException(stack: "dev" | "prod"): Record<string, string> {
  const egress = committedConfigData(stack)["fitness-platform:egress"] as Record<string, unknown>;
  const exception = {
    host: ".pypi.org",
    zones: ["app"],
    services: ["notifications"],
    reason: "One-off dependency download while tuning the push provider",
    ticket: "OPS-123",
    owner: "jane.doe@fitness.example.com",
    granted: day(-2),
    expires: day(12),
  };
  return { egress: JSON.stringify({ ...egress, exceptions: [exception] }) };
}

beforeAll(async () => {
  for (const stack of ["dev", "prod"] as const) {
    snapshots[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
    snapshots[`${stack}+live`] = (await synthesize({ stack, projectRoot: ROOT, configOverrides: withException(stack) })).snapshot;
  }
});

const copy = (key: string): ResourceState[] => structuredClone((snapshots[key] as StackExport).deployment.resources);
const audit = (policy: typeof egr01EgressExceptions, key: string, resources: ResourceState[], now: Date = TODAY) =>
  violations(policy, snapshots[key] as StackExport, resources, now);

/** Replaces the register's exceptions (the SSM parameter the proxy component writes). */
function setRegister(resources: ResourceState[], exceptions: object[], maxLifetimeDays = 30): void {
  edit(find(resources, PARAMETER, "egress-exceptions"), (p) => {
    p.insecureValue = JSON.stringify({ version: 1, maxLifetimeDays, exceptions });
  });
}

const good = {
  host: "api.push.example.net",
  zones: ["app"],
  services: [],
  reason: "Push provider onboarding",
  ticket: "OPS-9",
  owner: "ops@fitness.example.com",
  granted: "2030-01-10",
  expires: "2030-01-20",
};
const ON_2030_01_15 = new Date("2030-01-15T08:00:00Z");

describe.each(["dev", "prod", "dev+live", "prod+live"])("the real %s stack", (key) => {
  it.each([egr01EgressExceptions, egr02ProxyPlacement])("passes $meta.id", async (policy) => {
    expect(await audit(policy, key, copy(key))).toEqual([]);
  });

  it("carries the exceptions it renders in its register", () => {
    const doc = JSON.parse(find(copy(key), PARAMETER, "egress-exceptions").inputs?.insecureValue as string) as { exceptions: { host: string }[] };
    expect(doc.exceptions.map((e) => e.host)).toEqual(key.endsWith("+live") ? [".pypi.org"] : []);
  });
});

describe("EGR-01 egress exceptions", () => {
  it("fails an exception whose expiry has passed", async () => {
    const dev = copy("dev");
    setRegister(dev, [{ ...good, granted: "2030-01-01", expires: "2030-01-14" }]);
    expect(await audit(egr01EgressExceptions, "dev", dev, ON_2030_01_15)).toEqual(['Egress exception "api.push.example.net" (OPS-9) expired on 2030-01-14.']);
    // The same register is fine while the exception lasts (its last day included).
    expect(await audit(egr01EgressExceptions, "dev", dev, new Date("2030-01-14T23:59:00Z"))).toEqual([]);
  });

  it("fails an exception without owner, ticket or reason", async () => {
    const dev = copy("dev");
    setRegister(dev, [{ ...good, owner: "", ticket: "", reason: "" }, { ...good, host: "b.example.net", owner: "jane", ticket: "123", reason: "because" }]);
    expect(await audit(egr01EgressExceptions, "dev", dev, ON_2030_01_15)).toEqual([
      'Egress exception "api.push.example.net" (no ticket) has no owner.',
      'Egress exception "api.push.example.net" (no ticket) has no reason.',
      'Egress exception "api.push.example.net" (no ticket) has no ticket.',
      'Egress exception "b.example.net" (123) gives no real reason (under 10 characters).',
      'Egress exception "b.example.net" (123) owner "jane" is not an e-mail address.',
      'Egress exception "b.example.net" (123) ticket "123" is not a ticket id.',
    ]);
  });

  it("fails an exception that lasts, or reaches, beyond the maximum lifetime", async () => {
    const dev = copy("dev");
    setRegister(dev, [{ ...good, granted: "2030-01-01", expires: "2030-02-20" }]);
    expect(await audit(egr01EgressExceptions, "dev", dev, ON_2030_01_15)).toEqual([
      'Egress exception "api.push.example.net" (OPS-9) expires 2030-02-20, more than 30 days from today (2030-01-15).',
      'Egress exception "api.push.example.net" (OPS-9) lasts 50 days (2030-01-01..2030-02-20); at most 30.',
    ]);
  });

  it("never accepts a register that raises the maximum above the hard ceiling", async () => {
    const dev = copy("dev");
    setRegister(dev, [good], 365);
    expect(await audit(egr01EgressExceptions, "dev", dev, ON_2030_01_15)).toEqual(['Exceptions register "egress-exceptions" allows 365 days; at most 90.']);
  });

  it("fails a name the proxy hosts allow that the register does not list", async () => {
    const live = copy("dev+live");
    setRegister(live, []);
    expect(await audit(egr01EgressExceptions, "dev+live", live)).toEqual([`LaunchTemplate "egress-lt" allows ".pypi.org" until ${day(12)}, which the exceptions register does not list.`]);
  });

  it("fails an egress proxy without a register", async () => {
    const dev = without(copy("dev"), PARAMETER, "egress-exceptions");
    const found = await audit(egr01EgressExceptions, "dev", dev);
    expect(found).toContain('Group "egress-asg" is an egress proxy, but the stack has no exceptions register (SSM parameter .../egress/exceptions).');
    expect(found).toContain('LaunchTemplate "egress-lt" is an egress proxy, but the stack has no exceptions register (SSM parameter .../egress/exceptions).');
  });
});

describe("EGR-02 proxy placement, ingress and allowlist", () => {
  it("fails a proxy running outside the DMZ", async () => {
    const dev = copy("dev");
    relink(find(dev, ASG, "egress-asg"), "vpcZoneIdentifiers", subnetsOfZone(dev, "app"), (ids) => ids);
    expect(await audit(egr02ProxyPlacement, "dev", dev)).toEqual([
      'Group "egress-asg" runs the egress proxy in zone app; only the DMZ may.',
      'LaunchTemplate "egress-lt" runs the egress proxy in zone app; only the DMZ may.',
    ]);
  });

  it("finds a Squid host by its user-data even when it lost its tags", async () => {
    const dev = copy("dev+live");
    for (const [type, name] of [[ASG, "egress-asg"], [LT, "egress-lt"]] as const) {
      edit(find(dev, type, name), (p) => {
        p.tags = type === ASG ? [] : {};
      });
    }
    relink(find(dev, ASG, "egress-asg"), "vpcZoneIdentifiers", subnetsOfZone(dev, "data"), (ids) => ids);
    expect(await audit(egr02ProxyPlacement, "dev+live", dev)).toEqual(['LaunchTemplate "egress-lt" runs the egress proxy in zone data; only the DMZ may.']);
  });

  it("fails an internet-facing proxy load balancer", async () => {
    const dev = copy("dev");
    edit(find(dev, NLB, "egress-nlb"), (p) => {
      p.internal = false;
    });
    expect(await audit(egr02ProxyPlacement, "dev", dev)).toEqual(['LoadBalancer "egress-nlb" fronts the egress proxy but is internet-facing; it must be internal.']);
  });

  it("fails proxy ingress from an address range or from a group outside app and data", async () => {
    const live = copy("dev+live");
    const rule = find(live, INGRESS, "egress-proxy-from-app");
    edit(rule, (p) => {
      p.cidrIpv4 = "0.0.0.0/0";
      delete p.referencedSecurityGroupId;
    });
    rule.propertyDependencies = { ...rule.propertyDependencies, referencedSecurityGroupId: [] };
    expect(await audit(egr02ProxyPlacement, "dev+live", live)).toEqual([
      `ingress rule "egress-proxy-from-app" of the egress proxy's group "egress-lb-sg" admits 0.0.0.0/0; only the app and data zone groups may reach the proxy.`,
    ]);

    const fromDmz = copy("dev+live");
    relink(find(fromDmz, INGRESS, "egress-proxy-from-app"), "referencedSecurityGroupId", [find(fromDmz, SG, "edge-alb-sg")], ([id]) => id);
    expect(await audit(egr02ProxyPlacement, "dev+live", fromDmz)).toEqual([
      `ingress rule "egress-proxy-from-app" of the egress proxy's group "egress-lb-sg" admits group "edge-alb-sg" (zone dmz); only app, data and the deployer may reach the proxy.`,
    ]);
  });

  it("admits the in-VPC deployer's group (its rule of its own), and checks the deployer's fixed allowlist like any entry", async () => {
    const dev = copy("dev");
    const rule = find(dev, INGRESS, "deployer-proxy-from-deployer");
    expect(rule.inputs?.referencedSecurityGroupId).toBe(find(dev, SG, "deployer-sg").id);
    expect(await audit(egr02ProxyPlacement, "dev", dev)).toEqual([]);

    const widened = copy("dev");
    edit(find(widened, LT, "egress-lt"), (p) => {
      const text = Buffer.from(String(p.userData), "base64").toString("utf8").replace("registry.npmjs.org", ".blob.core.windows.net");
      p.userData = Buffer.from(text, "utf8").toString("base64");
    });
    const found = await audit(egr02ProxyPlacement, "dev", widened);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^Egress allowlist entry "\.blob\.core\.windows\.net" is refused: .*\(in LaunchTemplate "egress-lt"\)/);
  });

  it("fails wildcard, raw-IP and top-level-domain allowlist entries", async () => {
    const dev = copy("dev");
    setRegister(dev, [
      { ...good, host: "*.pypi.org" },
      { ...good, host: "203.0.113.7" },
      { ...good, host: "2001:db8::1" },
      { ...good, host: ".com" },
      { ...good, host: "files.pythonhosted.org" },
    ]);
    expect(await audit(egr02ProxyPlacement, "dev", dev, ON_2030_01_15)).toEqual([
      'Egress allowlist entry "*.pypi.org" is a wildcard (in Parameter "egress-exceptions"); exceptions name DNS names only.',
      'Egress allowlist entry ".com" opens a whole top-level domain (in Parameter "egress-exceptions"); exceptions name DNS names only.',
      'Egress allowlist entry "2001:db8::1" is a raw IP address (in Parameter "egress-exceptions"); exceptions name DNS names only.',
      'Egress allowlist entry "203.0.113.7" is a raw IP address (in Parameter "egress-exceptions"); exceptions name DNS names only.',
    ]);
  });
});
