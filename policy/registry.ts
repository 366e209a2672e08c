import type { EnforcementLevel, Policies } from "@pulumi/policy";
import packageJson from "./package.json";
import { awsLimitPolicies } from "./aws/policies";
import { backupsPolicies } from "./backups/policies";
import { databasesPolicies } from "./databases/policies";
import { dmzPolicies } from "./dmz/policies";
import { ecrPolicies } from "./ecr/policies";
import { ec2Policies } from "./ec2/policies";
import type { PlatformPolicy } from "./framework/metadata";
import { closingPolicies } from "./governance/policies";
import { iamPolicies } from "./iam/policies";
import { kmsPolicies } from "./kms/policies";
import { kubernetesPolicies } from "./kubernetes/policies";
import { messagingPolicies } from "./messaging/policies";
import { logsPolicies } from "./logs/policies";
import { networkPolicies } from "./network/policies";
import { s3Policies } from "./s3/policies";
import { secretsPolicies } from "./secrets/policies";
import { securityPolicies } from "./security/policies";
import { ssmPolicies } from "./ssm/policies";
import { tagPolicies } from "./tags/policies";

/**
 * Every policy of the pack, in evaluation order. Both `policy/index.ts` (the PolicyPack the Pulumi CLI
 * loads) and the offline auditor read this list, so a rule exists once. An area adds its rules with
 * one line: a `<area>/policies.ts` exporting a `PlatformPolicy[]`, spread in below.
 */
export const policyRegistry: readonly PlatformPolicy[] = [
  ...tagPolicies,
  ...s3Policies,
  ...kmsPolicies,
  ...iamPolicies,
  ...ec2Policies,
  ...networkPolicies,
  ...dmzPolicies,
  ...databasesPolicies,
  ...backupsPolicies,
  ...messagingPolicies,
  ...logsPolicies,
  ...kubernetesPolicies,
  ...secretsPolicies,
  ...ecrPolicies,
  ...ssmPolicies,
  ...securityPolicies,
  ...awsLimitPolicies,
  // Areas add their line above; the closing policies (GOV-01 reads what the others recorded) stay last.
  ...closingPolicies,
];

export interface PackInfo {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** Applies to policies that set no level of their own and get none from config. */
  readonly enforcementLevel: EnforcementLevel;
}

export const packInfo: PackInfo = {
  name: "fitness-platform",
  version: packageJson.version,
  description: packageJson.description,
  enforcementLevel: "advisory",
};

/** The policy objects exactly as the Pulumi engine gets them. */
export function pulumiPolicies(policies: readonly PlatformPolicy[] = policyRegistry): Policies {
  return policies.map((p) => p.policy);
}
