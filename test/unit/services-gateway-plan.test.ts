import { describe, expect, it } from "vitest";
import { envoyGatewayValues, GATEWAY_SERVICE, planGatewayObjects, watchedNamespaces } from "../../src/services/gateway-plan";
import { mirroredImage } from "../../src/services/images";
import { build, TARGET_GROUP_ARN } from "./services-support";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- plain Kubernetes objects

const prod = build("prod");
const scope = { project: "fitness-platform", accountId: "222222222222", region: "eu-central-1" };
const objects = planGatewayObjects(prod.gateway, TARGET_GROUP_ARN);
const byKind = (kind: string) => objects.filter((o) => o.kind === kind) as Json[];
const values = envoyGatewayValues({
  controller: mirroredImage(scope, prod.platform.config.images, "envoy-gateway"),
  proxy: mirroredImage(scope, prod.platform.config.images, "envoy-proxy"),
  catalog: prod.platform.catalog,
}) as Json;

describe("the Envoy Gateway edge (fault 1: a maintained gateway whose pods start restricted)", () => {
  it("runs Envoy and its shutdown-manager restricted: no capability added, read-only root, /tmp the only writable path", () => {
    const [proxy] = byKind("EnvoyProxy");
    const deployment = proxy!.spec.provider.kubernetes.envoyDeployment;
    for (const sc of [deployment.container.securityContext, deployment.patch.value.spec.template.spec.containers[0].securityContext]) {
      expect(sc).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
      expect(sc.capabilities.add).toBeUndefined();
    }
    expect(deployment.patch.value.spec.template.spec.containers[0].name).toBe("shutdown-manager");
    // The shutdown-manager writes /tmp/shutdown-ready; Envoy its admin socket: one emptyDir, mounted in both.
    expect(deployment.pod.volumes).toEqual([{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }]);
    expect(deployment.container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(deployment.patch.value.spec.template.spec.containers[0].volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(deployment.pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } });
  });

  it("listens above 1023 so no NET_BIND_SERVICE is needed, and binds the ALB's target group to the fleet's fixed Service", () => {
    const [gateway] = byKind("Gateway");
    for (const l of gateway!.spec.listeners as Json[]) expect(l.port).toBeGreaterThanOrEqual(1024);
    const [proxy] = byKind("EnvoyProxy");
    expect(proxy!.spec.provider.kubernetes.envoyService).toEqual({ name: GATEWAY_SERVICE, type: "ClusterIP" });
    const [tgb] = byKind("TargetGroupBinding");
    expect(tgb!.spec).toEqual({ serviceRef: { name: GATEWAY_SERVICE, port: prod.platform.config.cluster.ingressGateway.port }, targetGroupARN: TARGET_GROUP_ARN, targetType: "ip" });
    expect(proxy!.spec.provider.kubernetes.envoyHpa.minReplicas).toBe(prod.platform.config.network.availabilityZones.length);
  });

  it("answers the ALB's health check on a host-less listener only the edge's own route may use", () => {
    const [gateway] = byKind("Gateway");
    const health = (gateway!.spec.listeners as Json[]).find((l) => l.hostname === undefined)!;
    expect(health.allowedRoutes.namespaces).toEqual({ from: "Same" });
    const route = byKind("HTTPRoute").find((r) => r.metadata.name === "alb-health")!;
    expect(route.spec.parentRefs[0].sectionName).toBe(health.name);
    expect(route.spec.rules[0].matches[0].path).toEqual({ type: "Exact", value: prod.platform.config.edge.healthCheckPath });
    const main = (gateway!.spec.listeners as Json[]).find((l) => l.hostname !== undefined)!;
    expect(main.hostname).toBe(prod.platform.config.edge.domainName);
    expect(main.allowedRoutes.namespaces.from).toBe("Selector");
  });

  it("installs the controller with namespaced RBAC only (fault 3), images by digest from ECR, no topology webhook", () => {
    expect(values.config.envoyGateway.provider.kubernetes.watch).toEqual({ type: "Namespaces", namespaces: watchedNamespaces(prod.platform.catalog) });
    expect(watchedNamespaces(prod.platform.catalog)).toEqual(["edge", ...Object.entries(prod.platform.catalog.services).filter(([, s]) => s.publicRoutes.length > 0).map(([n]) => n).sort()]);
    expect(values.config.envoyGateway.provider.kubernetes.deploy).toEqual({ type: "GatewayNamespace" });
    expect(values.global.images.envoyGateway.image).toMatch(/^222222222222\.dkr\.ecr\.eu-central-1\.amazonaws\.com\/fitness-platform\/mirror\/envoy-gateway:v1\.9\.1@sha256:[0-9a-f]{64}$/);
    expect(values.topologyInjector).toEqual({ enabled: false });
  });
});
