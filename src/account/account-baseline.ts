import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../conventions/context";
import { customerManagedKey } from "../conventions/customer-managed-key";
import { ebsDefaultKeyPolicy } from "./ebs-key-policy";
import { AUTO_SCALING } from "./service-linked-roles";

const COMPONENT = "account";

export interface AccountBaselineArgs {
  readonly ctx: PlatformContext;
}

/**
 * Account- and region-wide guards that no single resource can give: every new EBS volume is encrypted
 * with our key even when created outside our templates (node groups, restores), and no bucket of the
 * account can be made public (EC2-03, S3-01).
 */
export class AccountBaseline extends pulumi.ComponentResource {
  readonly ebsKey: aws.kms.Key;

  constructor(name: string, args: AccountBaselineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:account:AccountBaseline", name, {}, opts);
    const { ctx } = args;
    const keyName = ctx.name(COMPONENT, "ebs-default");
    this.ebsKey = customerManagedKey(
      { key: `${name}-ebs-key`, alias: `${name}-ebs-key-alias` },
      {
        description: `Default EBS encryption key of ${ctx.project}-${ctx.stack}`,
        policy: pulumi.all([ctx.accountId, ctx.serviceLinkedRoleArn(AUTO_SCALING)]).apply(([accountId, autoScalingRoleArn]) => JSON.stringify(ebsDefaultKeyPolicy(accountId, autoScalingRoleArn))),
        tags: ctx.tags({ component: COMPONENT, zone: "global" }, keyName),
        alias: `alias/${keyName}`,
      },
      // Volumes of critical hosts may have been created under this key: never lose it in prod.
      { parent: this, protect: ctx.durability.protectCriticalData, retainOnDelete: ctx.durability.protectCriticalData },
    );
    const byDefault = new aws.ebs.EncryptionByDefault(`${name}-ebs-encryption`, { enabled: true }, { parent: this });
    new aws.ebs.DefaultKmsKey(`${name}-ebs-default-key`, { keyArn: this.ebsKey.arn }, { parent: this, dependsOn: [byDefault] });
    new aws.s3.AccountPublicAccessBlock(
      `${name}-s3-public-access`,
      { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      { parent: this },
    );
    this.registerOutputs({ ebsKeyArn: this.ebsKey.arn });
  }
}
