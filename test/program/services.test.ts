import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { committedCatalogText, committedConfigData, ROOT } from "../support/stack-config";

/**
 * The whole program under mocks: the EKS cluster, its nodes, add-ons, access entries and repositories,
 * and every catalog service's identity and objects, as the snapshot records them.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- snapshot inputs are free-form

const snapshots = {} as Record<"dev" | "prod", StackExport>;
let added: StackExport;

const COACH = `
  coach:
    description: Personal coaching plans built from completed trainings.
    port: 8081
    publicRoutes: [/api/coach]
    publishes: []
    subscribes: [training-completed]
    calls: [trainings]
    replicas: { min: 2, max: 5 }
    resources: { cpuRequest: 100m, memoryRequest: 128Mi, cpuLimit: 500m, memoryLimit: 256Mi }
    healthPath: /ready
`;

beforeAll(async () => {
  for (const stack of ["dev", "prod"] as const) snapshots[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
  // "Adding a service is one catalog entry" (plus its image tag).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "services-catalog-"));
  const catalogFile = path.join(dir, "catalog.yaml");
  fs.writeFileSync(catalogFile, committedCatalogText() + COACH);
  const images = committedConfigData("dev")["fitness-platform:images"] as Json;
  images.serviceTags.coach = `0.1.0@sha256:${"c".repeat(64)}`;
  try {
    added = (await synthesize({ stack: "dev", projectRoot: ROOT, catalogFile, configOverrides: { images: JSON.stringify(images) } })).snapshot;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);

const resources = (s: StackExport) => s.deployment.resources;
const ofType = (s: StackExport, type: string) => resources(s).filter((r) => r.type === type);
const inputs = (r: ResourceState) => (r.inputs ?? {}) as Json;
const one = (s: StackExport, type: string, pred: (i: Json) => boolean = () => true): ResourceState => {
  const found = ofType(s, type).filter((r) => pred(inputs(r)));
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const k8sObject = (s: StackExport, kind: string, namespace: string | undefined, name: string) =>
  one(s, kind, (i) => i.metadata?.name === name && i.metadata?.namespace === namespace);

describe.each(["dev", "prod"] as const)("the %s cluster", (stack) => {
  const s = () => snapshots[stack];

  it("pins the version, encrypts secrets with its own key, logs every control-plane type and uses API access entries", () => {
    const cluster = inputs(one(s(), "aws:eks/cluster:Cluster"));
    expect(cluster.version).toBe("1.35");
    // Fault 2: the service CIDR is pinned (NetworkPolicies name the API service address in it).
    expect(cluster.kubernetesNetworkConfig).toEqual({ serviceIpv4Cidr: "172.20.0.0/16", ipFamily: "ipv4" });
    expect(cluster.enabledClusterLogTypes).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    expect(cluster.accessConfig).toEqual({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
    const key = one(s(), "aws:kms/key:Key", (i) => i.description?.startsWith("EKS"));
    expect(cluster.encryptionConfig).toEqual({ provider: { keyArn: key.outputs?.arn }, resources: ["secrets"] });
    expect(inputs(key).enableKeyRotation).toBe(true);
    const appSubnets = ofType(s(), "aws:ec2/subnet:Subnet").filter((r) => inputs(r).tags?.zone === "app").map((r) => r.id);
    expect([...cluster.vpcConfig.subnetIds].sort()).toEqual([...appSubnets].sort());
  });

  it(stack === "prod" ? "keeps the API endpoint private" : "opens the API endpoint only to the configured CIDRs", () => {
    const vpc = inputs(one(s(), "aws:eks/cluster:Cluster")).vpcConfig;
    expect(vpc.endpointPrivateAccess).toBe(true);
    if (stack === "prod") {
      expect(vpc.endpointPublicAccess).toBe(false);
      expect(vpc.publicAccessCidrs).toBeUndefined();
    } else {
      expect(vpc.endpointPublicAccess).toBe(true);
      expect(vpc.publicAccessCidrs).toEqual(["203.0.113.0/24"]);
    }
  });

  it("creates the encrypted control-plane log group before the cluster (LOG-02)", () => {
    const cluster = one(s(), "aws:eks/cluster:Cluster");
    const group = one(s(), "aws:cloudwatch/logGroup:LogGroup", (i) => i.name === `/aws/eks/${inputs(cluster).name}/cluster`);
    expect(inputs(group).kmsKeyId).toMatch(/^arn:aws:kms:/);
    expect(cluster.dependencies).toContain(group.urn);
  });

  it("gives the deployer cluster admin and the operator view-only access", () => {
    const operatorRole = one(s(), "aws:iam/role:Role", (i) => i.name === `fitness-platform-${stack}-operator-devops-provider`);
    const assoc = ofType(s(), "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map((r) => [inputs(r).principalArn, inputs(r).policyArn.split("/").pop(), inputs(r).accessScope.type]);
    const account = stack === "dev" ? "111111111111" : "222222222222";
    expect(assoc).toEqual(
      expect.arrayContaining([
        // The bootstrap's deploy role, named in the stack file (cluster.deployerRoleArn), not whoever runs the engine.
        [`arn:aws:iam::${account}:role/fitness-platform-${stack}-ci-deploy`, "AmazonEKSClusterAdminPolicy", "cluster"],
        [operatorRole.outputs?.arn, "AmazonEKSViewPolicy", "cluster"],
      ]),
    );
    expect(assoc).toHaveLength(2);
  });

  it("runs one node group per zone from a template with IMDSv2 (1 hop), an encrypted gp3 root and no SSH", () => {
    const groups = ofType(s(), "aws:eks/nodeGroup:NodeGroup").map(inputs);
    const zones = (stack === "dev" ? 2 : 3);
    expect(groups).toHaveLength(zones);
    for (const ng of groups) {
      expect(ng.remoteAccess).toBeUndefined();
      expect(ng.subnetIds).toHaveLength(1);
      expect(ng.scalingConfig.maxSize).toBeGreaterThan(ng.scalingConfig.minSize);
    }
    // Fault 6: the node role carries no CNI rights; the CNI has its own identity.
    const nodeRole = one(s(), "aws:iam/role:Role", (i) => i.name === `fitness-platform-${stack}-eks-cluster-node`);
    const attached = ofType(s(), "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((r) => inputs(r).role === inputs(nodeRole).name).map((r) => String(inputs(r).policyArn));
    expect(attached.some((a) => a.endsWith("AmazonEKS_CNI_Policy"))).toBe(false);
    const lt = inputs(one(s(), "aws:ec2/launchTemplate:LaunchTemplate", (i) => i.name === `fitness-platform-${stack}-eks-cluster-nodes`));
    expect(lt.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
    expect(lt.blockDeviceMappings[0].ebs).toMatchObject({ volumeType: "gp3", encrypted: "true", kmsKeyId: expect.stringMatching(/^arn:aws:kms:/) });
    expect(lt.keyName).toBeUndefined();
    const appSg = one(s(), "aws:ec2/securityGroup:SecurityGroup", (i) => i.tags?.zone === "app" && i.name?.endsWith("-app"));
    expect(lt.vpcSecurityGroupIds).toEqual([appSg.id]);
  });

  it("installs the pinned add-ons, the VPC CNI with network-policy enforcement", () => {
    const addons: Record<string, Json> = Object.fromEntries(ofType(s(), "aws:eks/addon:Addon").map((r) => [String(inputs(r).addonName), inputs(r)]));
    expect(Object.keys(addons).sort()).toEqual(["coredns", "eks-pod-identity-agent", "kube-proxy", "metrics-server", "vpc-cni"]);
    expect(JSON.parse(addons["vpc-cni"].configurationValues)).toEqual({ enableNetworkPolicy: "true", env: { NETWORK_POLICY_ENFORCING_MODE: "strict", AWS_VPC_K8S_CNI_EXTERNALSNAT: "true" } });
    expect(addons["vpc-cni"].podIdentityAssociations).toEqual([{ roleArn: expect.stringMatching(/^arn:aws:iam::/), serviceAccount: "aws-node" }]);
    for (const a of Object.values(addons)) expect(a.addonVersion).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
  });

  it("keeps an immutable, scanned, KMS-encrypted ECR repository per service, mirrored image and mirrored chart", () => {
    const repos = ofType(s(), "aws:ecr/repository:Repository").map(inputs);
    expect(repos.map((r) => r.name).sort()).toEqual(
      [
        ...["catalog", "notifications", "orders", "trainings", "users"].map((x) => `fitness-platform/services/${x}`),
        ...["aws-load-balancer-controller", "cluster-autoscaler", "envoy-gateway", "envoy-proxy", "fluent-bit"].map((x) => `fitness-platform/mirror/${x}`),
        // Helm charts mirrored as OCI artifacts (src/mirror/chart-repositories.ts); Envoy Gateway's chart is gateway-helm.
        ...["aws-load-balancer-controller", "cluster-autoscaler", "fluent-bit", "gateway-helm"].map((x) => `fitness-platform/charts/${x}`),
      ].sort(),
    );
    for (const r of repos) {
      expect(r.imageTagMutability).toBe("IMMUTABLE");
      expect(r.imageScanningConfiguration).toEqual({ scanOnPush: true });
      expect(r.encryptionConfigurations[0].encryptionType).toBe("KMS");
    }
  });

  it("registers every Kubernetes object with the cluster's provider", () => {
    const provider = one(s(), "pulumi:providers:kubernetes");
    const objects = resources(s()).filter((r) => r.type.startsWith("kubernetes:"));
    expect(objects.length).toBeGreaterThan(90);
    for (const r of objects) expect(r.provider?.startsWith(`${provider.urn}::`), r.urn).toBe(true);
    expect(JSON.parse(String(inputs(provider).kubeconfig)).users[0].user.exec).toMatchObject({ command: "aws", args: expect.arrayContaining(["eks", "get-token"]) });
  });

  it("gives each service its own tagged pod role, with its database secret and no other", () => {
    const secrets = Object.fromEntries(
      ofType(s(), "aws:secretsmanager/secret:Secret")
        .filter((r) => String(inputs(r).name).includes("-databases-") && !String(inputs(r).name).endsWith("-tls"))
        .map((r) => [String(inputs(r).name), String(r.outputs?.arn)]),
    );
    expect(Object.keys(secrets).length).toBeGreaterThanOrEqual(4);
    for (const service of ["users", "trainings", "catalog", "orders", "notifications"]) {
      const role = one(s(), "aws:iam/role:Role", (i) => i.tags?.service === service);
      const trust = JSON.parse(String(inputs(role).assumeRolePolicy));
      expect(trust.Statement[0].Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
      const assoc = one(s(), "aws:eks/podIdentityAssociation:PodIdentityAssociation", (i) => i.serviceAccount === service);
      expect(inputs(assoc)).toMatchObject({ namespace: service, roleArn: role.outputs?.arn });
      const policy = one(s(), "aws:iam/rolePolicy:RolePolicy", (i) => i.name === `${service}-rights`);
      const text = String(inputs(policy).policy);
      const own = Object.entries(secrets).filter(([name]) => name.endsWith(`-${service}`));
      if (service !== "notifications") expect(own.map(([, arn]) => text.includes(arn)), service).toEqual([true]);
      for (const [name, arn] of Object.entries(secrets)) {
        if (own.some(([n]) => n === name)) continue;
        expect(text.includes(arn), `${service} must not read ${name}`).toBe(false);
      }
    }
  });

  it("keeps no database password in the cluster: no Kubernetes Secret at all (fault 3)", () => {
    expect(ofType(s(), "kubernetes:core/v1:Secret")).toEqual([]);
    const orders = inputs(k8sObject(s(), "kubernetes:core/v1:ConfigMap", "orders", "orders-config")).data;
    expect(String(orders.DB_SECRET_ARN)).toMatch(/^arn:aws:secretsmanager:/);
    expect(JSON.stringify(resources(s()).filter((r) => r.type.startsWith("kubernetes:")).map(inputs))).not.toMatch(/PGPASSWORD|secretKeyRef/);
  });

  it("wires Envoy Gateway (not ingress-nginx), the LB controller and the autoscaler with pinned charts from ECR (fault 1)", () => {
    const releases = Object.fromEntries(ofType(s(), "kubernetes:helm.sh/v3:Release").map((r) => [inputs(r).name, inputs(r)]));
    expect(Object.keys(releases).sort()).toEqual(["aws-load-balancer-controller", "cluster-autoscaler", "envoy-gateway", "fluent-bit"]);
    expect(JSON.stringify(releases)).not.toContain("ingress-nginx");
    for (const name of ["aws-load-balancer-controller", "cluster-autoscaler", "envoy-gateway"]) {
      expect(releases[name].chart).toMatch(/^oci:\/\/\d{12}\.dkr\.ecr\.eu-central-1\.amazonaws\.com\/fitness-platform\/charts\//);
      expect(releases[name].version).toMatch(/^v?\d+\.\d+\.\d+$/);
    }
    const eg = releases["envoy-gateway"].values;
    expect(eg.global.images.envoyGateway.image).toMatch(/^\d{12}\.dkr\.ecr\..*\/mirror\/envoy-gateway:v[\d.]+@sha256:[0-9a-f]{64}$/);
    expect(eg.global.images.envoyProxy.image).toMatch(/\/mirror\/envoy-proxy:distroless-v[\d.]+@sha256:[0-9a-f]{64}$/);
    // Fault 3: namespaced RBAC only, the fleet in the edge, the controller outside it.
    expect(eg.config.envoyGateway.provider.kubernetes).toMatchObject({ watch: { type: "Namespaces" }, deploy: { type: "GatewayNamespace" } });
    expect(releases["envoy-gateway"].namespace).toBe("envoy-gateway-system");
    // Fault 1: restricted security, only /tmp writable.
    const proxy = inputs(one(s(), "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy")).spec.provider.kubernetes.envoyDeployment;
    expect(proxy.container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] }, allowPrivilegeEscalation: false, runAsNonRoot: true });
    expect(proxy.container.securityContext.capabilities.add).toBeUndefined();
    expect(proxy.container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    const tgb = one(s(), "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding");
    const tg = one(s(), "aws:lb/targetGroup:TargetGroup", (i) => i.targetType === "ip");
    expect(inputs(tgb).spec.targetGroupARN).toBe(tg.outputs?.arn);
    expect(inputs(tgb).spec.serviceRef.name).toBe(inputs(one(s(), "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy")).spec.provider.kubernetes.envoyService.name);
  });

  it("gives the autoscaler its own pod identity, scaling only this cluster's groups (fault 5)", () => {
    const assoc = inputs(one(s(), "aws:eks/podIdentityAssociation:PodIdentityAssociation", (i) => i.serviceAccount === "cluster-autoscaler"));
    expect(assoc.namespace).toBe("cluster-autoscaler");
    const policy = JSON.parse(String(inputs(one(s(), "aws:iam/rolePolicy:RolePolicy", (i) => i.name === "scale-node-groups")).policy));
    const write = policy.Statement.find((x: Json) => x.Action.includes("autoscaling:SetDesiredCapacity"));
    expect(Object.keys(write.Condition.StringEquals)[0]).toMatch(/^aws:ResourceTag\/k8s\.io\/cluster-autoscaler\/fitness-platform-/);
  });
});

describe("adding a service is one catalog entry", () => {
  it("creates its repository, role, identity association and every object, with the right network rules", () => {
    const repo = one(added, "aws:ecr/repository:Repository", (i) => i.name === "fitness-platform/services/coach");
    expect(inputs(repo).imageTagMutability).toBe("IMMUTABLE");
    const role = one(added, "aws:iam/role:Role", (i) => i.tags?.service === "coach");
    const policy = String(inputs(one(added, "aws:iam/rolePolicy:RolePolicy", (i) => i.name === "coach-rights")).policy);
    expect(policy).toContain("sqs:ReceiveMessage");
    expect(policy).not.toContain("secretsmanager");
    expect(inputs(one(added, "aws:eks/podIdentityAssociation:PodIdentityAssociation", (i) => i.serviceAccount === "coach")).roleArn).toBe(role.outputs?.arn);

    for (const [kind, name] of [
      ["kubernetes:core/v1:ServiceAccount", "coach"],
      ["kubernetes:core/v1:ConfigMap", "coach-config"],
      ["kubernetes:core/v1:ConfigMap", "coach-messaging"],
      ["kubernetes:apps/v1:Deployment", "coach"],
      ["kubernetes:core/v1:Service", "coach"],
      ["kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "coach"],
      ["kubernetes:policy/v1:PodDisruptionBudget", "coach"],
      ["kubernetes:core/v1:ResourceQuota", "quota"],
      ["kubernetes:core/v1:LimitRange", "limits"],
      ["kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "coach"],
      ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "default-deny"],
      ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "allow-dns"],
      ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "coach-ingress"],
      ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "coach-egress"],
    ] as const) {
      k8sObject(added, kind, "coach", name);
    }
    expect(inputs(k8sObject(added, "kubernetes:core/v1:Namespace", undefined, "coach")).metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const deployment = inputs(k8sObject(added, "kubernetes:apps/v1:Deployment", "coach", "coach"));
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe(`111111111111.dkr.ecr.eu-central-1.amazonaws.com/fitness-platform/services/coach:0.1.0@sha256:${"c".repeat(64)}`);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/ready", port: 8081 });
    const messaging = inputs(k8sObject(added, "kubernetes:core/v1:ConfigMap", "coach", "coach-messaging")).data;
    expect(Object.keys(messaging)).toEqual(["QUEUE_URL_STANDARD"]);

    // coach calls trainings: trainings now admits coach; coach may send to trainings and nothing else in the cluster.
    const trainingsIngress = inputs(k8sObject(added, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "trainings", "trainings-ingress")).spec.ingress[0].from;
    expect(trainingsIngress).toContainEqual({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "coach" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "coach" } } });
    const usersIngress = inputs(k8sObject(added, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "users", "users-ingress")).spec.ingress[0].from;
    expect(JSON.stringify(usersIngress)).not.toContain("coach");
    const coachEgress = inputs(k8sObject(added, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "coach", "coach-egress")).spec.egress;
    const podPeers = coachEgress.flatMap((r: Json) => r.to).filter((p: Json) => p.podSelector !== undefined);
    expect(podPeers.map((p: Json) => p.podSelector.matchLabels["app.kubernetes.io/name"])).toEqual(["trainings"]);
    expect(JSON.stringify(coachEgress)).not.toContain("5432");
    // The gateway may now forward to coach on its port, and the controller watches its namespace.
    const gatewayEgress = inputs(k8sObject(added, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "edge", "envoy-egress")).spec.egress;
    const eg = inputs(one(added, "kubernetes:helm.sh/v3:Release", (i) => i.name === "envoy-gateway")).values;
    expect(eg.config.envoyGateway.provider.kubernetes.watch.namespaces).toContain("coach");
    expect(gatewayEgress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "coach" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "coach" } } }],
      ports: [{ protocol: "TCP", port: 8081 }],
    });
  });
});
