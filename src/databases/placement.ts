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

/**
 * The host's address: an offset drawn from the name's hash, moved forward (wrapping) past addresses
 * `taken` by hosts placed before it. In a /26 data subnet (a /18 VPC) only 53 offsets exist, so two names
 * sharing one is likely; without the probe every /18 VPC failed. A host only moves off its hashed
 * address when another host already holds it, so hosts that do not collide never move.
 */
export function privateIpFor(cidrText: string, domain: string, taken: ReadonlySet<string> = new Set()): string {
  const cidr = mustParseCidr(cidrText);
  if (cidr.prefix > 27) throw new Error(`data subnet ${cidrText}: allowed: a /27 or larger block to place database hosts in`);
  const size = Number(cidr.last - cidr.first + 1n);
  const span = size - 1 - FIRST_HOST_OFFSET;
  const start = nameHash(domain).readUInt32BE(4) % span;
  for (let step = 0; step < span; step++) {
    const address = Address4.fromBigInt(cidr.first + BigInt(FIRST_HOST_OFFSET + ((start + step) % span))).correctForm();
    if (!taken.has(address)) return address;
  }
  throw new Error(`data subnet ${cidrText}: no free address left for database host ${domain}`);
}

export function placeHost(domain: string, dataSubnets: readonly DataSubnetSlot[], pinnedAz?: string, taken: ReadonlySet<string> = new Set()): HostPlacement {
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
  return { subnetIndex, az: subnet.az, cidr: subnet.cidr, privateIp: privateIpFor(subnet.cidr, domain, taken) };
}
