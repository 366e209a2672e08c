import { describe, expect, it } from "vitest";
import type { ClusterConfig } from "../../src/config/sections/cluster";
import { CONTROL_PLANE_LOG_TYPES, planAddons, planEndpoint, planNodeTemplate, principalFromCallerArn } from "../../src/services/cluster-plan";
import { mirroredImage, planRepositories, serviceImage } from "../../src/services/images";
import { cpuMillis, memoryMiB, renderCpu, renderMemory } from "../../src/services/quantity";
import { build } from "./services-support";

const dev = build("dev");
const cluster: ClusterConfig = dev.platform.config.cluster;

describe("cluster plan", () => {
  it("keeps prod's endpoint private whatever the config says, and dev's public one restricted", () => {
    expect(planEndpoint("prod", { ...cluster, endpointPublicAccess: true })).toEqual({ endpointPrivateAccess: true, endpointPublicAccess: false });
    expect(planEndpoint("dev", cluster)).toEqual({ endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] });
    expect(() => planEndpoint("dev", { ...cluster, publicAccessCidrs: [] })).toThrow("fitness-platform:cluster.publicAccessCidrs = []: allowed: one or more admin CIDRs");
  });

  it("turns the caller's assumed-role session into the role ARN for its access entry", () => {
    expect(principalFromCallerArn("arn:aws:sts::111111111111:assumed-role/ci-deploy/gh-123")).toBe("arn:aws:iam::111111111111:role/ci-deploy");
    expect(principalFromCallerArn("arn:aws:iam::111111111111:user/alice")).toBe("arn:aws:iam::111111111111:user/alice");
    expect(() => principalFromCallerArn("arn:aws:sts::111111111111:federated-user/bob")).toThrow("allowed: an IAM role or user (set fitness-platform:cluster.deployerRoleArn)");
  });

  it("pins every add-on and turns on network-policy enforcement in the VPC CNI", () => {
    const addons = planAddons(cluster);
    expect(addons.map((a) => [a.name, a.version])).toEqual([
      ["vpc-cni", cluster.addons.vpcCni],
      ["kube-proxy", cluster.addons.kubeProxy],
      ["eks-pod-identity-agent", cluster.addons.podIdentityAgent],
      ["coredns", cluster.addons.coreDns],
      ["metrics-server", cluster.addons.metricsServer],
    ]);
    expect(JSON.parse(addons[0]!.configurationValues!)).toEqual({ enableNetworkPolicy: "true" });
    expect(addons.filter((a) => a.afterNodes).map((a) => a.name)).toEqual(["coredns", "metrics-server"]);
    expect(CONTROL_PLANE_LOG_TYPES).toHaveLength(5);
  });

  it("requires IMDSv2 with two hops and an encrypted root disk on nodes", () => {
    const t = planNodeTemplate(cluster);
    expect(t.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 2 });
    expect(t.rootVolume).toMatchObject({ encrypted: "true", volumeType: "gp3", volumeSize: cluster.nodeGroup.diskGiB });
  });
});

describe("images", () => {
  const scope = { project: "fitness-platform", accountId: "111111111111", region: "eu-central-1" };

  it("plans one repository per service and per mirrored image", () => {
    const repos = planRepositories("fitness-platform", dev.platform.catalog, dev.platform.config.images);
    expect(repos.filter((r) => r.kind === "service").map((r) => r.name)).toEqual(
      Object.keys(dev.platform.catalog.services).sort().map((s) => `fitness-platform/services/${s}`),
    );
    expect(repos.filter((r) => r.kind === "mirror").map((r) => r.source)).toContain("registry.k8s.io/ingress-nginx/controller");
  });

  it("references only this account's ECR, by immutable tag or tag@digest, and fails clearly on a missing entry", () => {
    expect(serviceImage(scope, dev.platform.config.images, "users")).toBe("111111111111.dkr.ecr.eu-central-1.amazonaws.com/fitness-platform/services/users:1.4.2");
    expect(() => serviceImage(scope, { ...dev.platform.config.images, serviceTags: {} }, "users")).toThrow("fitness-platform:images.serviceTags.users = (missing)");
    const gw = mirroredImage(scope, dev.platform.config.images, "ingress-nginx-controller");
    expect(gw).toMatchObject({ registry: "111111111111.dkr.ecr.eu-central-1.amazonaws.com", path: "fitness-platform/mirror/ingress-nginx-controller", digest: expect.stringMatching(/^sha256:/) });
    expect(() => mirroredImage(scope, dev.platform.config.images, "envoy")).toThrow('fitness-platform:images.mirrored has no "envoy"');
  });
});

describe("quantities", () => {
  it("parses and renders what the catalog uses", () => {
    expect([cpuMillis("250m"), cpuMillis("1"), cpuMillis("0.5")]).toEqual([250, 1000, 500]);
    expect([memoryMiB("512Mi"), memoryMiB("1Gi")]).toEqual([512, 1024]);
    expect([renderCpu(2250), renderCpu(3000), renderMemory(1536), renderMemory(2048)]).toEqual(["2250m", "3", "1536Mi", "2Gi"]);
    expect(() => cpuMillis("1k")).toThrow('cpu quantity "1k"');
  });

  it("sizes each namespace's quota for the HPA maximum plus one surge pod", () => {
    const hard = (dev.all.find((o) => o.kind === "ResourceQuota" && o.metadata.namespace === "orders")!["spec"] as { hard: Record<string, string> }).hard;
    // orders: max 8 → 9 pods × (250m, 384Mi requests; 1, 768Mi limits)
    expect(hard).toMatchObject({ pods: "9", "requests.cpu": "2250m", "requests.memory": "3456Mi", "limits.cpu": "9", "limits.memory": "6912Mi" });
  });
});

describe("cluster config", () => {
  const cluster = (data: Record<string, unknown>) => data["fitness-platform:cluster"] as Record<string, unknown>;

  it("accepts a deployer role ARN and rejects anything else in one line", () => {
    const ok = build("prod", { config: (c) => void (cluster(c)["deployerRoleArn"] = "arn:aws:iam::222222222222:role/ci/deploy") });
    expect(ok.platform.config.cluster.deployerRoleArn).toBe("arn:aws:iam::222222222222:role/ci/deploy");
    expect(() => build("prod", { config: (c) => void (cluster(c)["deployerRoleArn"] = "arn:aws:sts::222222222222:assumed-role/deploy/x") })).toThrow(
      /fitness-platform:cluster\.deployerRoleArn = .*allowed: an IAM role ARN/,
    );
  });

  it("requires the load balancer controller's chart and image to be pinned", () => {
    expect(() =>
      build("dev", { config: (c) => void ((cluster(c)["loadBalancerController"] as Record<string, unknown>)["imageDigest"] = "latest") }),
    ).toThrow(/fitness-platform:cluster\.loadBalancerController\.imageDigest = "latest": allowed: an image digest/);
  });
});
