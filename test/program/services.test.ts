import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { synthesize } from "../../src/offline/engine/synthesize";
import { SECRET_SIG_KEY, type ResourceState, type StackExport } from "../../src/offline/snapshot/types";
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
  images.serviceTags.coach = "0.1.0";
  try {
    added = (await synthesize({ stack: "dev", projectRoot: ROOT, catalogFile, configOverrides: { images: JSON.stringify(images) } })).snapshot;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

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
const isSecret = (v: unknown) => typeof v === "object" && v !== null && SECRET_SIG_KEY in v;

describe.each(["dev", "prod"] as const)("the %s cluster", (stack) => {
  const s = () => snapshots[stack];

  it("pins the version, encrypts secrets with its own key, logs every control-plane type and uses API access entries", () => {
    const cluster = inputs(one(s(), "aws:eks/cluster:Cluster"));
    expect(cluster.version).toBe("1.33");
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
        [`arn:aws:iam::${account}:role/offline-engine`, "AmazonEKSClusterAdminPolicy", "cluster"],
        [operatorRole.outputs?.arn, "AmazonEKSViewPolicy", "cluster"],
      ]),
    );
    expect(assoc).toHaveLength(2);
  });

  it("runs nodes in the app subnets from a template with IMDSv2 (2 hops), an encrypted gp3 root and no SSH", () => {
    const ng = inputs(one(s(), "aws:eks/nodeGroup:NodeGroup"));
    expect(ng.remoteAccess).toBeUndefined();
    const lt = inputs(one(s(), "aws:ec2/launchTemplate:LaunchTemplate", (i) => i.name === `fitness-platform-${stack}-eks-cluster-nodes`));
    expect(lt.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 2 });
    expect(lt.blockDeviceMappings[0].ebs).toMatchObject({ volumeType: "gp3", encrypted: "true", kmsKeyId: expect.stringMatching(/^arn:aws:kms:/) });
    expect(lt.keyName).toBeUndefined();
    const appSg = one(s(), "aws:ec2/securityGroup:SecurityGroup", (i) => i.tags?.zone === "app" && i.name?.endsWith("-app"));
    expect(lt.vpcSecurityGroupIds).toEqual([appSg.id]);
  });

  it("installs the pinned add-ons, the VPC CNI with network-policy enforcement", () => {
    const addons: Record<string, Json> = Object.fromEntries(ofType(s(), "aws:eks/addon:Addon").map((r) => [String(inputs(r).addonName), inputs(r)]));
    expect(Object.keys(addons).sort()).toEqual(["coredns", "eks-pod-identity-agent", "kube-proxy", "metrics-server", "vpc-cni"]);
    expect(JSON.parse(addons["vpc-cni"].configurationValues)).toEqual({ enableNetworkPolicy: "true" });
    for (const a of Object.values(addons)) expect(a.addonVersion).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
  });

  it("keeps an immutable, scanned, KMS-encrypted ECR repository per service and mirrored image", () => {
    const repos = ofType(s(), "aws:ecr/repository:Repository").map(inputs);
    expect(repos.map((r) => r.name).sort()).toEqual(
      [
        ...["catalog", "notifications", "orders", "trainings", "users"].map((x) => `fitness-platform/services/${x}`),
        ...["aws-load-balancer-controller", "fluent-bit", "ingress-nginx-controller"].map((x) => `fitness-platform/mirror/${x}`),
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

  it("keeps the database password a secret in the snapshot", () => {
    const secret = k8sObject(s(), "kubernetes:core/v1:Secret", "orders", "orders-database");
    const stringData = inputs(secret).stringData;
    expect(isSecret(stringData) || isSecret(stringData?.password)).toBe(true);
  });

  it("wires Fluent Bit and the ingress gateway with their pinned charts", () => {
    const releases = Object.fromEntries(ofType(s(), "kubernetes:helm.sh/v3:Release").map((r) => [inputs(r).name, inputs(r)]));
    expect(Object.keys(releases).sort()).toEqual(["aws-load-balancer-controller", "fluent-bit", "ingress-nginx"]);
    expect(releases["ingress-nginx"].values.controller.service.type).toBe("ClusterIP");
    expect(releases["ingress-nginx"].values.controller.image.registry).toMatch(/^\d{12}\.dkr\.ecr\.eu-central-1\.amazonaws\.com$/);
    const tgb = one(s(), "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding");
    const tg = one(s(), "aws:lb/targetGroup:TargetGroup", (i) => i.targetType === "ip");
    expect(inputs(tgb).spec.targetGroupARN).toBe(tg.outputs?.arn);
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
      ["kubernetes:networking.k8s.io/v1:Ingress", "coach"],
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
    expect(container.image).toBe("111111111111.dkr.ecr.eu-central-1.amazonaws.com/fitness-platform/services/coach:0.1.0");
    expect(container.readinessProbe.httpGet).toEqual({ path: "/ready", port: "http" });
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
    // The gateway may now forward to coach on its port.
    const gatewayEgress = inputs(k8sObject(added, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "edge", "gateway-egress")).spec.egress;
    expect(gatewayEgress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "coach" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "coach" } } }],
      ports: [{ protocol: "TCP", port: 8081 }],
    });
  });
});
