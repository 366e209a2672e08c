import type { PlatformPolicy } from "../framework/metadata";
import { ecr01ScanningEncryption } from "./ecr-01-scanning-encryption";

export const ecrPolicies: readonly PlatformPolicy[] = [ecr01ScanningEncryption];
