import type { PlatformPolicy } from "../framework/metadata";
import { govWaivers } from "./gov-01-waivers";

/** GOV-01 judges the waivers every other policy recorded while running, so the registry lists it last. */
export const closingPolicies: readonly PlatformPolicy[] = [govWaivers];
