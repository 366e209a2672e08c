import type { PlatformPolicy } from "../framework/metadata";
import { iamLeastPrivilege } from "./iam-01-least-privilege";

export const iamPolicies: readonly PlatformPolicy[] = [iamLeastPrivilege];
