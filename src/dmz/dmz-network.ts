import type * as pulumi from "@pulumi/pulumi";
import type { ProxyZone } from "./squid/paths";

interface HasId {
  readonly id: pulumi.Input<string>;
}

/**
 * What the DMZ components need of the network (the `Network` component satisfies it as it is): the
 * VPC, the dmz subnets they live in, the zone security groups they open flows on, the subnet plan for
 * the proxy's source ACLs, and the private zone for the proxy's stable name.
 */
export interface DmzNetwork {
  readonly vpc: HasId;
  readonly subnets: { readonly dmz: readonly HasId[] };
  readonly zoneSecurityGroups: { readonly app: HasId; readonly data: HasId };
  readonly plan: { readonly vpcCidr: string; readonly subnets: readonly { readonly zone: string; readonly cidr: string }[] };
  readonly privateZone: { readonly zoneId: pulumi.Input<string>; readonly name: pulumi.Input<string> };
}

export function zoneSubnetCidrs(network: Pick<DmzNetwork, "plan">): Record<ProxyZone, string[]> {
  const of = (zone: ProxyZone) => network.plan.subnets.filter((s) => s.zone === zone).map((s) => s.cidr);
  return { app: of("app"), data: of("data") };
}

/** The DMZ's subnet CIDRs: where the in-VPC deployer's build containers take their addresses. */
export function dmzSubnetCidrs(network: Pick<DmzNetwork, "plan">): string[] {
  return network.plan.subnets.filter((s) => s.zone === "dmz").map((s) => s.cidr);
}
