import type { PlatformPolicy } from "../framework/metadata";
import { ec2NoPublicIp } from "./ec2-01-no-public-ip";
import { ec2Imdsv2 } from "./ec2-02-imdsv2";
import { ec2EbsCmk } from "./ec2-03-ebs-cmk";
import { ec2NoSsh } from "./ec2-04-no-ssh";
import { ec2NoSecretsInUserData } from "./ec2-05-no-secrets-in-user-data";

export const ec2Policies: readonly PlatformPolicy[] = [ec2NoPublicIp, ec2Imdsv2, ec2EbsCmk, ec2NoSsh, ec2NoSecretsInUserData];
