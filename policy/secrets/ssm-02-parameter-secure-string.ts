import { defineResourcePolicy } from "../framework/define";
import { text } from "../framework/props";

const PARAMETER = "aws:ssm/parameter:Parameter";

/**
 * Names that say the value is secret, matched on word boundaries of a parameter path or logical name
 * (`/app/db/password`, `smtp-secret`, `apiKey`, `PRIVATE_KEY`), camelCase split first.
 */
const SECRET_WORDS = /(^|[^a-z0-9])(pass(word|wd|phrase)?|pwd|secrets?|tokens?|api[-_]?keys?|private[-_]?keys?|access[-_]?keys?|secret[-_]?keys?|credentials?|creds|client[-_]?secret|auth[-_]?token|conn(ection)?[-_]?string|dsn)([^a-z0-9]|$)/;

export function secretLikeName(name: string): boolean {
  const words = name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
  return SECRET_WORDS.test(words);
}

export const ssm02ParameterSecureString = defineResourcePolicy({
  meta: {
    id: "SSM-02",
    title: "SSM parameters with secret-like names are SecureString",
    severity: "high",
    decisions: ["D5"],
    controls: { checkov: ["CKV2_AWS_34"] },
    description:
      "An SSM parameter whose name (path or logical name) says it holds a secret (password, passphrase, secret, token, API key, " +
      "private or access key, credentials, connection string, DSN) has type SecureString, so its value is encrypted with KMS " +
      "and not shown to readers of String parameters.",
    remediation: 'Set type: "SecureString" with keyId naming a customer-managed key, or keep the secret in Secrets Manager and store only its ARN.',
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    if (args.type !== PARAMETER) args.notApplicable("not an SSM parameter");
    const name = text(args.props["name"]) ?? args.name;
    if (!secretLikeName(name) && !secretLikeName(args.name)) return;
    const type = text(args.props["type"]) ?? "String";
    if (type !== "SecureString") reportViolation(`SSM parameter "${name}" has a secret-like name but type ${type}; use SecureString.`, undefined, `type ${type}`);
  },
});
