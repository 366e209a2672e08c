import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { partitionOf } from "../conventions/arn";
import { type PolicyDocument, policyDocument } from "../conventions/iam-policy";

/**
 * The Debian package mirror's bucket policy (the bucket is the bootstrap's, src/bootstrap). The hosts'
 * apt reads are anonymous (apt does not sign S3 requests), so they are admitted only through this
 * stack's S3 gateway endpoint (`aws:SourceVpce`, a fixed value: S3 Block Public Access does not count
 * the policy as public) and only over TLS; everyone else needs an identity policy of this account (the
 * deploy role writes, the preview role reads the indexes for preflight). The policy names the endpoint,
 * so this stack owns it, not the bootstrap: one bucket has one policy.
 */
export function packageMirrorPolicy(args: { partition: string; bucket: string; s3EndpointId: string }): PolicyDocument {
  const bucketArn = `arn:${args.partition}:s3:::${args.bucket}`;
  return policyDocument([
    { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
    { Sid: "HostsReadThroughTheEndpoint", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${bucketArn}/*`, Condition: { StringEquals: { "aws:SourceVpce": args.s3EndpointId } } },
  ]);
}

/** Registers the policy on each mirror bucket the stack's hosts read (none with `packageSource: proxy`). */
export class PackageMirrorAccess extends pulumi.ComponentResource {
  constructor(name: string, args: { region: string; buckets: readonly string[]; s3EndpointId: pulumi.Input<string> }, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:mirror:PackageMirrorAccess", name, {}, opts);
    for (const bucket of args.buckets) {
      new aws.s3.BucketPolicy(
        `${name}-${bucket}`,
        { bucket, policy: pulumi.output(args.s3EndpointId).apply((s3EndpointId) => JSON.stringify(packageMirrorPolicy({ partition: partitionOf(args.region), bucket, s3EndpointId }))) },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}
