import { describe, expect, it } from "vitest";
import type { ClusterConfig } from "../../src/config/sections/cluster";
import { LINUX_EPHEMERAL } from "../../src/network/nacl-plan";
import { planCapacity, platformDemand, serviceDemand } from "../../src/services/capacity-plan";
import { ADDONS_WITHOUT_PUBLISHED_TABLE, DOCUMENTED_ADDON_BUILDS, EKS_ADDON_NAMES, undocumentedAddonPins } from "../../src/services/eks-addon-versions";
import { apiServiceIp, checkAddonVersions, checkServiceCidr, CONTROL_PLANE_LOG_TYPES, planAddons, planEndpoint, planNodeTemplate, principalFromCallerArn } from "../../src/services/cluster-plan";
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
    // Fault 6: strict mode, so a new pod is never open before its policies attach.
    const cni = JSON.parse(addons[0]!.configurationValues!) as { enableNetworkPolicy: string; env: Record<string, string> };
    expect(cni.enableNetworkPolicy).toBe("true");
    expect(cni.env["NETWORK_POLICY_ENFORCING_MODE"]).toBe("strict");
    // Fault 6: the CNI has its own pod identity (nodes' IMDS is closed to pods).
    expect(addons[0]!.podIdentity).toEqual({ serviceAccount: "aws-node", managedPolicy: "AmazonEKS_CNI_Policy" });
    expect(addons.filter((a) => a.afterNodes).map((a) => a.name)).toEqual(["coredns", "metrics-server"]);
    expect(CONTROL_PLANE_LOG_TYPES).toHaveLength(5);
  });

  it("keeps SNAT and the NACLs consistent (fault 6): no node SNAT, so replies reach the pods' own ephemeral ports", () => {
    const cni = JSON.parse(planAddons(cluster)[0]!.configurationValues!) as { env: Record<string, string> };
    // With the CNI's SNAT on, replies return to randomised ports from 1024 up, below the NACLs' return range.
    const snatOn = cni.env["AWS_VPC_K8S_CNI_EXTERNALSNAT"] !== "true";
    const lowestReplyPort = snatOn ? 1024 : 32768;
    expect(lowestReplyPort).toBeGreaterThanOrEqual(LINUX_EPHEMERAL.from);
  });

  it("requires IMDSv2 with ONE hop and an encrypted root disk on nodes (fault 6)", () => {
    const t = planNodeTemplate(cluster);
    expect(t.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
    expect(t.rootVolume).toMatchObject({ encrypted: "true", volumeType: "gp3", volumeSize: cluster.nodeGroup.diskGiB });
  });

  it("pins a Kubernetes version in EKS standard support and kube-proxy built for it (fault 7)", () => {
    expect(cluster.kubernetesVersion).toBe("1.35");
    expect(() => checkAddonVersions(cluster)).not.toThrow();
    expect(() => checkAddonVersions({ ...cluster, addons: { ...cluster.addons, kubeProxy: "v1.33.0-eksbuild.2" } })).toThrow(
      "fitness-platform:cluster.addons.kubeProxy = v1.33.0-eksbuild.2: allowed: the kube-proxy build for Kubernetes 1.35",
    );
  });

  it("pins exactly the add-on builds EKS's version tables list for the cluster's Kubernetes version (fault 7)", () => {
    // Every add-on with a published table is pinned to a listed build; the two without one are named.
    for (const key of Object.keys(EKS_ADDON_NAMES) as (keyof typeof EKS_ADDON_NAMES)[]) {
      if (ADDONS_WITHOUT_PUBLISHED_TABLE.includes(key)) continue;
      expect(DOCUMENTED_ADDON_BUILDS[cluster.kubernetesVersion]?.[key]?.map((b) => b.version), key).toContain(cluster.addons[key]);
    }
    expect(undocumentedAddonPins(cluster)).toEqual([]);
    // A build of the right minor that the table does not list (the pins this change corrected) is refused.
    const stale = { ...cluster, addons: { ...cluster.addons, vpcCni: "v1.21.1-eksbuild.3", coreDns: "v1.13.2-eksbuild.1", kubeProxy: "v1.35.0-eksbuild.2" } };
    expect(undocumentedAddonPins(stale)).toEqual([
      "fitness-platform:cluster.addons.vpcCni = v1.21.1-eksbuild.3: allowed: the vpc-cni build EKS lists for Kubernetes 1.35 (v1.21.1-eksbuild.7)",
      "fitness-platform:cluster.addons.coreDns = v1.13.2-eksbuild.1: allowed: the coredns build EKS lists for Kubernetes 1.35 (v1.13.2-eksbuild.4)",
      "fitness-platform:cluster.addons.kubeProxy = v1.35.0-eksbuild.2: allowed: the kube-proxy build EKS lists for Kubernetes 1.35 (v1.35.3-eksbuild.2)",
    ]);
    expect(() => checkAddonVersions(stale)).toThrow("cluster.addons.vpcCni = v1.21.1-eksbuild.3");
    // A Kubernetes version without a recorded table refuses every tabled add-on rather than guessing.
    expect(undocumentedAddonPins({ ...cluster, kubernetesVersion: "1.36" as never })).toHaveLength(3);
    for (const builds of Object.values(DOCUMENTED_ADDON_BUILDS)) for (const list of Object.values(builds)) for (const b of list ?? []) expect(b.source).toMatch(/EKS user guide, .* row \d+\.\d+, read \d{4}-\d{2}-\d{2}/);
  });

  it("pins the service CIDR outside the VPC and derives the API service address from it (fault 2)", () => {
    expect(apiServiceIp("172.20.0.0/16")).toBe("172.20.0.1");
    expect(apiServiceIp("10.100.0.0/16")).toBe("10.100.0.1");
    expect(() => checkServiceCidr("172.20.0.0/16", "10.20.0.0/16")).not.toThrow();
    expect(() => checkServiceCidr("10.20.128.0/20", "10.20.0.0/16")).toThrow("fitness-platform:cluster.serviceIpv4Cidr = 10.20.128.0/20: allowed: a block outside the VPC 10.20.0.0/16");
  });
});

describe("node capacity (fault 5)", () => {
  const prod = build("prod");
  const demand = (b: typeof dev) => [...serviceDemand(b.platform.catalog), platformDemand("envoy", b.platform.config.cluster.ingressGateway.maxReplicas + 1, "260m", "320Mi")];

  it("fits every service at its HPA maximum with one availability zone lost, in both stacks", () => {
    for (const b of [dev, prod]) {
      const plan = planCapacity(b.platform.config.cluster, b.platform.config.network.availabilityZones.length, demand(b));
      expect(plan.nodesAfterZoneLoss * plan.capacity.cpuMillis).toBeGreaterThanOrEqual(plan.demand.cpuMillis);
      expect(plan.nodesAfterZoneLoss * plan.capacity.memoryMiB).toBeGreaterThanOrEqual(plan.demand.memoryMiB);
      expect(plan.nodesAfterZoneLoss * plan.capacity.pods).toBeGreaterThanOrEqual(plan.demand.pods);
    }
  });

  it("refuses node groups whose maxima cannot hold the services' maxima once a zone is gone", () => {
    expect(() => planCapacity({ ...cluster, nodeGroup: { ...cluster.nodeGroup, maxSize: 3 } }, 2, demand(dev))).toThrow(/fitness-platform:cluster\.nodeGroup\.maxSize = 3: allowed: >= \d+ per zone/);
    expect(() => planCapacity(cluster, 1, demand(dev))).toThrow("allowed: 2 or more");
    expect(() => planCapacity({ ...cluster, nodeGroup: { ...cluster.nodeGroup, instanceTypes: ["x9.huge"] } }, 2, demand(dev))).toThrow('"x9.huge": allowed: one of');
  });
});

describe("images", () => {
  const scope = { project: "fitness-platform", accountId: "111111111111", region: "eu-central-1" };

  it("plans one repository per service and per mirrored image", () => {
    const repos = planRepositories("fitness-platform", dev.platform.catalog, dev.platform.config.images);
    expect(repos.filter((r) => r.kind === "service").map((r) => r.name)).toEqual(
      Object.keys(dev.platform.catalog.services).sort().map((s) => `fitness-platform/services/${s}`),
    );
    const sources = repos.filter((r) => r.kind === "mirror").map((r) => r.source);
    expect(sources).toEqual(expect.arrayContaining(["docker.io/envoyproxy/gateway", "docker.io/envoyproxy/envoy", "registry.k8s.io/autoscaling/cluster-autoscaler"]));
    // Fault 1: the retired ingress-nginx is gone.
    expect(sources.filter((x) => x?.includes("ingress-nginx"))).toEqual([]);
  });

  it("references only this account's ECR, by immutable tag or tag@digest, and fails clearly on a missing entry", () => {
    expect(serviceImage(scope, dev.platform.config.images, "users")).toMatch(/^111111111111\.dkr\.ecr\.eu-central-1\.amazonaws\.com\/fitness-platform\/services\/users:1\.4\.2@sha256:[0-9a-f]{64}$/);
    expect(() => serviceImage(scope, { ...dev.platform.config.images, serviceTags: {} }, "users")).toThrow("fitness-platform:images.serviceTags.users = (missing)");
    expect(() => serviceImage(scope, { ...dev.platform.config.images, serviceTags: { users: "1.4.2" } }, "users")).toThrow("allowed: <tag>@sha256:<64 hex digits>");
    const gw = mirroredImage(scope, dev.platform.config.images, "envoy-gateway");
    expect(gw).toMatchObject({ registry: "111111111111.dkr.ecr.eu-central-1.amazonaws.com", path: "fitness-platform/mirror/envoy-gateway", digest: expect.stringMatching(/^sha256:/) });
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

  it("requires every chart to be pinned", () => {
    for (const key of ["loadBalancerController", "ingressGateway", "clusterAutoscaler"]) {
      expect(() => build("dev", { config: (c) => void ((cluster(c)[key] as Record<string, unknown>)["chartVersion"] = "latest") })).toThrow(
        new RegExp(`fitness-platform:cluster\\.${key}\\.chartVersion = "latest": allowed: a pinned chart version`),
      );
    }
  });
});
