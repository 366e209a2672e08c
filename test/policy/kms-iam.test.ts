import { describe, expect, it } from "vitest";
import { iamLeastPrivilege } from "../../policy/iam/iam-01-least-privilege";
import { kmsKeyHygiene } from "../../policy/kms/kms-01-key-hygiene";
import { audit, messages } from "./support/audit";
import { compliantStack } from "./support/fixture-stack";

describe("KMS-01 key hygiene", () => {
  it("fails a key without rotation and with a 7-day deletion window", async () => {
    const s = compliantStack();
    s.fx.update(s.key, (i) => {
      i["enableKeyRotation"] = false;
      i["deletionWindowInDays"] = 7;
    });
    const result = await audit(s.fx, [kmsKeyHygiene]);
    expect(messages(result, "KMS-01")).toEqual([
      'KMS key "data-key" does not have automatic rotation enabled (enableKeyRotation).',
      'KMS key "data-key" has a deletion window of 7 days; at least 30 days are required.',
    ]);
  });

  it("fails a key policy that allows anyone, and exempts asymmetric keys from rotation", async () => {
    const s = compliantStack();
    s.fx.add("aws:kms/key:Key", "signing", {
      customerMasterKeySpec: "ECC_NIST_P256",
      keyUsage: "SIGN_VERIFY",
      policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:*", Resource: "*" }] }),
      tags: s.fx.tags("global", "security"),
    });
    const result = await audit(s.fx, [kmsKeyHygiene]);
    expect(messages(result, "KMS-01")).toEqual(['KMS key "signing": statement 1 allows a wildcard principal without a scoping condition.']);
  });

  it("takes the minimum window from the stack's policy config", async () => {
    const s = compliantStack();
    s.fx.update(s.key, (i) => {
      i["deletionWindowInDays"] = 20;
    });
    const strict = await audit(s.fx, [kmsKeyHygiene]);
    const relaxed = await audit(s.fx, [kmsKeyHygiene], { config: { "KMS-01": { minDeletionWindowDays: 14 } } });
    expect(messages(strict, "KMS-01")).toHaveLength(1);
    expect(messages(relaxed, "KMS-01")).toEqual([]);
  });
});

describe("IAM-01 least privilege", () => {
  it("fails write actions on Resource * and wildcard write actions, keeping reads and scoped statements", async () => {
    const s = compliantStack();
    s.fx.update(s.rolePolicy, (i) => {
      i["policy"] = JSON.stringify({
        Statement: [
          { Sid: "Writes", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: "*" },
          { Sid: "Wild", Effect: "Allow", Action: ["sqs:*", "s3:Get*"], Resource: "arn:aws:sqs:eu-central-1:123456789012:q" },
          { Sid: "Reads", Effect: "Allow", Action: ["ec2:Describe*", "s3:List*"], Resource: "*" },
        ],
      });
    });
    const result = await audit(s.fx, [iamLeastPrivilege]);
    expect(messages(result, "IAM-01")).toEqual([
      'IAM policy "app-role-policy" statement "Wild" allows the wildcard action sqs:*, which covers write actions.',
      'IAM policy "app-role-policy" statement "Writes" allows the sensitive read s3:GetObject on every resource (Resource *): it discloses secrets or stored data; name the resources.',
      'IAM policy "app-role-policy" statement "Writes" allows the write action s3:PutObject on every resource (Resource *).',
    ]);
  });

  it("fails an administrator policy, a * action and a user-attached policy", async () => {
    const s = compliantStack();
    s.fx.update(s.role, (i) => {
      i["managedPolicyArns"] = ["arn:aws:iam::aws:policy/AdministratorAccess"];
      i["inlinePolicies"] = [{ name: "everything", policy: JSON.stringify({ Statement: { Effect: "Allow", Action: "*", Resource: "*" } }) }];
    });
    const user = s.fx.add("aws:iam/user:User", "ops", { tags: s.fx.tags("global", "operator") });
    s.fx.add("aws:iam/userPolicyAttachment:UserPolicyAttachment", "ops-readonly", { user: user.id, policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }, { deps: { user: [user] } });
    const result = await audit(s.fx, [iamLeastPrivilege]);
    expect(messages(result, "IAM-01")).toEqual([
      'inline policy "everything" of role "app-role" statement 1 allows every action ("*"): an administrator policy.',
      'role "app-role" has the administrator policy arn:aws:iam::aws:policy/AdministratorAccess attached.',
      'aws:iam/userPolicyAttachment:UserPolicyAttachment "ops-readonly" attaches a policy to an IAM user; attach policies to roles only.',
    ]);
  });
});
