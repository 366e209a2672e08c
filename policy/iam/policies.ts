import type { PlatformPolicy } from "../framework/metadata";
import { iamLeastPrivilege } from "./iam-01-least-privilege";
import { iam02AccessKeyAge } from "./iam-02-access-key-age";

export const iamPolicies: readonly PlatformPolicy[] = [iamLeastPrivilege, iam02AccessKeyAge];
