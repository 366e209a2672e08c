/**
 * Fluent Bit's own AWS identity (EKS Pod Identity), as pure documents: the role can be assumed only
 * by the Pod Identity agent for this account's cluster, and it may only put objects under
 * `containers/` of the application log bucket, encrypting with the logs key through S3.
 */
import { LOG_PREFIXES } from "./archive-plan";
import { PARTITION, policyDocument, type PolicyDocument } from "./policy-document";
import { archiveWriteStatements } from "./writer-grants";

export const POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com";

export const eksClusterArn = (region: string, accountId: string, clusterName: string) =>
  `arn:${PARTITION}:eks:${region}:${accountId}:cluster/${clusterName}`;

export function fluentBitTrustPolicy(args: { accountId: string; region: string; clusterName: string }): PolicyDocument {
  return policyDocument([
    {
      Sid: "EksPodIdentityOfThisCluster",
      Effect: "Allow",
      Principal: { Service: POD_IDENTITY_SERVICE },
      // Pod Identity tags the session with the pod's namespace and service account.
      Action: ["sts:AssumeRole", "sts:TagSession"],
      Condition: {
        StringEquals: { "aws:SourceAccount": args.accountId },
        ArnEquals: { "aws:SourceArn": eksClusterArn(args.region, args.accountId, args.clusterName) },
      },
    },
  ]);
}

export function fluentBitPermissions(args: { bucketArn: string; keyArn: string; region: string }): PolicyDocument {
  return policyDocument(archiveWriteStatements({ ...args, prefix: LOG_PREFIXES.containers, sid: "ContainerLogs" }));
}
