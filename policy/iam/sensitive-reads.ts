/**
 * Reads that disclose what the platform protects, so that granting them on every resource is as bad as
 * a wildcard write. The classification follows what an action returns (the "Read" access level of the
 * AWS Service Authorization Reference covers both kinds): metadata (Describe*, List*, Get*Policy,
 * Get*Configuration) is harmless on "*"; an action is sensitive when it returns
 *   - secret material: secret values, parameter values, plaintext or data keys, passwords, credentials
 *     and tokens (secretsmanager:GetSecretValue, ssm:GetParameter*, kms:Decrypt, ec2:GetPasswordData ...);
 *   - stored data: objects, items, messages, records, log events, image layers, repository content
 *     (s3:GetObject, dynamodb:Scan, sqs:ReceiveMessage, logs:GetLogEvents, ecr:BatchGetImage ...).
 * A known list covers the AWS actions of both kinds; a name rule (read verb + a secret noun) covers
 * actions the list does not know, so a new service is judged by the same principle.
 */
const KNOWN_SENSITIVE: readonly string[] = [
  // Secret material.
  "secretsmanager:GetSecretValue",
  "secretsmanager:BatchGetSecretValue",
  "ssm:GetParameter",
  "ssm:GetParameters",
  "ssm:GetParametersByPath",
  "ssm:GetParameterHistory",
  "kms:Decrypt",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyPair",
  "kms:GenerateDataKeyPairWithoutPlaintext",
  "kms:GenerateDataKeyWithoutPlaintext",
  "ec2:GetPasswordData",
  "ec2:GetLaunchTemplateData",
  "ec2:GetConsoleOutput",
  "ec2:GetConsoleScreenshot",
  "sts:GetSessionToken",
  "sts:GetFederationToken",
  "redshift:GetClusterCredentials",
  "redshift:GetClusterCredentialsWithIAM",
  "rds-db:connect",
  "glue:GetConnection",
  "glue:GetConnections",
  "lambda:GetFunction",
  "lambda:GetFunctionConfiguration",
  "iam:GetCredentialReport",
  "acm:ExportCertificate",
  "acm-pca:GetCertificateAuthorityCertificate",
  "cognito-idp:AdminGetUser",
  "codeartifact:GetAuthorizationToken",
  // Stored data.
  "s3:GetObject",
  "s3:GetObjectVersion",
  "s3:GetObjectAttributes",
  "s3:GetObjectTorrent",
  "s3:GetObjectVersionTorrent",
  "s3:GetObjectVersionForReplication",
  "s3:SelectObjectContent",
  "s3-object-lambda:GetObject",
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:Scan",
  "dynamodb:PartiQLSelect",
  "dynamodb:GetRecords",
  "sqs:ReceiveMessage",
  "kinesis:GetRecords",
  "kinesis:SubscribeToShard",
  "firehose:GetRecords",
  "logs:GetLogEvents",
  "logs:FilterLogEvents",
  "logs:GetLogRecord",
  "logs:StartQuery",
  "logs:GetQueryResults",
  "logs:StartLiveTail",
  "athena:GetQueryResults",
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
  "codecommit:GitPull",
  "codecommit:GetBlob",
  "codecommit:GetFile",
  "ebs:GetSnapshotBlock",
  "backup:GetRecoveryPointRestoreMetadata",
  "rds-data:ExecuteStatement",
  "es:ESHttpGet",
];

/** Read-verb actions whose noun is secret material, for actions the list does not name. */
const SECRET_NOUN = /^(Get|BatchGet|Export|Retrieve|Download|Read|Describe)\w*(SecretValue|Secret|Password|Passphrase|Credential|Credentials|PrivateKey|Plaintext|DataKey|SessionToken|AccessToken|AuthToken|AuthorizationToken|ParameterValue)s?$/;

function patternRegex(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "i");
}

/**
 * The sensitive actions an action or action pattern covers (e.g. `s3:Get*` covers s3:GetObject);
 * empty when it covers none. IAM matches actions case-insensitively.
 */
export function sensitiveReadsCovered(action: string): string[] {
  const colon = action.indexOf(":");
  if (colon < 0) return action === "*" ? [...KNOWN_SENSITIVE] : [];
  const regex = patternRegex(action);
  const known = KNOWN_SENSITIVE.filter((a) => regex.test(a));
  if (known.length > 0) return known;
  const verb = action.slice(colon + 1);
  if (!/[*?]/.test(verb) && SECRET_NOUN.test(verb)) return [action];
  return [];
}

export function isSensitiveRead(action: string): boolean {
  return sensitiveReadsCovered(action).length > 0;
}
