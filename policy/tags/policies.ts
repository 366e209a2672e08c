import type { PlatformPolicy } from "../framework/metadata";
import { gov02DesignTags } from "./gov02-design-tags";

export const tagPolicies: readonly PlatformPolicy[] = [gov02DesignTags];
