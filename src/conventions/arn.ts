/** ARNs the areas build from plain strings (no Outputs), so plans stay pure and unit-testable. */

/** The ARN partition of a region, so that ARNs are right in China and GovCloud too. */
export function partitionOf(region: string): "aws" | "aws-cn" | "aws-us-gov" {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** The account itself as a principal (`:root` delegates to the account's IAM policies). */
export const accountRootArn = (partition: string, accountId: string) => `arn:${partition}:iam::${accountId}:root`;
