import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { policyRegistry, packInfo } from "../../policy/registry";
import { parsePolicyConfig, runAudit, stackPolicyConfig, type PolicyConfig } from "../../src/offline/audit";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { StackExport } from "../../src/offline/snapshot/types";
import { EngineRequests, STAND_IN_SECRET } from "./support/engine-requests";
import { compliantStack } from "./support/fixture-stack";
import { configurePack, servePack } from "./support/engine-session";
import { PackServer } from "./support/pack-server";
import { comparable } from "./support/verdicts";

/**
 * `pulumi preview --policy-pack policy` for real, minus the CLI: the pack directory is started the way
 * the CLI starts it and driven over the analyzer protocol. Its verdicts must be the offline auditor's.
 */
let server: PackServer;
const ROOT = path.resolve(__dirname, "..", "..");
const STACKS = ["dev", "prod"] as const;
const realStacks = new Map<string, StackExport>();

beforeAll(async () => {
  server = await PackServer.start();
  for (const stack of STACKS) realStacks.set(stack, (await synthesize({ stack, projectRoot: ROOT })).snapshot);
}, 600_000);

afterAll(() => {
  server?.stop();
});

/** A stack breaking several rules at once, with one valid and one expired waiver, and a value unknown at preview. */
function scenario() {
  const s = compliantStack("dev");
  const pab = s.fx.toExport().deployment.resources.find((r) => r.urn.endsWith("::logs-pab"));
  s.fx.update({ ...s.bucket, urn: pab?.urn ?? "" }, (i) => {
    i["ignorePublicAcls"] = false;
  });
  s.fx.update(s.key, (i) => {
    i["enableKeyRotation"] = false;
  });
  s.fx.update(s.appInstance, (i) => {
    i["keyName"] = "legacy";
    i["userData"] = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
  });
  s.fx.update(s.vpc, (i) => {
    delete (i["tags"] as Record<string, string>)["data-class"];
  });
  const nat = s.fx.add("aws:ec2/natGateway:NatGateway", "nat", { subnetId: s.subnets.dmz.id, tags: s.fx.tags("dmz", "network") }, { deps: { subnetId: [s.subnets.dmz] } });
  s.fx.add("aws:ec2/route:Route", "rt-app-nat", { routeTableId: s.routeTables.app.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id }, { deps: { routeTableId: [s.routeTables.app], natGatewayId: [nat] } });
  const config = {
    "GOV-02": { environment: "dev" },
    "KMS-01": { waivers: [{ resource: "data-key", finding: "rotation", reason: "rotation handled by re-keying job", approver: "alice@example.com", expiry: "2999-12-31" }] },
    "EC2-04": { waivers: [{ resource: "app-host", finding: "key pair legacy", reason: "legacy access", approver: "bob@example.com", expiry: "2001-01-01" }] },
  };
  return { snapshot: s.fx.toExport(), config };
}


describe("the policy pack under the Pulumi runtime", () => {
  it("loads policy/ (PulumiPolicy.yaml, package.json, index.ts) and serves every registered policy with its metadata", async () => {
    const info = await server.info();
    expect(info.getName()).toBe(packInfo.name);
    expect(info.getVersion()).toBe(packInfo.version);
    const served = info.getPoliciesList().map((p) => p.getName());
    expect(served).toEqual(policyRegistry.map((p) => p.policy.name));
    const net01 = info.getPoliciesList().find((p) => p.getName() === "NET-01");
    expect(net01?.getDisplayname()).toContain("NET-01");
    expect(net01?.getConfigschema()?.getProperties()?.toJavaScript()).toHaveProperty("waivers");
  });

  it("reaches the same verdicts as the offline auditor, resource by resource and for the stack", async () => {
    const { snapshot, config } = scenario();
    const now = new Date();
    await configurePack(server, parsePolicyConfig(config, "scenario"));
    const served = await servePack(server, new EngineRequests(snapshot));

    const offline = await runAudit(snapshot, { config, now });
    const expected = offline.violations.map((v) => comparable(v)).sort();
    expect(served.map(comparable).sort()).toEqual(expected);
    // The scenario exercised what it meant to: violations, a waiver honoured, one refused, an unknown value.
    expect(expected.some((l) => l.startsWith("S3-01 [mandatory]"))).toBe(true);
    expect(expected.some((l) => l.startsWith("KMS-01"))).toBe(false);
    expect(expected.some((l) => l.startsWith("GOV-01 [mandatory] stack: waiver of EC2-04"))).toBe(true);
    expect(expected.some((l) => l.startsWith("EC2-05 [advisory]") && l.includes("unknown: string value at .userData"))).toBe(true);
    expect(expected.some((l) => l.startsWith("NET-01 [mandatory]"))).toBe(true);
    expect(expected.some((l) => l.startsWith("GOV-02 [mandatory]"))).toBe(true);
  });

  describe.each(STACKS)("the real %s stack, served as the engine serves it", (stack) => {
    it("gives the offline auditor's verdicts: options, providers and secrets as the engine sends them", async () => {
      const snapshot = realStacks.get(stack) as StackExport;
      const config = stackPolicyConfig(stack) ?? new Map<string, PolicyConfig>();
      const now = new Date();
      await configurePack(server, config);
      const requests = new EngineRequests(snapshot);
      const served = await servePack(server, requests);
      const offline = await runAudit(snapshot, { config, now });
      expect(served.map(comparable).sort()).toEqual(offline.violations.map((v) => comparable(v)).sort());
      expect(offline.violations.filter((v) => v.level === "mandatory")).toEqual([]);
      // The requests carry what the engine sends: providers with their inputs, and for prod the
      // protected critical data; secrets arrive as secret objects with a (stand-in) decrypted value.
      const withProvider = requests.live.map((r) => requests.analyze(r)).filter((r) => r.hasProvider());
      expect(withProvider.length).toBeGreaterThan(requests.live.length / 2);
      expect(withProvider.some((r) => r.getProvider()?.getProperties()?.toJavaScript()["region"] !== undefined)).toBe(true);
      const stackResources = requests.analyzeStack();
      expect(stackResources.filter((r) => r.getOptions()?.getProtect() === true).length > 0).toBe(stack === "prod");
      expect(JSON.stringify(stackResources.map((r) => r.getProperties()?.toJavaScript()))).toContain(STAND_IN_SECRET);
    });
  });

  it("prod: without the options and providers the engine sends, the served pack would raise spurious mandatory violations", async () => {
    const snapshot = realStacks.get("prod") as StackExport;
    await configurePack(server, stackPolicyConfig("prod") ?? new Map<string, PolicyConfig>());
    const stripped = (await servePack(server, new EngineRequests(snapshot), true)).filter((d) => d.level === "mandatory");
    // The fault this harness had: protect (EC2-06) and the providers' region and default tags were not sent.
    expect(stripped.length).toBeGreaterThan(0);
    expect(new Set(stripped.map((d) => d.policy)).has("EC2-06")).toBe(true);
  });
});
