import { describe, expect, it } from "vitest";
import { NAME_RULES, S3_BUCKET_NAME, WAF_METRIC_NAME, documentSize, nameProblem, tagProblems } from "../../src/conventions/aws-limits";
import { bucketName, isValidBucketName } from "../../src/conventions/naming";

/** The AWS limits table: each rule refuses what the AWS API refuses, for hostile values too (length, unicode, reserved words). */
const rule = (type: string, property = "name") => {
  const r = NAME_RULES[type]?.[property];
  if (r === undefined) throw new Error(`no rule for ${type}.${property}`);
  return r;
};

describe("name rules", () => {
  it.each([
    ["aws:iam/role:Role", "name", 64],
    ["aws:iam/user:User", "name", 64],
    ["aws:iam/instanceProfile:InstanceProfile", "name", 128],
    ["aws:lb/targetGroup:TargetGroup", "name", 32],
    ["aws:lb/loadBalancer:LoadBalancer", "name", 32],
    ["aws:sqs/queue:Queue", "name", 80],
    ["aws:eks/nodeGroup:NodeGroup", "nodeGroupName", 63],
    ["aws:eks/cluster:Cluster", "name", 100],
    ["aws:backup/vault:Vault", "name", 50],
    ["aws:backup/selection:Selection", "name", 50],
    ["aws:ssm/document:Document", "name", 128],
  ])("%s.%s accepts %i characters and refuses one more", (type, property, max) => {
    expect(nameProblem(rule(type, property), `a${"b".repeat(max - 1)}`)).toBeUndefined();
    expect(nameProblem(rule(type, property), `a${"b".repeat(max)}`)).toMatch(new RegExp(`is ${max + 1} characters: allowed \\d+\\.\\.${max}`));
  });

  it("target group and load balancer names: alphanumeric and hyphens, no hyphen at either end, no internal- prefix", () => {
    const tg = rule("aws:lb/targetGroup:TargetGroup");
    for (const bad of ["-edge", "edge-", "edge_gw", "edge.gw", "édge", "a b"]) expect(nameProblem(tg, bad), bad).toBeDefined();
    expect(nameProblem(tg, "fitness-platform-dev-edge-gw")).toBeUndefined();
    expect(nameProblem(rule("aws:lb/loadBalancer:LoadBalancer"), "internal-edge")).toMatch(/internal-/);
  });

  it("IAM names take only letters, digits and +=,.@_- (no unicode, no slash, no space)", () => {
    const role = rule("aws:iam/role:Role");
    for (const bad of ["rôle", "a/b", "a b", "a:b", "ａ"]) expect(nameProblem(role, bad), bad).toBeDefined();
    expect(nameProblem(role, "svc+=,.@_-A1")).toBeUndefined();
  });

  it("KMS aliases start with alias/ and never alias/aws/", () => {
    const alias = rule("aws:kms/alias:Alias");
    expect(nameProblem(alias, "alias/fitness-platform-dev-logs")).toBeUndefined();
    expect(nameProblem(alias, "alias/aws/ebs")).toMatch(/alias\/aws\//);
    expect(nameProblem(alias, "alias/AWS/ebs")).toMatch(/reserved/);
    expect(nameProblem(alias, "fitness-logs")).toBeDefined();
  });

  it("security group names and descriptions: EC2's character set, and no sg- prefix", () => {
    const sg = rule("aws:ec2/securityGroup:SecurityGroup");
    const description = rule("aws:ec2/securityGroup:SecurityGroup", "description");
    expect(nameProblem(sg, "sg-edge")).toMatch(/sg-/);
    expect(nameProblem(description, "HTTPS from the VPC (443) only: [a,b] {x} #1 @ops & more!$*")).toBeUndefined();
    for (const bad of ["Zugriff für Ärzte", "tab\there", "quote \"x\"", "it's", "50% off", "a|b", "x".repeat(256)]) expect(nameProblem(description, bad), bad).toBeDefined();
  });

  it("WAF metric names refuse white space and the reserved names", () => {
    expect(nameProblem(WAF_METRIC_NAME, "fitness-platform-dev-edge:rate#1")).toBeUndefined();
    for (const bad of ["All", "Default_Action", "has space", ""]) expect(nameProblem(WAF_METRIC_NAME, bad), bad).toBeDefined();
  });
});

describe("S3 bucket names (every rule of the naming page)", () => {
  it.each([
    "ab",
    "a".repeat(64),
    "Upper-case",
    "-edge",
    "edge-",
    "a..b",
    "192.168.5.4",
    "xn--edge",
    "sthree-edge",
    "amzn-s3-demo-edge",
    "edge-s3alias",
    "edge--ol-s3",
    "edge.mrap",
    "edge--x-s3",
    "edge--table-s3",
    "bücket",
  ])("refuses %s", (name) => {
    expect(nameProblem(S3_BUCKET_NAME, name)).toBeDefined();
    expect(isValidBucketName(name)).toBe(false);
  });

  it("bucketName() refuses a name that would carry a reserved prefix instead of creating it", () => {
    expect(() => bucketName({ project: "sthree", stack: "dev", accountId: "111111111111" }, "logs")).toThrow(/sthree-/);
    expect(bucketName({ project: "fitness-platform", stack: "dev", accountId: "111111111111" }, "logs", "audit")).toBe("fitness-platform-dev-logs-audit-111111111111");
  });
});

describe("tags", () => {
  it("accepts the design tags and unicode letters AWS allows", () => {
    expect(tagProblems({ project: "fitness-platform", Name: "Trainings-Übersicht 2026", "data-class": "critical" })).toEqual([]);
  });

  it("refuses more than 50 tags, long keys and values, the aws: prefix and characters outside the set", () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    expect(tagProblems(many)).toEqual([expect.stringMatching(/has 51 tags: allowed at most 50/)]);
    expect(tagProblems({ ["k".repeat(129)]: "v" })[0]).toMatch(/129 characters: allowed 1\.\.128/);
    expect(tagProblems({ k: "v".repeat(257) })[0]).toMatch(/257 characters: allowed at most 256/);
    expect(tagProblems({ "AWS:cloudformation": "x" })[0]).toMatch(/reserved prefix/);
    for (const bad of ["a,b", "a;b", "a*b", "quote\"", "emoji 🙂"]) expect(tagProblems({ k: bad }), bad).toHaveLength(1);
  });
});

describe("document sizes", () => {
  it("IAM counts characters without white space; S3, KMS and SQS count bytes", () => {
    expect(documentSize('{ "a" :\n\t"b" }', "characters without white space")).toBe(9);
    expect(documentSize("ü", "bytes")).toBe(2);
    expect(documentSize("ü", "characters")).toBe(1);
  });
});
