/** The ARN partition of a region, so that ARNs are right in China and GovCloud too. */
export function partitionOf(region: string): "aws" | "aws-cn" | "aws-us-gov" {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}
