import { accountRootAdministration, autoScalingVolumeKeyUse } from "../conventions/iam-policy";
import { PARTITION, policyDocument, type PolicyDocument } from "../logs/policy-document";

/**
 * Key policy of the account's default EBS key. Besides the account root, the service-linked roles that
 * launch instances on our behalf (EC2 Auto Scaling for the proxy group and EKS managed node groups)
 * must be able to use the key, or encrypted-by-default volumes fail to attach. No wildcard principal.
 */
export function ebsDefaultKeyPolicy(accountId: string, autoScalingRoleArn: string): PolicyDocument {
  return policyDocument([
    accountRootAdministration(PARTITION, accountId, "AccountAdministration"),
    ...autoScalingVolumeKeyUse({
      autoScalingRoleArn,
      useSid: "AutoScalingUseOfTheKey",
      grantSid: "AutoScalingGrantsForAttachedVolumes",
      grantIsForAwsResource: true,
    }),
  ]);
}
