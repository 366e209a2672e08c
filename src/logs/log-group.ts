/**
 * CloudWatch log groups of the platform (LOG-02): always encrypted with the logs key and kept for the
 * environment's retention. Components that need one (CloudTrail, the EKS control plane) create it
 * here, before the service would create an unencrypted one with no expiry.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../conventions/context";
import type { Zone } from "../conventions/tags";

/** EKS writes its control-plane logs here; pre-creating it is the only way to set key and retention. */
export const eksClusterLogGroupName = (clusterName: string) => `/aws/eks/${clusterName}/cluster`;

export interface EncryptedLogGroupArgs {
  readonly ctx: PlatformContext;
  readonly component: string;
  readonly zone: Zone;
  readonly logGroupName: string;
  /** `platform.config.logs.logGroupRetentionDays` (a value CloudWatch accepts). */
  readonly retentionInDays: number;
  readonly kmsKeyArn: pulumi.Input<string>;
}

export function encryptedLogGroup(name: string, args: EncryptedLogGroupArgs, opts: pulumi.CustomResourceOptions): aws.cloudwatch.LogGroup {
  return new aws.cloudwatch.LogGroup(
    name,
    {
      name: args.logGroupName,
      kmsKeyId: args.kmsKeyArn,
      retentionInDays: args.retentionInDays,
      tags: args.ctx.tags({ component: args.component, zone: args.zone, dataClass: "internal" }, args.logGroupName),
    },
    opts,
  );
}
