import * as fs from "node:fs";
import * as path from "node:path";
import { parseYaml } from "../../src/config/yaml-reader";
import { describe, expect, it } from "vitest";
import { deriveFromProject } from "../../src/mirror/derive";
import { deriveMirrorManifest, renderManifest } from "../../src/mirror/manifest";
import { readStackConfig } from "../../src/offline/engine/project";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState } from "../../src/offline/snapshot/types";
import { PROXY_PACKAGES } from "../../src/dmz/squid/debian";

/**
 * Day 0 (issue 13): the mirror list is the one the stacks need, and the first deploy's phases — the
 * `foundation` registers nothing inside the cluster, the deployer inside the VPC does the rest.
 */
const ROOT = path.resolve(__dirname, "..", "..");

describe("the mirror manifest", () => {
  it("is exactly what dev and prod use: every mirrored image, Helm chart and Debian package (regenerate with `npm run mirror -- manifest`)", async () => {
    const derived = renderManifest(await deriveFromProject(ROOT));
    expect(fs.readFileSync(path.join(ROOT, "mirror", "manifest.json"), "utf8")).toBe(derived);
    const manifest = JSON.parse(derived) as { images: unknown[]; charts: unknown[]; debian: { packages: string[]; archives: { path: string }[] } };
    expect(manifest.images.length).toBeGreaterThan(0);
    expect(manifest.charts.length).toBeGreaterThan(0);
    // Read through gzip+base64 user-data (database and etcd hosts) and base64 launch templates (proxy) alike.
    expect(manifest.debian.packages).toEqual(expect.arrayContaining(["postgresql-15", "patroni", "etcd-server", ...PROXY_PACKAGES]));
    expect(manifest.debian.archives.map((a) => a.path)).toEqual(["debian", "debian-security"]);
  }, 120_000);

  it("catches a workload running a mirror image the config does not list, and two stacks pinning one name differently", () => {
    const pod: ResourceState = {
      urn: "urn:pulumi:dev::p::kubernetes:apps/v1:Deployment::x",
      custom: true,
      type: "kubernetes:apps/v1:Deployment",
      inputs: { spec: { template: { spec: { containers: [{ image: "111111111111.dkr.ecr.eu-central-1.amazonaws.com/fitness-platform/mirror/envoy-gateway:v1.5.0@sha256:00" }] } } } },
    };
    expect(() => deriveMirrorManifest([{ stack: "dev", mirrored: [], resources: [pod] }])).toThrow(/runs mirror\/envoy-gateway, which fitness-platform:images.mirrored does not list/);
    const a = { name: "x", source: "r.example/x", tag: "1", digest: `sha256:${"a".repeat(64)}` };
    expect(() => deriveMirrorManifest([{ stack: "dev", mirrored: [a], resources: [] }, { stack: "prod", mirrored: [{ ...a, digest: `sha256:${"b".repeat(64)}` }], resources: [] }])).toThrow(
      /allowed: one digest per mirrored name/,
    );
  });
});

describe("the first deploy's phases", () => {
  it("foundation registers every AWS resource and the deployer, and nothing inside the cluster", async () => {
    const deploy = (readStackConfig(ROOT, "dev")["fitness-platform:deploy"] ?? {}) as Record<string, unknown>;
    const { snapshot } = await synthesize({ stack: "dev", projectRoot: ROOT, configOverrides: { deploy: JSON.stringify({ ...deploy, phase: "foundation" }) } });
    const resources = snapshot.deployment.resources;
    const inCluster = resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:"));
    expect(inCluster.map((r) => r.urn)).toEqual([]);
    for (const type of ["aws:eks/cluster:Cluster", "aws:codebuild/project:Project", "aws:ecr/repository:Repository", "aws:ec2/vpc:Vpc"]) {
      expect(resources.some((r) => r.type === type), type).toBe(true);
    }
  }, 120_000);

  it("platform: the deployer is in the DMZ with a group of its own, admitted to the EKS API on 443 by a rule of its own, and deploy.yml runs on it", async () => {
    const { snapshot } = await synthesize({ stack: "dev", projectRoot: ROOT });
    const resources = snapshot.deployment.resources;
    expect(resources.some((r) => r.type === "kubernetes:helm.sh/v3:Release")).toBe(true);
    const project = resources.find((r) => r.type === "aws:codebuild/project:Project") as ResourceState;
    const vpc = project.inputs?.vpcConfig as { subnets: string[]; securityGroupIds: string[] };
    const dmz = resources.filter((r) => r.type === "aws:ec2/subnet:Subnet" && (r.inputs?.tags as Record<string, string>).zone === "dmz").map((r) => r.id);
    expect(vpc.subnets.length).toBeGreaterThan(0);
    for (const subnet of vpc.subnets) expect(dmz).toContain(subnet);
    const deployerSg = resources.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup" && r.id === vpc.securityGroupIds[0]) as ResourceState;
    expect(deployerSg.urn).toContain("Deployer");
    const cluster = resources.find((r) => r.type === "aws:eks/cluster:Cluster") as ResourceState;
    const controlPlaneSgs = (cluster.inputs?.vpcConfig as { securityGroupIds: string[] }).securityGroupIds;
    const admitted = resources.filter(
      (r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && r.inputs?.referencedSecurityGroupId === deployerSg.id && controlPlaneSgs.includes(String(r.inputs?.securityGroupId)),
    );
    expect(admitted.map((r) => [r.inputs?.fromPort, r.inputs?.toPort, r.inputs?.ipProtocol])).toEqual([[443, 443, "tcp"]]);
    const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs as { deploy: { runsOn: string } };
    const workflow = parseYaml(fs.readFileSync(path.join(ROOT, ".github", "workflows", "deploy.yml"), "utf8"), "deploy.yml") as { jobs: Record<string, { "runs-on": string }> };
    expect(workflow.jobs.dev?.["runs-on"]).toBe(stack.deploy.runsOn);
  }, 120_000);
});
