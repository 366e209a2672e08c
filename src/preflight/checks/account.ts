/** The caller's account is one the stack allows, the region is the stack's, and every chosen AZ exists there. */
import { type AvailabilityZone, DescribeAvailabilityZonesCommand } from "@aws-sdk/client-ec2";
import { ask } from "../ask";
import type { Check, Finding } from "../types";

export interface AccountEvidence {
  readonly zones: ReadonlyArray<Pick<AvailabilityZone, "ZoneName" | "State" | "ZoneType" | "OptInStatus">>;
}

const NAME = "account";

export const accountCheck: Check<AccountEvidence> = {
  name: NAME,
  async collect(_facts, { clients }) {
    const command = new DescribeAvailabilityZonesCommand({});
    const out = await ask(clients.ec2, command, () => clients.ec2.send(command));
    return { zones: out.AvailabilityZones ?? [] };
  },
  evaluate(facts, evidence, { accountId }) {
    const findings: Finding[] = [];
    const allowed = facts.allowedAccountIds;
    if (allowed === undefined || allowed.length === 0) {
      findings.push({ check: NAME, severity: "error", problem: "aws:allowedAccountIds is not set, so a deploy with the wrong credentials would build the platform in whatever account they belong to", action: `set aws:allowedAccountIds to ["${accountId}"] if this is the stack's account` });
    } else if (!allowed.includes(accountId)) {
      findings.push({ check: NAME, severity: "error", problem: `the credentials belong to account ${accountId}, which aws:allowedAccountIds (${allowed.join(", ")}) does not allow`, action: "use the deploy role of the stack's account, or correct aws:allowedAccountIds" });
    }
    if (facts.requestedRegion !== undefined && facts.requestedRegion !== facts.region) {
      findings.push({ check: NAME, severity: "error", problem: `--region ${facts.requestedRegion} differs from the stack's aws:region ${facts.region}`, action: `run with --region ${facts.region}, or change aws:region` });
    }
    const zones = new Map(evidence.zones.map((z) => [z.ZoneName ?? "", z]));
    for (const az of facts.availabilityZones) {
      const zone = zones.get(az);
      if (zone === undefined) {
        findings.push({ check: NAME, severity: "error", problem: `availability zone ${az} does not exist in ${facts.region} for this account`, action: `choose from ${[...zones.keys()].filter((z) => z !== "").sort().join(", ") || "the region's zones"} in network.availabilityZones` });
      } else if (zone.State !== "available" || (zone.ZoneType !== undefined && zone.ZoneType !== "availability-zone")) {
        findings.push({ check: NAME, severity: "error", problem: `availability zone ${az} is ${zone.ZoneType ?? "a zone"} in state ${zone.State ?? "unknown"}`, action: "choose an available standard availability zone in network.availabilityZones" });
      }
    }
    return findings;
  },
};
