import { describe, expect, it } from "vitest";
import { iamLeastPrivilege } from "../../policy/iam/iam-01-least-privilege";
import { kmsKeyHygiene } from "../../policy/kms/kms-01-key-hygiene";
import { audit, findings, messages } from "./support/audit";
import { compliantStack, type CompliantStack } from "./support/fixture-stack";

/**
 * IAM-01 and KMS-01 against the classes independent rule suites (Checkov CKV_AWS_60/61/108/111/358,
 * Trivy's IAM and KMS checks, Pulumi's awsguard) found missing: trust policies, sensitive reads on
 * every resource, and conditions that name a key but scope nothing.
 */
type Statement = Record<string, unknown>;

function withPolicy(statements: Statement[]): CompliantStack {
  const s = compliantStack();
  s.fx.update(s.rolePolicy, (i) => {
    i["policy"] = JSON.stringify({ Version: "2012-10-17", Statement: statements });
  });
  return s;
}

function withTrust(statements: Statement[]): CompliantStack {
  const s = compliantStack();
  s.fx.update(s.role, (i) => {
    i["assumeRolePolicy"] = JSON.stringify({ Version: "2012-10-17", Statement: statements });
  });
  return s;
}

async function iamFindings(s: CompliantStack, config: Record<string, unknown> = {}): Promise<string[]> {
  return findings(await audit(s.fx, [iamLeastPrivilege], { config: { "IAM-01": config } }), "IAM-01").map((v) => v.finding);
}

const ASSUME = "sts:AssumeRole";
const OTHER = "arn:aws:iam::999988887777:root";

describe("IAM-01 trust policies (assumeRolePolicy)", () => {
  it.each([
    ["any principal", { Effect: "Allow", Principal: "*", Action: ASSUME }, "trust *"],
    ["AWS *", { Effect: "Allow", Principal: { AWS: "*" }, Action: ASSUME }, "trust *"],
    ["a wildcard account ARN", { Effect: "Allow", Principal: { AWS: "arn:aws:iam::*:root" }, Action: ASSUME }, "trust AWS:arn:aws:iam::*:root"],
    ["another account", { Effect: "Allow", Principal: { AWS: OTHER }, Action: ASSUME }, `trust AWS:${OTHER}`],
    ["another account's role", { Effect: "Allow", Principal: { AWS: "arn:aws:iam::999988887777:role/ci" }, Action: ASSUME }, "trust AWS:arn:aws:iam::999988887777:role/ci"],
    [
      "another account with an external id only if it exists",
      { Effect: "Allow", Principal: { AWS: OTHER }, Action: ASSUME, Condition: { StringEqualsIfExists: { "sts:ExternalId": "a-long-shared-id" } } },
      `trust AWS:${OTHER}`,
    ],
    [
      "another account with MFA only",
      { Effect: "Allow", Principal: { AWS: OTHER }, Action: ASSUME, Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } },
      `trust AWS:${OTHER}`,
    ],
    ["any principal with a wildcard PrincipalArn", { Effect: "Allow", Principal: "*", Action: ASSUME, Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*" } } }, "trust *"],
    [
      "GitHub OIDC without a subject",
      { Effect: "Allow", Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } } },
      "trust Federated:arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
    ],
    [
      "GitHub OIDC for every repository",
      { Effect: "Allow", Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" } } },
      "trust Federated:arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
    ],
    ["NotPrincipal", { Effect: "Allow", NotPrincipal: { AWS: OTHER }, Action: ASSUME }, "trust NotPrincipal"],
  ])("fails a trust policy admitting %s", async (_name, statement, key) => {
    expect(await iamFindings(withTrust([statement]))).toEqual([key]);
  });

  it.each([
    ["a service", { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: ASSUME }],
    [
      "another account with an external id",
      { Effect: "Allow", Principal: { AWS: OTHER }, Action: ASSUME, Condition: { StringEquals: { "sts:ExternalId": "a-long-shared-id" } } },
    ],
    [
      "another account of our organisation",
      { Effect: "Allow", Principal: { AWS: OTHER }, Action: ASSUME, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abcdef1234" } } },
    ],
    ["any principal of our account", { Effect: "Allow", Principal: "*", Action: ASSUME, Condition: { StringEquals: { "aws:PrincipalAccount": "123456789012" } } }],
    [
      "GitHub OIDC for one repository",
      {
        Effect: "Allow",
        Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }, StringLike: { "token.actions.githubusercontent.com:sub": "repo:fitness/platform:ref:refs/heads/main" } },
      },
    ],
    ["a denied principal", { Effect: "Deny", Principal: "*", Action: ASSUME }],
  ])("passes a trust policy admitting %s", async (_name, statement) => {
    expect(await iamFindings(withTrust([statement]))).toEqual([]);
  });

  it("lets the stack's config trust its own account without a condition", async () => {
    const s = withTrust([{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: ASSUME }]);
    expect(await iamFindings(s)).toEqual(["trust AWS:arn:aws:iam::123456789012:root"]);
    expect(await iamFindings(s, { trustedAccounts: ["123456789012"] })).toEqual([]);
  });
});

describe("IAM-01 sensitive reads on every resource", () => {
  it.each([
    ["secretsmanager:GetSecretValue", "*", "read secretsmanager:GetSecretValue on *"],
    ["secretsmanager:Get*", "*", "read secretsmanager:Get* on *"],
    ["ssm:GetParameter*", "arn:aws:ssm:eu-central-1:123456789012:parameter/*", "read ssm:GetParameter* on arn:aws:ssm:eu-central-1:123456789012:parameter/*"],
    ["ssm:GetParametersByPath", "arn:aws:ssm:*:*:parameter/app", "read ssm:GetParametersByPath on arn:aws:ssm:*:*:parameter/app"],
    ["s3:GetObject", "arn:aws:s3:::*", "read s3:GetObject on arn:aws:s3:::*"],
    ["s3:Get*", "*", "read s3:Get* on *"],
    ["dynamodb:Scan", "arn:aws:dynamodb:eu-central-1:123456789012:table/*", "read dynamodb:Scan on arn:aws:dynamodb:eu-central-1:123456789012:table/*"],
    ["logs:GetLogEvents", "*", "read logs:GetLogEvents on *"],
    ["ec2:GetPasswordData", "*", "read ec2:GetPasswordData on *"],
    ["example:GetDatabasePassword", "*", "read example:GetDatabasePassword on *"],
  ])("fails %s on %s", async (action, resource, key) => {
    expect(await iamFindings(withPolicy([{ Effect: "Allow", Action: action, Resource: resource }]))).toEqual([key]);
  });

  it("fails kms:Decrypt on * (a write-level action) and GetSecretValue next to it", async () => {
    const keys = await iamFindings(withPolicy([{ Effect: "Allow", Action: ["kms:Decrypt", "secretsmanager:GetSecretValue"], Resource: "*" }]));
    expect(keys.sort()).toEqual(["read secretsmanager:GetSecretValue on *", "write kms:Decrypt on *"]);
  });

  it.each([
    ["metadata reads", { Effect: "Allow", Action: ["ec2:Describe*", "s3:ListAllMyBuckets", "secretsmanager:ListSecrets", "kms:DescribeKey", "s3:GetBucketPolicy"], Resource: "*" }],
    ["a named secret", { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:app/db-AbCdEf" }],
    ["a parameter path", { Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: "arn:aws:ssm:eu-central-1:123456789012:parameter/fitness/dev/*" }],
    ["a bucket's objects", { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::fitness-logs/*" }],
    [
      "secrets tagged for the service",
      { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/service": "orders" } } },
    ],
    ["the ECR token AWS only grants on *", { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" }],
  ])("passes %s", async (_name, statement) => {
    expect(await iamFindings(withPolicy([statement]))).toEqual([]);
  });
});

describe("conditions judged by operator and value (IAM-01 and KMS-01)", () => {
  const decryptAnywhere = (condition: Record<string, unknown>): Statement => ({ Effect: "Allow", Action: "kms:Decrypt", Resource: "*", Condition: condition });

  it.each([
    ["an IfExists operator", { StringEqualsIfExists: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } }],
    ["a negated operator", { StringNotEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } }],
    ["a Null test", { Null: { "aws:ResourceTag/service": "false" } }],
    ["a wildcard value", { StringLike: { "aws:ResourceTag/service": "*" } }],
    ["a wildcard service", { StringLike: { "kms:ViaService": "*.amazonaws.com" } }],
    ["ForAllValues on a missing key", { "ForAllValues:StringEquals": { "aws:ResourceTag/service": "orders" } }],
    ["a wildcard account", { StringLike: { "aws:ResourceAccount": "*" } }],
  ])("does not count %s as scoping a write on *", async (_name, condition) => {
    expect(await iamFindings(withPolicy([decryptAnywhere(condition)]))).toEqual(["write kms:Decrypt on *"]);
  });

  it("counts a literal service, tag or account as scoping", async () => {
    for (const condition of [{ StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } }, { StringEquals: { "aws:ResourceTag/service": "orders" } }, { StringEquals: { "aws:ResourceAccount": "123456789012" } }]) {
      expect(await iamFindings(withPolicy([decryptAnywhere(condition)])), JSON.stringify(condition)).toEqual([]);
    }
  });

  const keyPolicy = (condition: Record<string, unknown>) => ({ Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*", Condition: condition }] });

  it.each([
    ["ArnEquals aws:PrincipalArn arn:aws:iam::*", { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::*" } }],
    ["ArnLike aws:PrincipalArn on any account", { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/app" } }],
    ["StringLike aws:PrincipalAccount *", { StringLike: { "aws:PrincipalAccount": "*" } }],
    ["kms:CallerAccount if it exists", { StringEqualsIfExists: { "kms:CallerAccount": "123456789012" } }],
    ["ArnLike aws:SourceArn on any bucket", { ArnLike: { "aws:SourceArn": "arn:aws:s3:::*" } }],
    ["one specific and one wildcard account", { StringEquals: { "aws:PrincipalAccount": ["123456789012", "*"] } }],
  ])("KMS-01 fails a wildcard principal 'scoped' by %s", async (_name, condition) => {
    const s = compliantStack();
    s.fx.update(s.key, (i) => {
      i["policy"] = JSON.stringify(keyPolicy(condition));
    });
    expect(messages(await audit(s.fx, [kmsKeyHygiene]), "KMS-01")).toEqual(['KMS key "data-key": statement 1 allows a wildcard principal without a scoping condition.']);
  });

  it("KMS-01 passes a wildcard principal scoped to our account through a service", async () => {
    const s = compliantStack();
    s.fx.update(s.key, (i) => {
      i["policy"] = JSON.stringify(keyPolicy({ StringEquals: { "kms:CallerAccount": "123456789012", "kms:ViaService": "s3.eu-central-1.amazonaws.com" } }));
    });
    expect(messages(await audit(s.fx, [kmsKeyHygiene]), "KMS-01")).toEqual([]);
  });
});
