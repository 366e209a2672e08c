import { ec2NoPublicIp } from "../../../policy/ec2/ec2-01-no-public-ip";
import { ec2Imdsv2 } from "../../../policy/ec2/ec2-02-imdsv2";
import { ec2EbsCmk } from "../../../policy/ec2/ec2-03-ebs-cmk";
import { ec2NoSsh } from "../../../policy/ec2/ec2-04-no-ssh";
import { ec2NoSecretsInUserData } from "../../../policy/ec2/ec2-05-no-secrets-in-user-data";
import type { PlatformPolicy } from "../../../policy/framework/metadata";
import { govWaivers } from "../../../policy/governance/gov-01-waivers";
import { iamLeastPrivilege } from "../../../policy/iam/iam-01-least-privilege";
import { kmsKeyHygiene } from "../../../policy/kms/kms-01-key-hygiene";
import { netNoInternetRoute } from "../../../policy/network/net-01-no-internet-route";
import { netReachability } from "../../../policy/network/net-02-reachability";
import { s3PublicAccessBlock } from "../../../policy/s3/s3-01-public-access-block";
import { s3TlsOnly } from "../../../policy/s3/s3-02-tls-only";
import { s3Encryption } from "../../../policy/s3/s3-03-encryption";
import { s3AclsAndPrincipals } from "../../../policy/s3/s3-04-acls-and-principals";
import { gov02DesignTags } from "../../../policy/tags/gov02-design-tags";

/** The rules of the first set (issue 3); other areas test their own. */
export const FIRST_SET: readonly PlatformPolicy[] = [
  gov02DesignTags,
  s3PublicAccessBlock,
  s3TlsOnly,
  s3Encryption,
  s3AclsAndPrincipals,
  kmsKeyHygiene,
  iamLeastPrivilege,
  ec2NoPublicIp,
  ec2Imdsv2,
  ec2EbsCmk,
  ec2NoSsh,
  ec2NoSecretsInUserData,
  netNoInternetRoute,
  netReachability,
  govWaivers,
];

export const FIRST_SET_IDS = FIRST_SET.map((p) => p.meta.id);
