import type { PlatformPolicy } from "../framework/metadata";
import { kmsKeyHygiene } from "./kms-01-key-hygiene";

export const kmsPolicies: readonly PlatformPolicy[] = [kmsKeyHygiene];
