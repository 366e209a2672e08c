import type { PlatformPolicy } from "../framework/metadata";
import { aws01ResourceLimits } from "./aws-01-resource-limits";
import { aws02EntityQuotas } from "./aws-02-entity-quotas";

export const awsLimitPolicies: readonly PlatformPolicy[] = [aws01ResourceLimits, aws02EntityQuotas];
