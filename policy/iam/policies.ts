import type { PlatformPolicy } from "../framework/metadata";
import { iamLeastPrivilege } from "./iam-01-least-privilege";
import { iam02AccessKeyAge } from "./iam-02-access-key-age";
import { iam03PermissionsBoundary } from "./iam-03-permissions-boundary";

export const iamPolicies: readonly PlatformPolicy[] = [iamLeastPrivilege, iam02AccessKeyAge, iam03PermissionsBoundary];
