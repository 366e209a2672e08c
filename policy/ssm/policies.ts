import type { PlatformPolicy } from "../framework/metadata";
import { ssm01SessionPreferences } from "./ssm-01-session-preferences";

export const ssmPolicies: readonly PlatformPolicy[] = [ssm01SessionPreferences];
