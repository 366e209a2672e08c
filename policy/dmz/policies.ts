import type { PlatformPolicy } from "../framework/metadata";
import { edge01PublicAlb } from "./edge-01-public-alb";
import { edge02Waf } from "./edge-02-waf";
import { egr01EgressExceptions } from "./egr-01-egress-exceptions";
import { egr02ProxyPlacement } from "./egr-02-proxy-placement";

export const dmzPolicies: readonly PlatformPolicy[] = [egr01EgressExceptions, egr02ProxyPlacement, edge01PublicAlb, edge02Waf];
