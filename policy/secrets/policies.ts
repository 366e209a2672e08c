import type { PlatformPolicy } from "../framework/metadata";
import { sm01SecretsCmkRotation } from "./sm-01-secrets-cmk-rotation";
import { ssm02ParameterSecureString } from "./ssm-02-parameter-secure-string";

/** Where secrets live: Secrets Manager (key and rotation) and SSM parameters (never plain String). */
export const secretsPolicies: readonly PlatformPolicy[] = [sm01SecretsCmkRotation, ssm02ParameterSecureString];
