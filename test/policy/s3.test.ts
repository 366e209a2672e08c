import { describe, expect, it } from "vitest";
import { s3PublicAccessBlock } from "../../policy/s3/s3-01-public-access-block";
import { s3TlsOnly } from "../../policy/s3/s3-02-tls-only";
import { s3Encryption } from "../../policy/s3/s3-03-encryption";
import { s3AclsAndPrincipals } from "../../policy/s3/s3-04-acls-and-principals";
import { audit, messages } from "./support/audit";
import { compliantStack, tlsOnlyBucketPolicy, type CompliantStack, type Ref } from "./support/fixture-stack";

function companion(s: CompliantStack, name: string): Ref {
  const state = s.fx.toExport().deployment.resources.find((r) => r.urn.endsWith(`::${name}`));
  if (state === undefined) throw new Error(name);
  return { urn: state.urn, id: state.id ?? "", arn: "", name, type: state.type };
}

describe("S3-01 block public access", () => {
  it("fails a bucket whose block leaves a flag off, naming the flag", async () => {
    const s = compliantStack();
    s.fx.update(companion(s, "logs-pab"), (i) => {
      i["restrictPublicBuckets"] = false;
    });
    const result = await audit(s.fx, [s3PublicAccessBlock]);
    expect(messages(result, "S3-01")).toEqual(['bucket "logs": public access block "logs-pab" does not set restrictPublicBuckets to true.']);
  });

  it("fails a bucket with no block at all", async () => {
    const s = compliantStack();
    s.fx.remove(companion(s, "logs-pab"));
    const result = await audit(s.fx, [s3PublicAccessBlock]);
    expect(messages(result, "S3-01")).toEqual(['bucket "logs" has no public access block.']);
  });

  it("links a block to its bucket by id when no property dependency was recorded", async () => {
    const s = compliantStack();
    delete s.fx.state(companion(s, "logs-pab")).propertyDependencies;
    const result = await audit(s.fx, [s3PublicAccessBlock]);
    expect(messages(result, "S3-01")).toEqual([]);
  });
});

describe("S3-02 TLS only", () => {
  it("fails a bucket policy without the aws:SecureTransport deny", async () => {
    const s = compliantStack();
    s.fx.update(s.bucketPolicy, (i) => {
      i["policy"] = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::fitness-test-logs/*" }] });
    });
    const result = await audit(s.fx, [s3TlsOnly]);
    expect(messages(result, "S3-02")).toEqual(['bucket "logs" has no bucket policy statement denying requests without TLS (aws:SecureTransport=false).']);
  });

  it("fails a deny that covers the bucket but not its objects", async () => {
    const s = compliantStack();
    s.fx.update(s.bucketPolicy, (i) => {
      i["policy"] = (i["policy"] as string).replace(',"arn:aws:s3:::fitness-test-logs/*"', "");
    });
    const result = await audit(s.fx, [s3TlsOnly]);
    expect(messages(result, "S3-02")).toHaveLength(1);
  });
});

describe("S3-03 encryption at rest", () => {
  it("fails SSE-S3 on a bucket that receives no log delivery", async () => {
    const s = compliantStack();
    s.fx.update(companion(s, "logs-sse"), (i) => {
      i["rules"] = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }];
    });
    const result = await audit(s.fx, [s3Encryption]);
    expect(messages(result, "S3-03")).toEqual(['bucket "logs" is encrypted with SSE-S3 (AES256); SSE-KMS with a customer-managed key is required.']);
  });

  it("fails SSE-KMS with the AWS-managed key, and a bucket without default encryption", async () => {
    const s = compliantStack();
    s.fx.update(companion(s, "logs-sse"), (i) => {
      i["rules"] = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/aws/s3" } }];
    });
    delete s.fx.state(companion(s, "logs-sse")).propertyDependencies;
    s.fx.add("aws:s3/bucket:Bucket", "plain", { bucket: "fitness-test-plain", tags: s.fx.tags("global", "logs") });
    const result = await audit(s.fx, [s3Encryption]);
    expect(messages(result, "S3-03")).toEqual([
      'bucket "logs" uses SSE-KMS without a customer-managed key (no kmsMasterKeyId, or the AWS-managed aws/s3 key).',
      'bucket "plain" has no default encryption configuration (SSE-KMS with a customer-managed key).',
    ]);
  });

  it("allows SSE-S3 on the bucket that receives load balancer access logs", async () => {
    const s = compliantStack();
    s.fx.update(companion(s, "logs-sse"), (i) => {
      i["rules"] = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }];
    });
    s.fx.update(s.alb, (i) => {
      i["accessLogs"] = { bucket: s.bucket.id, enabled: true };
    });
    s.fx.state(s.alb).propertyDependencies = { ...s.fx.state(s.alb).propertyDependencies, accessLogs: [s.bucket.urn] };
    const result = await audit(s.fx, [s3Encryption]);
    expect(messages(result, "S3-03")).toEqual([]);
  });
});

describe("S3-04 ACLs disabled, no wildcard principals", () => {
  it("fails a bucket without BucketOwnerEnforced and one that grants AllUsers", async () => {
    const s = compliantStack();
    s.fx.update(companion(s, "logs-ownership"), (i) => {
      i["rule"] = { objectOwnership: "ObjectWriter" };
    });
    s.fx.add(
      "aws:s3/bucketAcl:BucketAcl",
      "logs-acl",
      { bucket: s.bucket.id, accessControlPolicy: { owner: { id: "x" }, grants: [{ permission: "READ", grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" } }] } },
      { deps: { bucket: [s.bucket] } },
    );
    const result = await audit(s.fx, [s3AclsAndPrincipals]);
    expect(messages(result, "S3-04")).toEqual([
      'bucket "logs" does not disable ACLs (ownership controls with objectOwnership "BucketOwnerEnforced").',
      'bucket "logs": ACL "logs-acl" grants READ to AllUsers.',
    ]);
  });

  it("fails an Allow to a wildcard principal, and accepts one scoped to the account", async () => {
    const s = compliantStack();
    const open = { Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::fitness-test-logs/*" };
    const scoped = { ...open, Sid: "OrgRead", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } };
    s.fx.update(s.bucketPolicy, (i) => {
      i["policy"] = tlsOnlyBucketPolicy("arn:aws:s3:::fitness-test-logs", [open, scoped]);
    });
    const result = await audit(s.fx, [s3AclsAndPrincipals]);
    expect(messages(result, "S3-04")).toEqual(['bucket "logs": bucket policy statement "PublicRead" allows a wildcard principal without a scoping condition.']);
  });
});
