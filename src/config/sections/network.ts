import { z } from "zod";
import { cidrBlock } from "./primitives";

/** VPC and zones (D6). Subnet CIDRs are derived by the network plan, never configured by hand. */
export const networkSchema = z.strictObject({
  vpcCidr: cidrBlock,
  /** Ordered: the position of an AZ fixes its subnet slots, so new AZs are appended, never inserted. */
  availabilityZones: z
    .array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, { message: "allowed: an AZ name such as eu-central-1a" }))
    .min(2, { message: "allowed: 2 to 6 availability zones" })
    .max(6, { message: "allowed: 2 to 6 availability zones" }),
  flowLogAggregationSeconds: z.union([z.literal(60), z.literal(600)], { message: "allowed: 60 or 600" }),
});
export type NetworkConfig = z.infer<typeof networkSchema>;
