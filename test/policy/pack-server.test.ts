import { splitFinding } from "../../policy/framework/findings";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { policyRegistry, packInfo } from "../../policy/registry";
import { parsePolicyConfig, runAudit } from "../../src/offline/audit";
import { reconcile } from "../../src/offline/audit/config";
import { isProviderType } from "../../src/offline/snapshot/graph";
import { compliantStack } from "./support/fixture-stack";
import { PackServer, type Diagnostic } from "./support/pack-server";

/**
 * `pulumi preview --policy-pack policy` for real, minus the CLI: the pack directory is started the way
 * the CLI starts it and driven over the analyzer protocol. Its verdicts must be the offline auditor's.
 */
let server: PackServer;

beforeAll(async () => {
  server = await PackServer.start();
});

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

function comparable(d: Pick<Diagnostic, "policy" | "level" | "message"> & { readonly urn?: string | undefined; readonly finding?: string }): string {
  // The engine carries the finding key in the message; the auditor splits it into its own field.
  const split = splitFinding(d.message);
  const finding = d.finding ?? split.key;
  // The engine and the auditor word the unknown-value advisory differently; the finding is the same.
  const message = split.message.replace(/^can't run policy '[^']+' from policy pack '[^']+' during preview: /, "unknown: ").replace(/^cannot be checked during preview: /, "unknown: ");
  return `${d.policy} [${d.level}] ${d.urn ?? "stack"}: ${message}${finding === split.message || finding === d.message ? "" : ` [finding ${finding}]`}`;
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
    const reconciled = reconcile(policyRegistry, parsePolicyConfig(config, "scenario"), "scenario");
    await server.configure(
      new Map(
        policyRegistry.map((p) => {
          const c = reconciled.policies.get(p.policy.name);
          return [p.policy.name, { enforcementLevel: c?.enforcementLevel ?? p.policy.enforcementLevel ?? packInfo.enforcementLevel, properties: { ...(c?.properties ?? {}) } }] as const;
        }),
      ),
    );
    const live = snapshot.deployment.resources.filter((r) => !isProviderType(r.type) && r.delete !== true);
    const served: Diagnostic[] = [];
    for (const state of live) served.push(...(await server.analyze(state)));
    served.push(...(await server.analyzeStack(live)));

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
});
