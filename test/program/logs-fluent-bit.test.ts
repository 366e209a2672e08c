import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { LogsConfig } from "../../src/config/sections/logs";
import { createContext } from "../../src/conventions/context";
import { LogArchive } from "../../src/logs/archive";
import { FluentBit } from "../../src/logs/fluent-bit";
import { eksClusterLogGroupName, encryptedLogGroup } from "../../src/logs/log-group";

/**
 * The parts of the log archive the composition root does not build yet (Fluent Bit needs the cluster,
 * the trail's CloudWatch delivery is optional, backup buckets come later), registered under mocks.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- registered inputs are free-form

const ACCOUNT = "333333333333";
const REGION = "eu-central-1";
const BACKUP_ARN = "arn:aws:s3:::fitness-platform-dev-backups-pitr";
const CLUSTER = "fitness-platform-dev-cluster";
const DIGEST = `sha256:${"c".repeat(64)}`;
const config: LogsConfig = {
  retentionDays: 30,
  auditRetentionDays: 90,
  logGroupRetentionDays: 30,
  abortIncompleteUploadDays: 3,
  fluentBit: { chartVersion: "0.48.9", imageTag: "3.2.10", imageDigest: DIGEST },
};

interface Registration {
  readonly type: string;
  readonly name: string;
  readonly inputs: Json;
  readonly provider?: string;
}
const registrations: Registration[] = [];

const value = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply((v) => (resolve(v), v)));

function one(type: string, name: string): Registration {
  const found = registrations.filter((r) => r.type === type && r.name === name);
  expect(found, `${type} ${name}`).toHaveLength(1);
  return found[0] as Registration;
}

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registrations.push({ type: args.type, name: args.name, inputs: args.inputs as Json, provider: args.provider });
        const arn =
          args.type === "aws:s3/bucket:Bucket"
            ? `arn:aws:s3:::${String(args.inputs["bucket"])}`
            : args.type === "aws:cloudwatch/logGroup:LogGroup"
              ? `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${String(args.inputs["name"])}`
              : `arn:aws:mock:${REGION}:${ACCOUNT}:${args.name}`;
        return { id: `${args.name}-id`, state: { ...args.inputs, arn } };
      },
      call: () => ({}),
    },
    "fitness-platform",
    "dev",
    false,
  );
  const ctx = createContext({ project: "fitness-platform", stack: "dev", environment: "dev", region: REGION, accountId: ACCOUNT });
  const archive = new LogArchive("logs", { ctx, config, trailToCloudWatch: true, extraDataEventBucketArns: [BACKUP_ARN] });
  const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
  const fluentBit = new FluentBit("fluent-bit", { ctx, config, provider, clusterName: CLUSTER, appLogsBucket: archive.appLogsBucket, logsKeyArn: archive.logsKey.arn });
  const eksGroup = encryptedLogGroup(
    "eks-log-group",
    { ctx, component: "cluster", zone: "app", logGroupName: eksClusterLogGroupName(CLUSTER), retentionInDays: config.logGroupRetentionDays, kmsKeyArn: archive.logsKey.arn },
    {},
  );
  await Promise.all([value(archive.trail.urn), value(fluentBit.release.urn), value(fluentBit.role.urn), value(eksGroup.urn), value(archive.trailLogGroup!.urn)]);
  // Children registered alongside (network policies, quota) settle within a few turns of the event loop.
  for (let i = 0; i < 50 && registrations.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy").length < 2; i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
});

describe("Fluent Bit", () => {
  it("installs the pinned official chart from this account's ECR chart mirror into the logging namespace through the cluster's provider", () => {
    const release = one("kubernetes:helm.sh/v3:Release", "fluent-bit-release");
    expect(release.inputs).toMatchObject({
      chart: `oci://${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/fitness-platform/charts/fluent-bit`,
      version: "0.48.9",
      namespace: "logging",
      createNamespace: false,
    });
    // No chart repository on the internet: the deployer fetches only from ECR.
    expect(release.inputs["repositoryOpts"]).toBeUndefined();
    expect(release.provider).toContain("cluster");
  });

  it("runs the mirrored image from this account's ECR, pinned by digest, and ships to the app log bucket", () => {
    const values = one("kubernetes:helm.sh/v3:Release", "fluent-bit-release").inputs["values"] as Json;
    expect(values["image"]).toMatchObject({ repository: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/fitness-platform/mirror/fluent-bit`, tag: `3.2.10@${DIGEST}` });
    expect(values["config"]["outputs"]).toMatch(new RegExp(`^\\s+bucket\\s+fitness-platform-dev-logs-app-${ACCOUNT}$`, "m"));
    expect(values["config"]["outputs"]).toMatch(/^\s+s3_key_format\s+\/containers\//m);
  });

  it("has its own role: Pod Identity of this cluster only, put only under containers/, bound to its service account", () => {
    const role = one("aws:iam/role:Role", "fluent-bit-role");
    const trust = JSON.parse(role.inputs["assumeRolePolicy"] as string) as Json;
    expect(trust["Statement"][0]["Principal"]).toEqual({ Service: "pods.eks.amazonaws.com" });
    expect(trust["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"]).toBe(`arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`);
    const policy = JSON.parse(one("aws:iam/rolePolicy:RolePolicy", "fluent-bit-role-policy").inputs["policy"] as string) as Json;
    expect(policy["Statement"].map((s: Json) => s["Resource"])).toEqual([
      `arn:aws:s3:::fitness-platform-dev-logs-app-${ACCOUNT}/containers/*`,
      `arn:aws:mock:${REGION}:${ACCOUNT}:logs-key`,
    ]);
    expect(one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "fluent-bit-pod-identity").inputs).toMatchObject({
      clusterName: CLUSTER,
      namespace: "logging",
      serviceAccount: "fluent-bit",
      roleArn: `arn:aws:mock:${REGION}:${ACCOUNT}:fluent-bit-role`,
    });
  });

  it("labels its namespace for Pod Security and isolates it with network policies", () => {
    const ns = one("kubernetes:core/v1:Namespace", "fluent-bit-namespace");
    expect(ns.inputs["metadata"]["labels"]).toMatchObject({ "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/warn": "restricted" });
    const policies = registrations.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs["metadata"]["name"]);
    expect(policies.sort()).toEqual(["default-deny", "fluent-bit-egress"]);
  });
});

describe("trail options", () => {
  it("records the backup buckets' object events as well", () => {
    const trail = one("aws:cloudtrail/trail:Trail", "logs-trail");
    const arns = (trail.inputs["advancedEventSelectors"] as Json[])[1]["fieldSelectors"][2]["startsWith"];
    expect(arns).toContain(`${BACKUP_ARN}/`);
  });

  it("delivers to an encrypted, expiring log group through a role only this trail can assume", () => {
    const group = one("aws:cloudwatch/logGroup:LogGroup", "logs-trail-log-group");
    expect(group.inputs).toMatchObject({ name: "/aws/cloudtrail/fitness-platform-dev-logs-trail", retentionInDays: 30, kmsKeyId: `arn:aws:mock:${REGION}:${ACCOUNT}:logs-key` });
    const trail = one("aws:cloudtrail/trail:Trail", "logs-trail");
    expect(trail.inputs["cloudWatchLogsGroupArn"]).toBe(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/cloudtrail/fitness-platform-dev-logs-trail:*`);
    const trust = JSON.parse(one("aws:iam/role:Role", "logs-trail-role").inputs["assumeRolePolicy"] as string) as Json;
    expect(trust["Statement"][0]["Condition"]).toEqual({ StringEquals: { "aws:SourceArn": `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/fitness-platform-dev-logs-trail` } });
  });

  it("pre-creates the EKS control-plane log group with the logs key and the configured retention", () => {
    expect(one("aws:cloudwatch/logGroup:LogGroup", "eks-log-group").inputs).toMatchObject({ name: `/aws/eks/${CLUSTER}/cluster`, retentionInDays: 30 });
  });
});
