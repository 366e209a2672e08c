/** The IAM policy document shape the log archive renders (bucket, key and role policies). */
export type Principal = "*" | { readonly AWS?: string | string[]; readonly Service?: string | string[] };

export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, string | boolean | string[]>>>>;

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: Principal;
  readonly Action: string | string[];
  /** Absent only in trust (assume-role) policies. */
  readonly Resource?: string | string[];
  readonly Condition?: ConditionBlock;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: PolicyStatement[];
}

export function policyDocument(statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** Standard (aws) partition; the platform's regions are all in it. */
export const PARTITION = "aws";

export const bucketArn = (bucket: string) => `arn:${PARTITION}:s3:::${bucket}`;

export const trailArn = (region: string, accountId: string, trailName: string) =>
  `arn:${PARTITION}:cloudtrail:${region}:${accountId}:trail/${trailName}`;
