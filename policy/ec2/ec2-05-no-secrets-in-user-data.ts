import { defineResourcePolicy } from "../framework/define";
import { text, texts } from "../framework/props";
import { INSTANCE, LAUNCH_CONFIGURATION, LAUNCH_TEMPLATE } from "./compute";
import { decodeUserData, findSecrets } from "./secret-scan";

/** Where each type keeps its user data, and whether that field is base64. */
const USER_DATA_FIELDS: Readonly<Record<string, ReadonlyArray<[string, boolean]>>> = {
  [INSTANCE]: [
    ["userData", false],
    ["userDataBase64", true],
  ],
  [LAUNCH_TEMPLATE]: [["userData", true]],
  [LAUNCH_CONFIGURATION]: [
    ["userData", false],
    ["userDataBase64", true],
  ],
};

export const ec2NoSecretsInUserData = defineResourcePolicy({
  meta: {
    id: "EC2-05",
    title: "No secrets in user data",
    severity: "high",
    decisions: ["D5"],
    controls: { checkov: ["CKV_AWS_46"] },
    description:
      "User data of instances, launch templates and launch configurations (decoded from base64 and gzip where needed) " +
      "contains no private key, AWS access key, GitHub or Slack token, literal password/secret/token assignment (also " +
      "environment style: PGPASSWORD=, MYSQL_PWD=, *_PASSWORD=, *_SECRET=, *_TOKEN=, AWS_SECRET_ACCESS_KEY= ...), URI with " +
      "embedded credentials (postgres://user:password@host), .pgpass entry with a literal password, or high-entropy token. User data is readable by anyone who can describe the instance and by every process on it.",
    remediation:
      "Store the secret in Secrets Manager and let the host fetch it at boot with its instance role " +
      "(`aws secretsmanager get-secret-value`), through the VPC endpoint; put only the secret's name or ARN in user data.",
    enforcementLevel: "mandatory",
  },
  config: {
    ignorePatterns: {
      type: "array",
      items: { type: "string" },
      default: [],
      description: "Regular expressions for values known to be harmless (matched against the finding's text).",
    },
  },
  validate: (args, reportViolation) => {
    const fields = USER_DATA_FIELDS[args.type];
    if (fields === undefined) args.notApplicable("not an instance, launch template or launch configuration");
    const ignore = texts(args.getConfig<{ ignorePatterns?: string[] }>().ignorePatterns).map((p) => new RegExp(p));
    for (const [field, base64] of fields ?? []) {
      const value = text(args.props[field]);
      if (value === undefined || value === "") continue;
      const content = decodeUserData(value, base64);
      const seen = new Set<string>();
      for (const finding of findSecrets(content, ignore)) {
        const key = `${finding.kind}@${finding.line}`;
        if (seen.has(key)) continue;
        seen.add(key);
        reportViolation(`${args.type.split(":").pop()} "${args.name}": ${field} contains ${finding.kind} (line ${finding.line}).`, undefined, `${field} ${finding.kind}`);
      }
    }
  },
});
