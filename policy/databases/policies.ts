import type { PlatformPolicy } from "../framework/metadata";
import { db01HostPlacement } from "./db-01-host-placement";
import { db02HighAvailability } from "./db-02-high-availability";
import { ec2DbHostDurability } from "./ec2-06-db-host-durability";
import { net04DataTierIngress } from "./net-04-data-tier-ingress";

/** The rules of the database hosts (D5): placement and classification, durability, and who may connect. */
export const databasesPolicies: readonly PlatformPolicy[] = [db01HostPlacement, db02HighAvailability, ec2DbHostDurability, net04DataTierIngress];
