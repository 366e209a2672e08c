import type { PlatformPolicy } from "../framework/metadata";
import { netNoInternetRoute } from "./net-01-no-internet-route";
import { netReachability } from "./net-02-reachability";

export const networkPolicies: readonly PlatformPolicy[] = [netNoInternetRoute, netReachability];
