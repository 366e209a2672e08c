import type { PlatformPolicy } from "../framework/metadata";
import { s3PublicAccessBlock } from "./s3-01-public-access-block";
import { s3TlsOnly } from "./s3-02-tls-only";
import { s3Encryption } from "./s3-03-encryption";
import { s3AclsAndPrincipals } from "./s3-04-acls-and-principals";

export const s3Policies: readonly PlatformPolicy[] = [s3PublicAccessBlock, s3TlsOnly, s3Encryption, s3AclsAndPrincipals];
