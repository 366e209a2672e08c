import { describe, expect, it } from "vitest";
import { COMPONENT as EKS_COMPONENT } from "../../src/services/cluster";
import {
  MAX_MFA_AGE_SECONDS,
  SESSION_PREFERENCES_DOCUMENT,
  hostSessionStatements,
  EKS_NODE_COMPONENT,
  operatorSessionPolicy,
  operatorTrustPolicy,
  renderSessionPreferences,
} from "../../src/operator/operator-plan";

const trustInput = { providerAccountId: "210987654321", externalId: "fitness-dev-devops-provider-2026", region: "eu-central-1" };

describe("operator trust policy", () => {
  it("admits only the provider's account, with the external id and a fresh MFA", () => {
    const doc = operatorTrustPolicy(trustInput);
    expect(doc.Statement).toHaveLength(1);
    const [s] = doc.Statement;
    expect(s?.Principal).toEqual({ AWS: "arn:aws:iam::210987654321:root" });
    expect(s?.Action).toBe("sts:AssumeRole");
    expect(s?.Condition).toEqual({
      StringEquals: { "sts:ExternalId": "fitness-dev-devops-provider-2026" },
      Bool: { "aws:MultiFactorAuthPresent": "true" },
      NumericLessThan: { "aws:MultiFactorAuthAge": String(MAX_MFA_AGE_SECONDS) },
    });
  });

  it("rejects a malformed provider account or a short external id", () => {
    expect(() => operatorTrustPolicy({ ...trustInput, providerAccountId: "12345" })).toThrow(/allowed: a 12-digit AWS account id/);
    expect(() => operatorTrustPolicy({ ...trustInput, externalId: "short" })).toThrow(/allowed: at least 16 characters/);
  });
});

describe("operator session policy", () => {
  const doc = operatorSessionPolicy({
    project: "fitness-platform",
    environment: "prod",
    region: "eu-central-1",
    accountId: "222222222222",
    sessionKeyArn: "arn:aws:kms:eu-central-1:222222222222:key/abc",
  });
  const sid = (id: string) => doc.Statement.find((s) => s.Sid === id);

  it("starts sessions only on hosts tagged with this project and environment, with the document checked", () => {
    const s = sid("SessionsOnThisPlatformsHosts");
    expect(s?.Action).toBe("ssm:StartSession");
    expect(s?.Resource).toBe("arn:aws:ec2:eu-central-1:222222222222:instance/*");
    expect(s?.Condition?.["StringEquals"]).toEqual({ "ssm:resourceTag/project": "fitness-platform", "ssm:resourceTag/environment": "prod" });
    expect(s?.Condition?.["BoolIfExists"]).toEqual({ "ssm:SessionDocumentAccessCheck": "true" });
  });

  it("opens no session on an EKS node (fault 6: root on a node is every pod's tokens), matching the nodes' component tag", () => {
    const s = sid("SessionsOnThisPlatformsHosts");
    expect(s?.Condition?.["StringNotEquals"]).toEqual({ "ssm:resourceTag/component": EKS_NODE_COMPONENT });
    expect(EKS_NODE_COMPONENT).toBe(EKS_COMPONENT);
  });

  it("allows only the logged shell document, so no port forwarding or other documents", () => {
    const documents = doc.Statement.flatMap((s) => [s.Resource ?? []].flat()).filter((r) => r.includes(":document/"));
    expect(documents).toEqual([`arn:aws:ssm:eu-central-1:222222222222:document/${SESSION_PREFERENCES_DOCUMENT}`]);
  });

  it("grants no write action on Resource '*' and nothing beyond SSM sessions and the session key", () => {
    for (const s of doc.Statement) {
      const actions = [s.Action].flat();
      for (const a of actions) expect(a.startsWith("ssm:") || a === "kms:GenerateDataKey", a).toBe(true);
      if (s.Resource === "*") for (const a of actions) expect(/^ssm:(Describe|Get)/.test(a), a).toBe(true);
    }
    expect(sid("EncryptOwnSessions")?.Resource).toBe("arn:aws:kms:eu-central-1:222222222222:key/abc");
  });

  it("lets the operator end or resume only their own sessions", () => {
    expect(sid("OwnSessionsOnly")?.Condition).toEqual({ StringLike: { "ssm:resourceTag/aws:ssmmessages:session-id": "${aws:userid}" } });
  });
});

describe("session preferences document", () => {
  const input = { bucketName: "fitness-platform-prod-logs-app", keyPrefix: "ssm-sessions/", kmsKeyId: "arn:aws:kms:eu-central-1:222222222222:key/abc", idleSessionMinutes: 20, maxSessionMinutes: 60 };

  it("logs every session to S3 under ssm-sessions, encrypted, with the configured limits", () => {
    const doc = JSON.parse(renderSessionPreferences(input)) as { sessionType: string; inputs: Record<string, unknown> };
    expect(doc.sessionType).toBe("Standard_Stream");
    expect(doc.inputs).toMatchObject({
      s3BucketName: "fitness-platform-prod-logs-app",
      s3KeyPrefix: "ssm-sessions",
      s3EncryptionEnabled: true,
      kmsKeyId: input.kmsKeyId,
      idleSessionTimeout: "20",
      maxSessionDuration: "60",
      runAsEnabled: false,
    });
  });

  it("is deterministic and rejects limits Session Manager does not accept", () => {
    expect(renderSessionPreferences(input)).toBe(renderSessionPreferences({ ...input }));
    expect(() => renderSessionPreferences({ ...input, idleSessionMinutes: 61 })).toThrow(/allowed: 1..60/);
    expect(() => renderSessionPreferences({ ...input, maxSessionMinutes: 0 })).toThrow(/allowed: 1..1440/);
  });
});

describe("host session statements", () => {
  it("let a host decrypt sessions and write only under the session prefix", () => {
    const statements = hostSessionStatements({ region: "eu-central-1", bucketName: "b", keyPrefix: "ssm-sessions/", sessionKeyArn: "arn:k", bucketKeyArn: "arn:bk" });
    expect(statements.map((s) => [s.Action, s.Resource])).toEqual([
      ["kms:Decrypt", "arn:k"],
      ["s3:PutObject", "arn:aws:s3:::b/ssm-sessions/*"],
      ["s3:GetEncryptionConfiguration", "arn:aws:s3:::b"],
      ["kms:GenerateDataKey", "arn:bk"],
    ]);
  });
});
