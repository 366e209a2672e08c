/**
 * Facts come from the program itself: a hand-made snapshot proves each derivation (surge, tenancy,
 * launch templates, bucket regions, service-linked roles, charts by any reference form), and the real
 * dev stack proves they follow the config rather than a copy of it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { validatePlatformConfig, type PlatformConfig } from "../../../src/config/validate";
import { s3MirrorBucket } from "../../../src/databases/package-mirror";
import { synthesize } from "../../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../../src/offline/snapshot/types";
import { documentationRange, namesIn, reservedDomain } from "../../../src/preflight/checks/placeholders";
import { nodeGroupSurge, preflightFacts } from "../../../src/preflight/facts";
import type { PreflightFacts } from "../../../src/preflight/types";
import { committedCatalogText, committedConfig, ROOT } from "../../support/stack-config";

function platform(stack: string): PlatformConfig {
  return validatePlatformConfig({ stack, config: committedConfig(stack), catalogFile: "src/config/catalog.yaml", catalogText: committedCatalogText(), now: new Date("2026-12-03T00:00:00Z") });
}

const urn = (type: string, name: string) => `urn:pulumi:prod::fitness-platform::${type}::${name}`;
const res = (type: string, name: string, extra: Partial<ResourceState>): ResourceState => ({ urn: urn(type, name), custom: true, type, ...extra });
const snapshot = (resources: ResourceState[]): StackExport => ({ version: 3, deployment: { manifest: { time: "", magic: "", version: "" }, resources } });

describe("facts from a snapshot", () => {
  const replicaProvider = res("pulumi:providers:aws", "replica", { id: "p-1", inputs: { region: "eu-west-1" } });
  const resources = [
    replicaProvider,
    res("aws:ec2/instance:Instance", "db-a-primary", { inputs: { instanceType: "r6i.large", tenancy: "dedicated" } }),
    res("aws:ec2/instance:Instance", "db-a-standby", { inputs: { instanceType: "r6i.large", tenancy: "dedicated" } }),
    res("aws:ec2/launchTemplate:LaunchTemplate", "proxy-lt", { id: "lt-1", inputs: { instanceType: "t3.small" } }),
    res("aws:autoscaling/group:Group", "proxy-asg", { inputs: { maxSize: 2, launchTemplate: { id: "lt-1", version: "1" } } }),
    res("aws:eks/nodeGroup:NodeGroup", "nodes", { inputs: { instanceTypes: ["m6i.large", "m6i.xlarge"], scalingConfig: { maxSize: 6 }, updateConfig: { maxUnavailable: 1 }, subnetIds: ["s-a", "s-b", "s-c"] } }),
    res("aws:s3/bucket:Bucket", "logs", { inputs: { bucket: "logs-222222222222" }, outputs: { region: "eu-central-1" } }),
    res("aws:s3/bucket:Bucket", "replica", { inputs: { bucket: "replica-222222222222" }, provider: `${replicaProvider.urn}::p-1` }),
    res("aws:s3/bucket:Bucket", "prefixed", { inputs: { bucketPrefix: "tmp-" } }),
    res("aws:iam/serviceLinkedRole:ServiceLinkedRole", "read-autoscaling", { external: true, id: "arn:aws:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling", inputs: { awsServiceName: "autoscaling.amazonaws.com" } }),
    res("aws:kms/key:Key", "ebs", { inputs: { policy: JSON.stringify({ Statement: [{ Principal: { AWS: "arn:aws:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling" } }] }) } }),
    res("aws:iam/serviceLinkedRole:ServiceLinkedRole", "eks-slr", { inputs: { awsServiceName: "eks.amazonaws.com" }, importID: "arn:aws:iam::222222222222:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS" }),
    res("aws:iam/serviceLinkedRole:ServiceLinkedRole", "elb-slr", { inputs: { awsServiceName: "elasticloadbalancing.amazonaws.com" }, outputs: { name: "AWSServiceRoleForElasticLoadBalancing" } }),
    res("aws:iam/role:Role", "cluster", { inputs: { assumeRolePolicy: "{}", description: "uses arn:aws:iam::222222222222:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS" } }),
    res("kubernetes:helm.sh/v3:Release", "gw", { inputs: { chart: "oci://222222222222.dkr.ecr.eu-central-1.amazonaws.com/fitness-platform/charts/gateway-helm", version: "1.5.0" } }),
    res("kubernetes:helm.sh/v4:Chart", "lbc", { inputs: { chart: "aws-load-balancer-controller", version: "1.13.2" } }),
  ];
  let facts: PreflightFacts;
  beforeAll(() => {
    facts = preflightFacts({ platform: platform("prod"), snapshot: snapshot(resources), restoreDrillInstanceType: "t3.large" });
  });

  it("counts instances with their tenancy, groups at their maximum, node groups with the update surge, and the drill", () => {
    expect(facts.capacity).toEqual([
      { purpose: "db-a-primary", instanceTypes: ["r6i.large"], count: 1, tenancy: "dedicated" },
      { purpose: "db-a-standby", instanceTypes: ["r6i.large"], count: 1, tenancy: "dedicated" },
      { purpose: "nodes (max 6 + update surge 6)", instanceTypes: ["m6i.large", "m6i.xlarge"], count: 12, tenancy: "default" },
      { purpose: "proxy-asg (max 2)", instanceTypes: ["t3.small"], count: 2, tenancy: "default" },
      { purpose: "restore drill (scripts/restore-drill.sh)", instanceTypes: ["t3.large"], count: 1, tenancy: "default" },
    ]);
  });

  it("surge is the larger of twice the AZs and maxUnavailable (or its percentage of the maximum)", () => {
    expect(nodeGroupSurge(3, 9, { maxUnavailable: 1 })).toBe(6);
    expect(nodeGroupSurge(2, 40, { maxUnavailable: 10 })).toBe(10);
    expect(nodeGroupSurge(2, 40, { maxUnavailablePercentage: 50 })).toBe(20);
    expect(nodeGroupSurge(2, 4, {})).toBe(4);
  });

  it("lists named buckets in the region of their provider; prefixed ones cannot collide", () => {
    expect(facts.buckets).toEqual([
      { name: "logs-222222222222", region: "eu-central-1" },
      { name: "replica-222222222222", region: "eu-west-1" },
    ]);
  });

  it("finds every service-linked role a policy names or the platform relies on, and whether the stack creates, adopts or only reads it", () => {
    expect(facts.serviceLinkedRoles).toEqual([
      { roleName: "AWSServiceRoleForAmazonEKS", service: "eks.amazonaws.com", createdByStack: true, adoptedByStack: true, neededBy: "cluster" },
      { roleName: "AWSServiceRoleForAmazonEKSNodegroup", service: "eks-nodegroup.amazonaws.com", createdByStack: false, adoptedByStack: false, neededBy: expect.stringContaining("the platform (EKS managed node groups") },
      // Read with `.get` (external): it must exist, the stack does not create it.
      { roleName: "AWSServiceRoleForAutoScaling", service: "autoscaling.amazonaws.com", createdByStack: false, adoptedByStack: false, neededBy: "ebs" },
      // The AWS Config recorder (detective controls) records as this role; the bootstrap creates it.
      { roleName: "AWSServiceRoleForConfig", service: "config.amazonaws.com", createdByStack: false, adoptedByStack: false, neededBy: expect.stringContaining("the platform (the AWS Config recorder") },
      { roleName: "AWSServiceRoleForElasticLoadBalancing", service: "elasticloadbalancing.amazonaws.com", createdByStack: true, adoptedByStack: false, neededBy: "elb-slr" },
    ]);
  });

  it("takes charts from the releases, whatever form the chart reference has", () => {
    expect(facts.charts).toEqual([
      { chart: "aws-load-balancer-controller", version: "1.13.2", repository: "fitness-platform/charts/aws-load-balancer-controller" },
      { chart: "gateway-helm", version: "1.5.0", repository: "fitness-platform/charts/gateway-helm" },
    ]);
  });
});

describe("facts of the real dev stack", () => {
  let facts: PreflightFacts;
  let config: PlatformConfig;
  let snap: StackExport;
  beforeAll(async () => {
    config = platform("dev");
    ({ snapshot: snap } = await synthesize({ stack: "dev", projectRoot: ROOT }));
    facts = preflightFacts({ platform: config, snapshot: snap, restoreDrillInstanceType: "t3.large" });
  });

  it("pins every mirrored image and every catalog service by tag and digest", () => {
    const c = config.config;
    const mirrored = facts.images.filter((i) => i.repository.includes("/mirror/"));
    expect(mirrored.map((i) => `${i.tag}@${i.digest ?? ""}`)).toEqual(c.images.mirrored.map((m) => `${m.tag}@${m.digest}`));
    const services = facts.images.filter((i) => i.repository.includes("/services/"));
    expect(services.map((i) => i.repository)).toEqual(Object.keys(config.catalog.services).sort().map((s) => `fitness-platform/services/${s}`));
    expect(services.map((i) => `${i.tag}@${i.digest ?? ""}`)).toEqual(Object.keys(config.catalog.services).sort().map((s) => c.images.serviceTags[s]));
  });

  it("sizes every node group of the program: its maximum plus the update surge over its AZs", () => {
    const groups = snap.deployment.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup");
    expect(groups.length).toBeGreaterThan(0);
    const expected = groups.map((g) => {
      const inputs = g.inputs as { scalingConfig: { maxSize: number }; subnetIds: string[]; updateConfig?: Record<string, unknown> };
      return inputs.scalingConfig.maxSize + nodeGroupSurge(inputs.subnetIds.length, inputs.scalingConfig.maxSize, inputs.updateConfig ?? {});
    });
    const counted = facts.capacity.filter((c) => c.purpose.includes("update surge")).map((c) => c.count);
    expect(counted.sort()).toEqual(expected.sort());
    expect(counted.every((c) => c > 0)).toBe(true);
  });

  it("counts at least one instance per critical domain, in default tenancy outside prod", () => {
    const hosts = facts.capacity.filter((c) => Object.values(config.config.databases.domains).some((d) => c.instanceTypes.includes(d.instanceType)) && c.count === 1 && !c.purpose.startsWith("restore"));
    expect(hosts.length).toBeGreaterThanOrEqual(Object.keys(config.config.databases.domains).length);
    expect(hosts.every((h) => h.tenancy === "default")).toBe(true);
  });

  it("needs the Auto Scaling service-linked role that the key policies name", () => {
    expect(facts.serviceLinkedRoles.map((r) => r.roleName)).toContain("AWSServiceRoleForAutoScaling");
  });

  it("reads the package mirror from databases.mirrorUrl and checks every interface endpoint of the network plan", () => {
    expect(facts.packageMirror?.bucket).toBe(s3MirrorBucket(config.config.databases.mirrorUrl ?? ""));
    expect(facts.packageMirror?.bucket).toMatch(/111111111111/);
    expect(facts.packageMirror?.indexes).toContain("debian/dists/bookworm/main/binary-amd64/Packages");
    expect(facts.interfaceEndpoints).toContain("email-smtp");
    expect(facts.buckets.length).toBeGreaterThan(0);
  });

  it("the drill's instance type is read from the script it runs", () => {
    expect(fs.readFileSync(path.join(ROOT, "scripts/restore-drill.sh"), "utf8")).toMatch(/\bINSTANCE_TYPE=t3\.large\b/);
  });
});

describe("placeholder detection (hostile inputs)", () => {
  it.each([
    ["203.0.113.0/24", "203.0.113.0/24"],
    ["203.0.113.77", "203.0.113.0/24"],
    ["198.51.100.0/25", "198.51.100.0/24"],
    ["192.0.0.0/16", "192.0.2.0/24"],
    ["2001:db8::/48", "2001:db8::/32"],
    ["2001:0DB8:1::1", "2001:db8::/32"],
  ])("%s overlaps a documentation range", (value, range) => {
    expect(documentationRange(value)).toBe(range);
  });
  it.each(["10.0.0.0/8", "192.0.3.0/24", "198.51.101.0/24", "2001:db9::/32", "1.4.2", "eu-central-1a"])("%s is not documentation", (value) => {
    expect(documentationRange(value)).toBeUndefined();
  });
  it.each([
    ["api.fitness.example.com", "example.com"],
    ["EXAMPLE.NET.", "example.net"],
    ["ops@fitness.example.org", "example.org"],
    ["https://mirror.example.com/debian", "example.com"],
    ["registry.example/fitness/app", "example"],
    ["shop.test", "test"],
    ["db.invalid", "invalid"],
    ["localhost", "localhost"],
    ["printer.local", "local"],
    ["router.home.arpa", "home.arpa"],
  ])("%s is an example value (%s)", (value, domain) => {
    expect(namesIn(value).map(reservedDomain)).toContain(domain);
  });
  it.each(["example.company.com", "myexample.com", "examples.org", "prod.fitness.internal", "no-reply@gymco.de", "registry.k8s.io/ingress-nginx/controller", "Users' accounts, profiles and consents"])("%s is not", (value) => {
    expect(namesIn(value).map(reservedDomain).filter((d) => d !== undefined)).toEqual([]);
  });
});
