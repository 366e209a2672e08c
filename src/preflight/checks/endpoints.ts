/**
 * Every interface endpoint the network creates (src/network/endpoint-plan.ts) is offered in every
 * chosen AZ: an endpoint subnet in an AZ the service does not serve fails the whole endpoint.
 */
import { DescribeVpcEndpointServicesCommand } from "@aws-sdk/client-ec2";
import { endpointServiceName } from "../../network/endpoint-plan";
import { askOptional } from "../ask";
import type { Check, Finding } from "../types";

export interface EndpointEvidence {
  /** Service name → AZs it is offered in, or null when the region does not offer it. */
  readonly offered: Readonly<Record<string, readonly string[] | null>>;
}

const NAME = "endpoints";

export const endpointCheck: Check<EndpointEvidence> = {
  name: NAME,
  async collect(facts, { clients }) {
    const offered: Record<string, string[] | null> = {};
    for (const service of facts.interfaceEndpoints) {
      const name = endpointServiceName(facts.region, service);
      // One service per call: an unknown name fails the whole request (InvalidServiceName).
      const command = new DescribeVpcEndpointServicesCommand({ ServiceNames: [name] });
      const out = await askOptional(clients.ec2, command, ["InvalidServiceName"], () => clients.ec2.send(command));
      const detail = out?.ServiceDetails?.find((d) => d.ServiceName === name);
      offered[name] = detail === undefined ? null : (detail.AvailabilityZones ?? []);
    }
    return { offered };
  },
  evaluate(facts, evidence) {
    const findings: Finding[] = [];
    for (const service of facts.interfaceEndpoints) {
      const name = endpointServiceName(facts.region, service);
      const zones = evidence.offered[name];
      if (zones === null || zones === undefined) {
        findings.push({ check: NAME, severity: "error", problem: `endpoint service ${name} is not offered in ${facts.region}`, action: "choose a region that offers it, or take the endpoint out of src/network/endpoint-plan.ts with what uses it" });
        continue;
      }
      const missing = facts.availabilityZones.filter((az) => !zones.includes(az));
      if (missing.length > 0) {
        findings.push({ check: NAME, severity: "error", problem: `endpoint service ${name} is not offered in ${missing.join(", ")} (offered in ${zones.join(", ") || "none"})`, action: "choose availability zones where every endpoint service is offered (network.availabilityZones)" });
      }
    }
    return findings;
  },
};
