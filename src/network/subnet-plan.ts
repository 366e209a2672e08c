/**
 * The address plan of a stack's VPC (D6 zones), as a pure function. Its one promise is stability:
 * a subnet's block depends only on the VPC block, its zone and its AZ's letter, never on how many
 * AZs or zones exist, so adding an AZ or a zone never moves (and so never replaces) a subnet.
 *
 * Every zone owns a fixed region of the VPC holding AZ_SLOTS equal subnets, one per AZ letter a..h;
 * unused slots stay reserved for that zone. The app zone gets half of the VPC because EKS pods take
 * VPC addresses; dmz and data hold a few load balancers and hosts each.
 */
import { cidrContains, cidrsOverlap, mustParseCidr, parseCidr, subnetAt } from "../config/cidr";

export const NETWORK_ZONES = ["dmz", "app", "data"] as const;
export type NetworkZone = (typeof NETWORK_ZONES)[number];

/** AZ letters a..h: every zone reserves one subnet slot per letter. */
export const AZ_SLOTS = 8;
/** AWS does not accept subnets smaller than a /28. */
const SMALLEST_SUBNET_PREFIX = 28;

export interface ZoneLayout {
  readonly zone: string;
  /** Subnet prefix = VPC prefix + newBits (app in a /16: /20; dmz and data: /24). */
  readonly newBits: number;
  /** Index, counted in this zone's subnet size, of the subnet for AZ letter "a". A multiple of AZ_SLOTS. */
  readonly firstBlock: number;
}

/**
 * The layout of the design's zones, proportional to the VPC (here for a /16):
 *   app  10.x.0.0/17   8 x /20   (pods take VPC addresses)
 *   dmz  10.x.128.0/21 8 x /24   (edge ALB, proxy NLB and hosts)
 *   data 10.x.136.0/21 8 x /24   (database hosts)
 *   10.x.144.0 - 10.x.255.255 is free for future zones.
 * Entries are never edited or reordered once deployed; a new zone is appended in the free space.
 */
export const ZONE_LAYOUT: readonly ZoneLayout[] = [
  { zone: "app", newBits: 4, firstBlock: 0 },
  { zone: "dmz", newBits: 8, firstBlock: 16 * AZ_SLOTS },
  { zone: "data", newBits: 8, firstBlock: 17 * AZ_SLOTS },
];

export interface PlannedSubnet {
  readonly zone: string;
  readonly az: string;
  /** 0 for AZ letter a, 1 for b ... */
  readonly azSlot: number;
  readonly cidr: string;
  /** Stable logical key, `<zone>-<az letter>`: resource names derive from it, never from list positions. */
  readonly key: string;
}

export interface SubnetPlan {
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
  /** Every subnet, zone by zone in layout order, AZs in configured order. */
  readonly subnets: readonly PlannedSubnet[];
  /** The region each zone owns (all its slots): NACL rules use it, so they do not change when an AZ is added. */
  readonly zoneCidrs: Readonly<Record<string, string>>;
}

export interface SubnetPlanInput {
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
  /** Defaults to the design's zones; tests pass extended layouts to prove that adding a zone moves nothing. */
  readonly layout?: readonly ZoneLayout[];
}

/** The slot of an AZ: its trailing letter (eu-central-1a → 0). Letters beyond h have no slot. */
export function azSlot(az: string): number {
  const letter = az.slice(-1);
  const slot = letter.charCodeAt(0) - "a".charCodeAt(0);
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/.test(az) || slot < 0 || slot >= AZ_SLOTS) {
    throw new Error(`availability zone "${az}": allowed: a name ending in a letter a to h, such as eu-central-1a`);
  }
  return slot;
}

export function azLetter(az: string): string {
  azSlot(az);
  return az.slice(-1);
}

/** The region a zone owns inside the VPC: AZ_SLOTS subnets of its size, starting at its first block. */
export function zoneRegion(vpcCidr: string, layout: ZoneLayout): string {
  const vpc = mustParseCidr(vpcCidr);
  const regionPrefix = vpc.prefix + layout.newBits - Math.log2(AZ_SLOTS);
  return subnetAt(vpc, regionPrefix, layout.firstBlock / AZ_SLOTS);
}

/** Checks a layout against a VPC block: every region fits, none overlaps another, subnets are not too small. */
export function checkLayout(vpcCidr: string, layout: readonly ZoneLayout[]): void {
  const vpc = parseCidr(vpcCidr);
  if (!vpc) throw new Error(`VPC block "${vpcCidr}": allowed: an IPv4 CIDR block with no host bits set`);
  const seen = new Map<string, string>();
  for (const entry of layout) {
    if (seen.has(entry.zone)) throw new Error(`zone layout: zone "${entry.zone}" appears twice; allowed: each zone once`);
    if (!Number.isInteger(entry.newBits) || entry.newBits < Math.log2(AZ_SLOTS)) {
      throw new Error(`zone layout: zone "${entry.zone}" newBits ${entry.newBits}; allowed: a whole number >= ${Math.log2(AZ_SLOTS)}`);
    }
    if (vpc.prefix + entry.newBits > SMALLEST_SUBNET_PREFIX) {
      throw new Error(`zone layout: zone "${entry.zone}" would get /${vpc.prefix + entry.newBits} subnets in ${vpcCidr}; allowed: /${SMALLEST_SUBNET_PREFIX} or larger`);
    }
    if (!Number.isInteger(entry.firstBlock) || entry.firstBlock < 0 || entry.firstBlock % AZ_SLOTS !== 0) {
      throw new Error(`zone layout: zone "${entry.zone}" firstBlock ${entry.firstBlock}; allowed: a multiple of ${AZ_SLOTS}`);
    }
    let region: string;
    try {
      region = zoneRegion(vpcCidr, entry);
    } catch {
      throw new Error(`zone layout: zone "${entry.zone}" region starting at block ${entry.firstBlock} lies outside ${vpcCidr}`);
    }
    for (const [otherZone, otherRegion] of seen) {
      if (cidrsOverlap(mustParseCidr(region), mustParseCidr(otherRegion))) {
        throw new Error(`zone layout: zone "${entry.zone}" region ${region} overlaps zone "${otherZone}" region ${otherRegion}`);
      }
    }
    seen.set(entry.zone, region);
  }
}

/** The plan: one subnet per zone and AZ, each at the block its zone and AZ letter fix. */
export function planSubnets(input: SubnetPlanInput): SubnetPlan {
  const layout = input.layout ?? ZONE_LAYOUT;
  checkLayout(input.vpcCidr, layout);
  const vpc = mustParseCidr(input.vpcCidr);
  const slots = input.availabilityZones.map((az) => azSlot(az));
  slots.forEach((slot, i) => {
    const first = slots.indexOf(slot);
    if (first !== i) {
      throw new Error(`availability zones "${input.availabilityZones[first]}" and "${input.availabilityZones[i]}" share the letter "${input.availabilityZones[i]?.slice(-1)}"; allowed: each AZ letter once`);
    }
  });

  const subnets: PlannedSubnet[] = [];
  const zoneCidrs: Record<string, string> = {};
  for (const entry of layout) {
    const region = zoneRegion(input.vpcCidr, entry);
    zoneCidrs[entry.zone] = region;
    input.availabilityZones.forEach((az, i) => {
      const slot = slots[i] as number;
      const cidr = subnetAt(vpc, vpc.prefix + entry.newBits, entry.firstBlock + slot);
      // Belt and braces: the arithmetic above must keep every subnet inside its zone's region.
      if (!cidrContains(mustParseCidr(region), mustParseCidr(cidr))) throw new Error(`subnet ${cidr} escapes zone region ${region}`);
      subnets.push({ zone: entry.zone, az, azSlot: slot, cidr, key: `${entry.zone}-${az.slice(-1)}` });
    });
  }
  return { vpcCidr: input.vpcCidr, availabilityZones: [...input.availabilityZones], subnets, zoneCidrs };
}

/** The planned subnets of one zone, in configured AZ order. */
export function subnetsOf(plan: SubnetPlan, zone: string): PlannedSubnet[] {
  return plan.subnets.filter((s) => s.zone === zone);
}

/** The region of one zone; throws for a zone the plan does not have. */
export function zoneCidr(plan: SubnetPlan, zone: string): string {
  const cidr = plan.zoneCidrs[zone];
  if (cidr === undefined) throw new Error(`zone "${zone}" is not in the subnet plan; allowed: ${Object.keys(plan.zoneCidrs).join(", ")}`);
  return cidr;
}
