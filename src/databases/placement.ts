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
 * An address depends on the member's name alone (SHA-256), never on the other members or their order,
 * and the subnet on the member's named AZ alone (the network derives each data subnet from its AZ's
 * letter): adding, removing or reordering AZs or domains never moves an existing host or its volume.
 */
function nameHash(name: string): Buffer {
  return createHash("sha256").update(name).digest();
}

/**
 * The offset drawn from the name's hash, moved forward (wrapping) past addresses `taken` by hosts placed
 * before it. A /18 VPC has /26 data subnets with only 53 offsets, where two names sharing one is likely:
 * without the probe every /18 failed ("both map to"). A host leaves its hashed address only when another
 * host already holds it, so hosts that do not collide never move.
 */
export function privateIpFor(cidrText: string, name: string, taken: ReadonlySet<string> = new Set()): string {
  const cidr = mustParseCidr(cidrText);
  if (cidr.prefix > 27) throw new Error(`data subnet ${cidrText}: allowed: a /27 or larger block to place database hosts in`);
  const size = Number(cidr.last - cidr.first + 1n);
  const span = size - 1 - FIRST_HOST_OFFSET;
  const start = nameHash(name).readUInt32BE(4) % span;
  for (let step = 0; step < span; step++) {
    const address = Address4.fromBigInt(cidr.first + BigInt(FIRST_HOST_OFFSET + ((start + step) % span))).correctForm();
    if (!taken.has(address)) return address;
  }
  throw new Error(`data subnet ${cidrText}: no free address left for database host ${name}`);
}

/** The AZ's letter (`eu-central-1b` → `b`): member names carry it, so a name says where it stands. */
export function azLetter(az: string): string {
  const letter = /-\d([a-z])$/.exec(az)?.[1];
  if (letter === undefined) throw new Error(`availability zone "${az}": allowed: an AZ name such as eu-central-1a`);
  return letter;
}

/**
 * Places one host (`name`: a database member or a consensus node) in the data subnet of its named AZ.
 * `where` names the config key for the error.
 */
export function placeHost(name: string, dataSubnets: readonly DataSubnetSlot[], az: string, where: string, taken: ReadonlySet<string> = new Set()): HostPlacement {
  const subnetIndex = dataSubnets.findIndex((s) => s.az === az);
  if (subnetIndex < 0) {
    throw new Error(`${where} = "${az}": allowed: an AZ with a data subnet (${dataSubnets.map((s) => s.az).join(", ") || "none"})`);
  }
  const subnet = dataSubnets[subnetIndex];
  return { subnetIndex, az: subnet.az, cidr: subnet.cidr, privateIp: privateIpFor(subnet.cidr, name, taken) };
}
