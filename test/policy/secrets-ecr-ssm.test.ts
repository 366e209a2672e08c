import type { PlatformPolicy } from "../../policy/framework/metadata";
import { describe, expect, it } from "vitest";
import { ecr01ScanningEncryption } from "../../policy/ecr/ecr-01-scanning-encryption";
import { iam02AccessKeyAge } from "../../policy/iam/iam-02-access-key-age";
import { sm01SecretsCmkRotation } from "../../policy/secrets/sm-01-secrets-cmk-rotation";
import { secretLikeName, ssm02ParameterSecureString } from "../../policy/secrets/ssm-02-parameter-secure-string";
import { ssm01SessionPreferences } from "../../policy/ssm/ssm-01-session-preferences";
import { audit, findings } from "./support/audit";
import { compliantStack } from "./support/fixture-stack";

/** SM-01, SSM-02, IAM-02, ECR-01 and SSM-01: a failing and a passing case for each, keyed by finding. */
type Stack = ReturnType<typeof compliantStack>;
const keys = async (s: Stack, policy: PlatformPolicy, config: Record<string, unknown> = {}) => findings(await audit(s.fx, [policy], { config }), policy.meta.id).map((v) => v.finding);

function withSecret(kmsKey: boolean, rotationDays?: number): Stack {
  const s = compliantStack();
  const secret = s.fx.add("aws:secretsmanager/secret:Secret", "db-password", { name: "app/db", ...(kmsKey ? { kmsKeyId: s.key.arn } : {}), tags: s.fx.tags("data", "databases", "critical") }, kmsKey ? { deps: { kmsKeyId: [s.key] } } : {});
  if (rotationDays !== undefined) {
    s.fx.add("aws:secretsmanager/secretRotation:SecretRotation", "db-password-rotation", { secretId: secret.id, rotationLambdaArn: "arn:aws:lambda:eu-central-1:123456789012:function:rotate", rotationRules: { automaticallyAfterDays: rotationDays } }, { deps: { secretId: [secret] } });
  }
  return s;
}

describe("SM-01 Secrets Manager key and rotation", () => {
  it("fails a secret on the AWS-managed key that never rotates", async () => {
    expect((await keys(withSecret(false), sm01SecretsCmkRotation)).sort()).toEqual(["aws-managed key", "rotation"]);
  });

  it("fails a rotation interval above the maximum", async () => {
    expect(await keys(withSecret(true, 180), sm01SecretsCmkRotation)).toEqual(["rotation every 180 days"]);
  });

  it("passes a secret on a CMK rotating every 30 days", async () => {
    expect(await keys(withSecret(true, 30), sm01SecretsCmkRotation)).toEqual([]);
  });

  it("accepts a waiver of the rotation finding, and only of it", async () => {
    const waiver = { resource: "db-password", finding: "rotation", reason: "rotation function pending", approver: "alice@example.com", expiry: "2030-12-31" };
    const result = await audit(withSecret(false).fx, [sm01SecretsCmkRotation], { config: { "SM-01": { waivers: [waiver] } } });
    expect(findings(result, "SM-01").map((v) => v.finding)).toEqual(["aws-managed key"]);
    expect(result.waivers.map((w) => w.status)).toEqual(["applied"]);
  });
});

describe("SSM-02 secret-like parameters are SecureString", () => {
  const parameter = (name: string, type: string) => {
    const s = compliantStack();
    s.fx.add("aws:ssm/parameter:Parameter", "param", { name, type, value: "x", tags: s.fx.tags("app", "api") });
    return s;
  };
  it.each(["/app/db/password", "/app/smtp-secret", "/app/stripeApiKey", "/app/PRIVATE_KEY", "/app/oauth/client_secret", "/app/db/connection-string"])("fails %s as String", async (name) => {
    expect(await keys(parameter(name, "String"), ssm02ParameterSecureString)).toEqual(["type String"]);
  });
  it.each([
    ["/app/db/password", "SecureString"],
    ["/app/db/host", "String"],
    ["/fitness-platform/dev/backups/personal-data/config", "String"],
    ["/app/passenger-count", "String"],
  ])("passes %s as %s", async (name, type) => {
    expect(await keys(parameter(name, type), ssm02ParameterSecureString)).toEqual([]);
  });
  it("splits camelCase and ignores words that merely contain a secret word", () => {
    expect([secretLikeName("dbPassword"), secretLikeName("tokenizer-config"), secretLikeName("bypass-list")]).toEqual([true, false, false]);
  });
});

describe("IAM-02 access key age", () => {
  const withKey = (createDate: string, status = "Active") => {
    const s = compliantStack();
    const user = s.fx.add("aws:iam/user:User", "smtp", { tags: s.fx.tags("global", "messaging") });
    s.fx.add("aws:iam/accessKey:AccessKey", "smtp-key", { user: user.id }, { deps: { user: [user] }, outputs: { user: user.id, status, createDate, id: "AKIAEXAMPLE" } });
    return s;
  };
  it("fails an active key older than 90 days on the audit's day", async () => {
    expect(await keys(withKey("2030-03-01T10:00:00Z"), iam02AccessKeyAge)).toEqual(["created 2030-03-01"]);
  });
  it("passes a young key, an inactive old key, and a stricter or looser limit from config", async () => {
    expect(await keys(withKey("2030-05-20T10:00:00Z"), iam02AccessKeyAge)).toEqual([]);
    expect(await keys(withKey("2029-01-01T10:00:00Z", "Inactive"), iam02AccessKeyAge)).toEqual([]);
    expect(await keys(withKey("2030-05-20T10:00:00Z"), iam02AccessKeyAge, { "IAM-02": { maxAgeDays: 14 } })).toEqual(["created 2030-05-20"]);
  });
});

describe("ECR-01 scanning and encryption", () => {
  const repo = (inputs: Record<string, unknown>, enhanced?: Record<string, unknown>) => {
    const s = compliantStack();
    const hasKey = JSON.stringify(inputs).includes(s.key.arn);
    s.fx.add("aws:ecr/repository:Repository", "orders-repo", { name: "fitness-platform/services/orders", ...inputs, tags: s.fx.tags("global", "services") }, hasKey ? { deps: { encryptionConfigurations: [s.key] } } : {});
    if (enhanced !== undefined) s.fx.add("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration", "scanning", enhanced);
    return { s, key: s.key.arn };
  };
  it("fails a repository that neither scans nor uses a CMK", async () => {
    const { s } = repo({ imageScanningConfiguration: { scanOnPush: false }, encryptionConfigurations: [{ encryptionType: "AES256" }] });
    expect((await keys(s, ecr01ScanningEncryption)).sort()).toEqual(["no scan on push", "not kms cmk"]);
  });
  it("fails enhanced scanning that does not cover the repository, and the AWS-managed KMS key", async () => {
    const { s } = repo({ encryptionConfigurations: [{ encryptionType: "KMS" }] }, { scanType: "ENHANCED", rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "other/*", filterType: "WILDCARD" }] }] });
    expect((await keys(s, ecr01ScanningEncryption)).sort()).toEqual(["no scan on push", "not kms cmk"]);
  });
  it("passes scan on push with a CMK, and enhanced scanning of every repository", async () => {
    const compliant = compliantStack();
    const onPush = repo({ imageScanningConfiguration: { scanOnPush: true }, encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: compliant.key.arn }] });
    expect(await keys(onPush.s, ecr01ScanningEncryption)).toEqual([]);
    const enhanced = repo({ encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: compliant.key.arn }] }, { scanType: "ENHANCED", rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "fitness-platform/*", filterType: "WILDCARD" }] }] });
    expect(await keys(enhanced.s, ecr01ScanningEncryption)).toEqual([]);
  });
});

describe("SSM-01 Session Manager preferences", () => {
  const withPreferences = (inputs: Record<string, unknown> | undefined) => {
    const s = compliantStack();
    if (inputs !== undefined) {
      s.fx.add("aws:ssm/document:Document", "session-preferences", { name: "SSM-SessionManagerRunShell", documentType: "Session", documentFormat: "JSON", content: JSON.stringify({ schemaVersion: "1.0", sessionType: "Standard_Stream", inputs }), tags: s.fx.tags("global", "operator") });
    }
    return s;
  };
  it("fails a stack with hosts and no preferences", async () => {
    expect(await keys(withPreferences(undefined), ssm01SessionPreferences)).toEqual(["no preferences"]);
  });
  it("fails preferences without a session key or with unencrypted transcripts", async () => {
    expect((await keys(withPreferences({ s3BucketName: "logs", s3EncryptionEnabled: false, kmsKeyId: "" }), ssm01SessionPreferences)).sort()).toEqual(["no kms key", "no transcripts"]);
  });
  it("passes encrypted sessions logged to S3 or to CloudWatch Logs", async () => {
    expect(await keys(withPreferences({ s3BucketName: "logs", s3EncryptionEnabled: true, kmsKeyId: "arn:aws:kms:eu-central-1:123456789012:key/1" }), ssm01SessionPreferences)).toEqual([]);
    expect(await keys(withPreferences({ cloudWatchLogGroupName: "/ssm/sessions", cloudWatchEncryptionEnabled: true, kmsKeyId: "alias/sessions" }), ssm01SessionPreferences)).toEqual([]);
  });
});
