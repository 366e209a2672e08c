import type { PlatformPolicy } from "../framework/metadata";
import { netNoInternetRoute } from "./net-01-no-internet-route";
import { netReachability } from "./net-02-reachability";
import { net03PublicOnlyInDmz } from "./net-03-public-only-in-dmz";
import { net05ZoneEgress } from "./net-05-zone-egress";
import { net06DefaultSecurityGroup } from "./net-06-default-security-group";
import { net07NaclHygiene } from "./net-07-nacl-hygiene";
import { net08FlowLogs } from "./net-08-flow-logs";
import { net09Endpoints } from "./net-09-endpoints";
import { net10NoAdHocRouting } from "./net-10-no-ad-hoc-routing";
import { net11AdminPorts } from "./net-11-admin-ports";

export const networkPolicies: readonly PlatformPolicy[] = [
  netNoInternetRoute,
  netReachability,
  // Zone hygiene: public only in the DMZ, egress, defaults, NACLs, flow logs, endpoints, ad-hoc routing, admin ports.
  net03PublicOnlyInDmz,
  net05ZoneEgress,
  net06DefaultSecurityGroup,
  net07NaclHygiene,
  net08FlowLogs,
  net09Endpoints,
  net10NoAdHocRouting,
  net11AdminPorts,
];
