import { z } from "zod";
import { cidrBlock } from "./primitives";

/** VPC and zones (D6). Subnet CIDRs are derived by the network plan, never configured by hand. */
export const networkSchema = z.strictObject({
  vpcCidr: cidrBlock,
  /**
   * The AZ's letter (a..h) fixes its subnet slots in every zone (src/network/subnet-plan.ts), so AZs may be
   * added, removed or reordered without moving any other subnet.
   */
  availabilityZones: z
    .array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-h]$/, { message: "allowed: an AZ name ending in a letter a to h, such as eu-central-1a" }))
    .min(2, { message: "allowed: 2 to 6 availability zones" })
    .max(6, { message: "allowed: 2 to 6 availability zones" }),
  flowLogAggregationSeconds: z.union([z.literal(60), z.literal(600)], { message: "allowed: 60 or 600" }),
});
export type NetworkConfig = z.infer<typeof networkSchema>;
