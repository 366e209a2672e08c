import * as fs from "node:fs";
import * as path from "node:path";
import { serializeSnapshot } from "../src/offline/snapshot/writer";
import type { StackExport } from "../src/offline/snapshot/types";
import { compliantStack, tlsOnlyBucketPolicy } from "../test/policy/support/fixture-stack";
import type { BenchCase } from "./measure";

const AUDIT = "src/offline/cli/audit.ts";

/**
 * A stack of about `target` resources: the compliant fixture's network (VPC, zones, edge load balancer,
 * egress proxy, endpoints) plus repeated cells of what a service brings: a key, a bucket with its four
 * companions, a role with a policy, a security group with two rules, an instance, a launch template and
 * a volume. Every policy of the pack has work to do, and the reachability analysis sees hundreds of hosts.
 */
export function generatedSnapshot(target: number): StackExport {
  const s = compliantStack("bench");
  const { fx } = s;
  const zones = [
    ["app", s.subnets.app],
    ["data", s.subnets.data],
  ] as const;
  for (let i = 0; fx.size < target; i++) {
    const [zone, subnet] = zones[i % 2] as (typeof zones)[number];
    const tags = fx.tags(zone, `svc-${i}`, zone === "data" ? "critical" : "internal");
    const key = fx.add("aws:kms/key:Key", `svc-${i}-key`, { enableKeyRotation: true, deletionWindowInDays: 30, tags });
    const bucketName = `fitness-bench-svc-${i}`;
    const bucket = fx.add("aws:s3/bucket:Bucket", `svc-${i}-bucket`, { bucket: bucketName, tags });
    const on = { deps: { bucket: [bucket] } };
    fx.add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `svc-${i}-pab`, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, on);
    fx.add("aws:s3/bucketPolicy:BucketPolicy", `svc-${i}-policy`, { bucket: bucket.id, policy: tlsOnlyBucketPolicy(`arn:aws:s3:::${bucketName}`) }, on);
    fx.add("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `svc-${i}-sse`, { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn } }] }, { deps: { bucket: [bucket], rules: [key] } });
    fx.add("aws:s3/bucketOwnershipControls:BucketOwnershipControls", `svc-${i}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, on);
    const role = fx.add("aws:iam/role:Role", `svc-${i}-role`, { assumeRolePolicy: "{}", tags });
    fx.add("aws:iam/rolePolicy:RolePolicy", `svc-${i}-role-policy`, { role: role.id, policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: `arn:aws:s3:::${bucketName}/*` }] }) }, { deps: { role: [role] } });
    const sg = fx.add("aws:ec2/securityGroup:SecurityGroup", `svc-${i}-sg`, { vpcId: s.vpc.id, description: `svc ${i}`, tags }, { deps: { vpcId: [s.vpc] } });
    const peer = zone === "app" ? s.groups.alb : s.groups.app;
    fx.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", `svc-${i}-in`, { securityGroupId: sg.id, referencedSecurityGroupId: peer.id, ipProtocol: "tcp", fromPort: 8080, toPort: 8080, tags }, { deps: { securityGroupId: [sg], referencedSecurityGroupId: [peer] } });
    fx.add("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", `svc-${i}-out`, { securityGroupId: sg.id, referencedSecurityGroupId: s.groups.endpoints.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, tags }, { deps: { securityGroupId: [sg], referencedSecurityGroupId: [s.groups.endpoints] } });
    const metadataOptions = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 };
    fx.add(
      "aws:ec2/instance:Instance",
      `svc-${i}-host`,
      { ami: "ami-0c4e1d2b3a5f60718", instanceType: "t3.small", subnetId: subnet.id, vpcSecurityGroupIds: [sg.id], metadataOptions, rootBlockDevice: { encrypted: true, kmsKeyId: key.arn }, userData: `#!/bin/bash\necho svc-${i}\n`, tags },
      { deps: { subnetId: [subnet], vpcSecurityGroupIds: [sg], rootBlockDevice: [key] } },
    );
    fx.add("aws:ec2/launchTemplate:LaunchTemplate", `svc-${i}-lt`, { imageId: "ami-0c4e1d2b3a5f60718", metadataOptions, vpcSecurityGroupIds: [sg.id], tags }, { deps: { vpcSecurityGroupIds: [sg] } });
    fx.add("aws:ebs/volume:Volume", `svc-${i}-data`, { availabilityZone: "eu-central-1a", size: 10, encrypted: true, kmsKeyId: key.arn, tags }, { deps: { kmsKeyId: [key] } });
  }
  return fx.toExport();
}

/**
 * A real export's size per resource: outputs carry long documents (policies, user data, certificates).
 * Each resource gets an output document so that the whole export reaches about `bytes`.
 */
export function paddedExport(resources: number, bytes: number): string {
  const snapshot = generatedSnapshot(resources);
  const per = Math.max(0, Math.floor(bytes / snapshot.deployment.resources.length) - 1200);
  const statement = JSON.stringify({ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::fitness-bench/*" });
  const document = JSON.stringify({ Version: "2012-10-17", Statement: Array.from({ length: Math.ceil(per / statement.length) }, () => JSON.parse(statement) as unknown) });
  for (const r of snapshot.deployment.resources) r.outputs = { ...(r.outputs ?? r.inputs ?? {}), exportedDocument: document };
  return serializeSnapshot(snapshot);
}

/** `npm run audit` on a generated 10,000-resource snapshot (every policy, all levels advisory so it exits 0). */
export function auditCases(): BenchCase[] {
  return [
    {
      // Issue 20: large legitimate inputs still parse through the bounded JSON reader (limit 480 MiB).
      name: "audit, 200 MB export of 55,000 resources",
      command: (scratch) => {
        const input = path.join(scratch, "stack.json");
        const config = path.join(scratch, "policy-config.json");
        fs.writeFileSync(input, paddedExport(55_000, 200 * 1024 * 1024));
        fs.writeFileSync(config, JSON.stringify({ all: "advisory" }));
        return [AUDIT, "--input", input, "--config", config, "--format", "json", "--out", path.join(scratch, "audit.json")];
      },
      size: (scratch) => {
        const mib = (fs.statSync(path.join(scratch, "stack.json")).size / 2 ** 20).toFixed(0);
        const report = JSON.parse(fs.readFileSync(path.join(scratch, "audit.json"), "utf8")) as { input: { resources: number } };
        return `${mib} MiB, ${report.input.resources} resources`;
      },
    },
    {
      name: "audit, generated 10,000 resources",
      command: (scratch) => {
        const input = path.join(scratch, "stack.json");
        const config = path.join(scratch, "policy-config.json");
        fs.writeFileSync(input, serializeSnapshot(generatedSnapshot(10_000)));
        fs.writeFileSync(config, JSON.stringify({ all: "advisory" }));
        return [AUDIT, "--input", input, "--config", config, "--format", "json", "--out", path.join(scratch, "audit.json")];
      },
      size: (scratch) => {
        const report = JSON.parse(fs.readFileSync(path.join(scratch, "audit.json"), "utf8")) as { input: { resources: number }; violations: unknown[] };
        return `${report.input.resources} resources, ${report.violations.length} findings`;
      },
    },
  ];
}
