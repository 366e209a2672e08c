import { describe, expect, it } from "vitest";
import { aws01ResourceLimits } from "../../policy/aws/aws-01-resource-limits";
import { aws02EntityQuotas } from "../../policy/aws/aws-02-entity-quotas";
import type { PlatformPolicy } from "../../policy/framework/metadata";
import { audit, findings } from "./support/audit";
import { compliantStack, FixtureStack, type Json } from "./support/fixture-stack";

/** AWS-01 and AWS-02: each limit caught on a crafted resource, and passed just inside it. */
const keys = async (fx: FixtureStack, policy: PlatformPolicy) => findings(await audit(fx, [policy]), policy.meta.id).map((v) => v.finding);
const messages = async (fx: FixtureStack, policy: PlatformPolicy) => findings(await audit(fx, [policy]), policy.meta.id).map((v) => v.message);

function one(type: string, inputs: Json): FixtureStack {
  const fx = new FixtureStack();
  fx.add(type, "subject", { ...inputs, tags: fx.tags("app", "test") });
  return fx;
}
/** An IAM document of exactly `size` characters without white space (and bytes: it is ASCII). */
function documentOf(size: number): string {
  const shape = (n: number) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${"b".repeat(n)}/*` }] });
  const text = shape(size - shape(0).length);
  expect(text.length).toBe(size);
  return text;
}

describe("AWS-01 resource limits", () => {
  it.each([
    ["aws:iam/role:Role", { name: "r".repeat(65), assumeRolePolicy: documentOf(200) }, "name format"],
    ["aws:lb/targetGroup:TargetGroup", { name: "fitness-platform-dev-edge-gateway", port: 80 }, "name format"],
    ["aws:lb/targetGroup:TargetGroup", { name: "edge-gateway-", port: 80 }, "name format"],
    ["aws:sqs/queue:Queue", { name: "orders.queue" }, "name format"],
    ["aws:sqs/queue:Queue", { name: "orders-queue", fifoQueue: true }, "name fifo suffix"],
    ["aws:sns/topic:Topic", { name: "order-paid.fifo" }, "name fifo suffix"],
    ["aws:s3/bucket:Bucket", { bucket: "logs--ol-s3" }, "bucket format"],
    ["aws:kms/alias:Alias", { name: "alias/aws/logs" }, "name format"],
    ["aws:eks/nodeGroup:NodeGroup", { nodeGroupName: `nodes-${"z".repeat(58)}` }, "nodeGroupName format"],
    ["aws:backup/vault:Vault", { name: "vault.with.dots" }, "name format"],
    ["aws:codebuild/project:Project", { name: "-runner" }, "name format"],
    ["aws:ssm/document:Document", { name: "aws-bootstrap" }, "name format"],
    ["aws:ec2/securityGroup:SecurityGroup", { name: "edge", description: "Zugänge für Ärzte" }, "description format"],
    ["aws:iam/policy:Policy", { name: "p", policy: documentOf(6_145) }, "policy size"],
    ["aws:iam/role:Role", { name: "r", assumeRolePolicy: documentOf(2_049) }, "assumeRolePolicy size"],
    ["aws:kms/key:Key", { policy: documentOf(32_769) }, "policy size"],
    ["aws:s3/bucketPolicy:BucketPolicy", { bucket: "b", policy: documentOf(20_481) }, "policy size"],
    ["aws:sqs/queuePolicy:QueuePolicy", { queueUrl: "u", policy: documentOf(8_193) }, "policy size"],
    ["aws:ec2/networkAclRule:NetworkAclRule", { networkAclId: "acl-1", ruleNumber: 32_767, egress: false, protocol: "6", ruleAction: "allow", cidrBlock: "10.0.0.0/8" }, "nacl rule number"],
    ["aws:ec2/instance:Instance", { userDataBase64: Buffer.alloc(16_385).toString("base64") }, "user data size"],
    ["aws:ec2/launchTemplate:LaunchTemplate", { name: "lt-nodes", vpcSecurityGroupIds: ["sg-1", "sg-2", "sg-3", "sg-4", "sg-5", "sg-6"] }, "security groups per interface"],
    ["aws:wafv2/webAcl:WebAcl", { name: "waf", visibilityConfig: { metricName: "Default_Action" } }, "waf metric name"],
    ["aws:iam/group:Group", { name: "senders", path: "messaging/" }, "path format"],
    ["aws:ec2/vpcEndpoint:VpcEndpoint", { vpcId: "vpc-1", serviceName: "com.amazonaws.us-east-1.s3", vpcEndpointType: "Gateway" }, "endpoint region"],
    ["aws:sns/topicPolicy:TopicPolicy", { arn: "t", policy: JSON.stringify({ Version: "2012-10-17", Statement: Array.from({ length: 101 }, (_, i) => ({ Sid: `S${i}`, Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: "t" })) }) }, "sns policy statements"],
  ] as const)("%s: case %# is refused", async (type, inputs, key) => {
    expect(await keys(one(type, inputs), aws01ResourceLimits)).toEqual([key]);
  });

  it.each([
    ["aws:iam/role:Role", { name: "r".repeat(64), assumeRolePolicy: documentOf(2_048) }],
    ["aws:lb/targetGroup:TargetGroup", { name: "fitness-platform-dev-edge-gatewa", port: 80 }],
    ["aws:sqs/queue:Queue", { name: `${"q".repeat(75)}.fifo`, fifoQueue: true }],
    ["aws:iam/policy:Policy", { name: "p", policy: documentOf(6_144) }],
    ["aws:ec2/instance:Instance", { userDataBase64: Buffer.alloc(16_384).toString("base64") }],
    ["aws:ec2/launchTemplate:LaunchTemplate", { name: "lt-nodes", vpcSecurityGroupIds: ["sg-1", "sg-2", "sg-3", "sg-4", "sg-5"] }],
    ["aws:iam/group:Group", { name: "senders", path: "/messaging/" }],
    ["aws:ec2/vpcEndpoint:VpcEndpoint", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-central-1.s3", vpcEndpointType: "Gateway" }],
  ] as const)("%s: case %# at the limit passes", async (type, inputs) => {
    expect(await keys(one(type, inputs), aws01ResourceLimits)).toEqual([]);
  });

  it("counts a policy's size without white space, as IAM does", async () => {
    const padded = documentOf(6_000).replace(/,/g, ",\n                    ");
    expect(await keys(one("aws:iam/policy:Policy", { name: "p", policy: padded }), aws01ResourceLimits)).toEqual([]);
  });

  it("catches tags AWS refuses, naming the tag and the limit", async () => {
    const fx = new FixtureStack();
    fx.add("aws:sns/topic:Topic", "subject", { name: "t", tags: { ...fx.tags("app", "messaging"), publishers: "x".repeat(300), "aws:owner": "me", note: "a,b" } });
    const found = await messages(fx, aws01ResourceLimits);
    expect(found).toHaveLength(3);
    expect(found.join("\n")).toMatch(/tag publishers is 300 characters: allowed at most 256/);
    expect(found.join("\n")).toMatch(/reserved prefix aws:/);
    expect(found.join("\n")).toMatch(/tag note="a,b": allowed letters/);
  });

  it("catches an SQS policy with more statements than SQS accepts", async () => {
    const statements = Array.from({ length: 21 }, (_, i) => ({ Sid: `S${i}`, Effect: "Deny", Principal: "*", Action: "sqs:SendMessage", Resource: "arn:aws:sqs:eu-central-1:123456789012:q" }));
    const fx = one("aws:sqs/queuePolicy:QueuePolicy", { queueUrl: "u", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });
    expect(await keys(fx, aws01ResourceLimits)).toEqual(["sqs policy statements"]);
  });

  it("passes the compliant fixture stack", async () => {
    expect(await keys(compliantStack().fx, aws01ResourceLimits)).toEqual([]);
  });
});

describe("AWS-02 shared quotas", () => {
  it("adds up a role's inline policies (standalone and embedded) against 10,240 characters", async () => {
    const fx = new FixtureStack();
    const role = fx.add("aws:iam/role:Role", "app", { name: "app", assumeRolePolicy: documentOf(200), inlinePolicies: [{ name: "a", policy: documentOf(4_000) }], tags: fx.tags("app", "services") });
    fx.add("aws:iam/rolePolicy:RolePolicy", "app-b", { role: role.name, name: "b", policy: documentOf(4_000) }, { deps: { role: [role] } });
    expect(await keys(fx, aws02EntityQuotas)).toEqual([]);
    fx.add("aws:iam/rolePolicy:RolePolicy", "app-c", { role: role.name, name: "c", policy: documentOf(2_300) }, { deps: { role: [role] } });
    expect(await messages(fx, aws02EntityQuotas)).toEqual([expect.stringMatching(/aws:iam\/role:Role "app" its inline policies together are 103\d\d characters without white space: allowed at most 10240/)]);
  });

  it("counts managed policies attached to a role against the default 10", async () => {
    const fx = new FixtureStack();
    const role = fx.add("aws:iam/role:Role", "app", { name: "app", assumeRolePolicy: documentOf(200), managedPolicyArns: ["arn:aws:iam::aws:policy/A"], tags: fx.tags("app", "services") });
    for (let i = 0; i < 10; i++) fx.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", `att-${i}`, { role: role.name, policyArn: `arn:aws:iam::aws:policy/P${i}` }, { deps: { role: [role] } });
    expect(await keys(fx, aws02EntityQuotas)).toEqual(["managed policies"]);
  });

  it("counts a security group's rules per direction, inline and standalone, one per CIDR", async () => {
    const fx = new FixtureStack();
    const group = fx.add("aws:ec2/securityGroup:SecurityGroup", "sg", { name: "sg", description: "sg", ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: Array.from({ length: 30 }, (_, i) => `10.${i}.0.0/16`) }], tags: fx.tags("app", "network") });
    for (let i = 0; i < 30; i++) fx.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", `in-${i}`, { securityGroupId: group.id, cidrIpv4: `10.100.${i}.0/24`, ipProtocol: "tcp", fromPort: 443, toPort: 443, tags: fx.tags("app", "network") }, { deps: { securityGroupId: [group] } });
    expect(await keys(fx, aws02EntityQuotas)).toEqual([]);
    fx.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "in-61", { securityGroupId: group.id, cidrIpv4: "10.200.0.0/24", ipProtocol: "tcp", fromPort: 443, toPort: 443, tags: fx.tags("app", "network") }, { deps: { securityGroupId: [group] } });
    expect(await keys(fx, aws02EntityQuotas)).toEqual(["ingress rules"]);
  });

  it("counts network ACL rules per direction and refuses a rule number used twice", async () => {
    const fx = new FixtureStack();
    const acl = fx.add("aws:ec2/networkAcl:NetworkAcl", "acl", { vpcId: "vpc-1", tags: fx.tags("data", "network") });
    const rule = (i: number, n: number) =>
      fx.add("aws:ec2/networkAclRule:NetworkAclRule", `r-${i}`, { networkAclId: acl.id, ruleNumber: n, egress: false, protocol: "6", ruleAction: "allow", cidrBlock: "10.0.0.0/8", fromPort: 443, toPort: 443 }, { deps: { networkAclId: [acl] } });
    for (let i = 0; i < 20; i++) rule(i, 100 + i);
    expect(await keys(fx, aws02EntityQuotas)).toEqual([]);
    rule(20, 100);
    expect((await keys(fx, aws02EntityQuotas)).sort()).toEqual(["nacl ingress rule number", "nacl ingress rules"]);
  });

  it("refuses EKS access entries on a cluster that authenticates through the aws-auth ConfigMap only", async () => {
    const fx = new FixtureStack();
    const cluster = fx.add("aws:eks/cluster:Cluster", "cluster", { name: "c", roleArn: "arn:aws:iam::123456789012:role/c", vpcConfig: { subnetIds: ["s"] }, tags: fx.tags("app", "services") });
    fx.add("aws:eks/accessEntry:AccessEntry", "entry", { clusterName: cluster.name, principalArn: "arn:aws:iam::123456789012:role/deploy", type: "STANDARD", tags: fx.tags("app", "services") }, { deps: { clusterName: [cluster] } });
    expect(await keys(fx, aws02EntityQuotas)).toEqual(["authentication mode"]);
  });

  it("refuses two access entries for one principal (EKS admits one entry per IAM principal)", async () => {
    const fx = new FixtureStack();
    const cluster = fx.add("aws:eks/cluster:Cluster", "cluster", { name: "c", roleArn: "arn:aws:iam::123456789012:role/c", vpcConfig: { subnetIds: ["s"] }, accessConfig: { authenticationMode: "API" }, tags: fx.tags("app", "services") });
    const entry = (name: string) =>
      fx.add("aws:eks/accessEntry:AccessEntry", name, { clusterName: cluster.name, principalArn: "arn:aws:iam::123456789012:role/deploy", type: "STANDARD", tags: fx.tags("app", "services") }, { deps: { clusterName: [cluster] } });
    entry("first");
    expect(await keys(fx, aws02EntityQuotas)).toEqual([]);
    entry("second");
    expect(await keys(fx, aws02EntityQuotas)).toEqual(["access entry principal"]);
  });
});
