import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { partitionOf } from "../conventions/arn";
import type { PlatformContext } from "../conventions/context";
import { NAMED_BY_PLATFORM_POLICIES, serviceLinkedRoleArn } from "./service-linked-roles";

export interface AccountPrerequisitesArgs {
  readonly ctx: PlatformContext;
}

/**
 * What the platform's policies name but the bootstrap layer owns (src/bootstrap): the service-linked
 * roles, read by ARN. A read fails the deploy at once with "not found" when the bootstrap has not run,
 * instead of KMS refusing a key policy later; and every policy naming a role takes its ARN from here,
 * so the policy depends on the role's existence.
 */
export class AccountPrerequisites extends pulumi.ComponentResource {
  /** Service principal (`autoscaling.amazonaws.com`) → the ARN of its service-linked role. */
  readonly serviceLinkedRoleArns: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: AccountPrerequisitesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:account:AccountPrerequisites", name, {}, opts);
    const { ctx } = args;
    // The bootstrap tags the roles it creates like every resource; the read states them so the snapshot does too.
    const tags = ctx.tags({ component: "account", zone: "global" });
    const arns: Record<string, pulumi.Output<string>> = {};
    for (const service of NAMED_BY_PLATFORM_POLICIES) {
      const arn = serviceLinkedRoleArn(partitionOf(ctx.region), ctx.account, service);
      arns[service] = aws.iam.ServiceLinkedRole.get(`${name}-${service.split(".")[0] ?? service}`, arn, { awsServiceName: service, tags }, { parent: this }).arn;
    }
    this.serviceLinkedRoleArns = arns;
    this.registerOutputs({ serviceLinkedRoleArns: arns });
  }
}
