import { createHash } from "node:crypto";
import { Address4 } from "ip-address";
import { mustParseCidr } from "../config/cidr";

/** A data-zone subnet as the network plan lays it out (ordered like the configured AZs). */
export interface DataSubnetSlot {
  readonly az: string;
  readonly cidr: string;
}

export interface HostPlacement {
  readonly subnetIndex: number;
  readonly az: string;
  readonly cidr: string;
  /** Fixed, so that the server certificate and DNS record exist before the instance does. */
  readonly privateIp: string;
}

/**
 * Addresses below this offset are left to AWS (the first four are reserved) and to anything the network
 * places first in a subnet; the last address is reserved too.
 */
const FIRST_HOST_OFFSET = 10;

/**
 * Placement depends on the domain's name alone (SHA-256), never on the other domains or their order:
 * adding or removing a domain never moves an existing host. Only a change in the number of data subnets
 * would, which is why a domain may pin its AZ in config before AZs are added.
 */
function nameHash(domain: string): Buffer {
  return createHash("sha256").update(domain).digest();
}

export function privateIpFor(cidrText: string, domain: string): string {
  const cidr = mustParseCidr(cidrText);
  if (cidr.prefix > 27) throw new Error(`data subnet ${cidrText}: allowed: a /27 or larger block to place database hosts in`);
  const size = Number(cidr.last - cidr.first + 1n);
  const span = size - 1 - FIRST_HOST_OFFSET;
  const offset = FIRST_HOST_OFFSET + (nameHash(domain).readUInt32BE(4) % span);
  return Address4.fromBigInt(cidr.first + BigInt(offset)).correctForm();
}

export function placeHost(domain: string, dataSubnets: readonly DataSubnetSlot[], pinnedAz?: string): HostPlacement {
  if (dataSubnets.length === 0) throw new Error(`database host ${domain}: allowed: a network with at least one data subnet`);
  let subnetIndex: number;
  if (pinnedAz !== undefined) {
    subnetIndex = dataSubnets.findIndex((s) => s.az === pinnedAz);
    if (subnetIndex < 0) {
      throw new Error(
        `fitness-platform:databases.domains.${domain}.availabilityZone = "${pinnedAz}": allowed: an AZ with a data subnet (${dataSubnets.map((s) => s.az).join(", ")})`,
      );
    }
  } else {
    subnetIndex = nameHash(domain).readUInt32BE(0) % dataSubnets.length;
  }
  const subnet = dataSubnets[subnetIndex];
  return { subnetIndex, az: subnet.az, cidr: subnet.cidr, privateIp: privateIpFor(subnet.cidr, domain) };
}
