/**
 * The availability zone names each region can have, pinned (region → AZ letters). Source: AWS, "AWS
 * Availability Zones" (docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html):
 * the AZ IDs per region; a region's AZ names are its code plus a letter, one per AZ. In the oldest
 * regions (us-east-1, us-west-1, ap-northeast-1) names are mapped per account, so the letters listed are
 * every name an account can see there. `preflight` confirms the names against the live account.
 * A region missing here is refused with a pointer to this table: add it (one line) from the same page.
 */
export const REGION_AZ_LETTERS: Readonly<Record<string, string>> = {
  "us-east-1": "abcdef",
  "us-east-2": "abc",
  "us-west-1": "abc",
  "us-west-2": "abcd",
  "ca-central-1": "abd",
  "ca-west-1": "abc",
  "eu-central-1": "abc",
  "eu-central-2": "abc",
  "eu-west-1": "abc",
  "eu-west-2": "abc",
  "eu-west-3": "abc",
  "eu-north-1": "abc",
  "eu-south-1": "abc",
  "eu-south-2": "abc",
  "ap-northeast-1": "abcd",
  "ap-northeast-2": "abcd",
  "ap-northeast-3": "abc",
  "ap-southeast-1": "abc",
  "ap-southeast-2": "abc",
  "ap-south-1": "abc",
  "sa-east-1": "abc",
  "af-south-1": "abc",
  "me-south-1": "abc",
  "il-central-1": "abc",
};

/** Why `az` is not an availability zone of `region`, or undefined when it is one. */
export function availabilityZoneProblem(region: string, az: string): string | undefined {
  const letters = REGION_AZ_LETTERS[region];
  if (letters === undefined) return `allowed: a region listed in src/config/availability-zones.ts (${region} is not; add it from AWS's list)`;
  const names = [...letters].map((l) => `${region}${l}`);
  return names.includes(az) ? undefined : `allowed: an availability zone of ${region} (${names.join(", ")})`;
}
