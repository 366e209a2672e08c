import { describe, expect, it } from "vitest";
import { RESTRICTED_NAMESPACE_LABELS, type KubeObject } from "../../src/services/objects";
import { messagingEnvironment } from "../../src/services/workload-plan";
import { canConnect } from "../../src/services/reachability";
import { build, CA_PEM, find, PROXY_URL } from "./services-support";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- plain Kubernetes objects

const dev = build("dev");
const services = Object.keys(dev.platform.catalog.services);
/** An address in the first DMZ subnet (where the ALB and the proxy's NLB have theirs). */
const inDmz = (host: number) => dev.services.dmzCidrs[0]!.replace(/\.0\/\d+$/, `.${host}`);
const podSpec = (o: KubeObject): Json => (o["spec"] as Json).template.spec as Json;

describe("per-service objects", () => {
  it("gives every catalog service its namespace (PSS restricted), account, workload, service, autoscaler, budget, quota and limits", () => {
    for (const s of services) {
      const spec = dev.platform.catalog.services[s]!;
      expect(find(dev.all, "Namespace", undefined, s).metadata.labels).toMatchObject(RESTRICTED_NAMESPACE_LABELS);
      expect(find(dev.all, "ServiceAccount", s, s)["automountServiceAccountToken"]).toBe(false);
      expect((find(dev.all, "Service", s, s)["spec"] as Json).type).toBe("ClusterIP");
      const hpa = find(dev.all, "HorizontalPodAutoscaler", s, s)["spec"] as Json;
      expect([hpa.minReplicas, hpa.maxReplicas]).toEqual([spec.replicas.min, spec.replicas.max]);
      expect(find(dev.all, "PodDisruptionBudget", s, s)["spec"]).toMatchObject({ maxUnavailable: 1 });
      expect((find(dev.all, "ResourceQuota", s, "quota")["spec"] as Json).hard).toMatchObject({ "services.loadbalancers": "0", "services.nodeports": "0" });
      expect(find(dev.all, "LimitRange", s, "limits")).toBeDefined();
    }
  });

  it("runs every service container restricted, with the catalog's resources, probes on healthPath and zone spread", () => {
    for (const s of services) {
      const spec = dev.platform.catalog.services[s]!;
      const pod = podSpec(find(dev.all, "Deployment", s, s));
      expect(pod.serviceAccountName).toBe(s);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      const [c] = pod.containers as Json[];
      expect(c!.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
      expect(c!.resources).toEqual({
        requests: { cpu: spec.resources.cpuRequest, memory: spec.resources.memoryRequest },
        limits: { cpu: spec.resources.cpuLimit, memory: spec.resources.memoryLimit },
      });
      // Fault 7: readiness asks the health path (dependencies); liveness only the open port, so a database
      // outage takes pods out of rotation without restarting them; numeric ports; a drain delay.
      expect(c!.readinessProbe.httpGet).toEqual({ path: spec.healthPath, port: spec.port });
      expect(c!.livenessProbe).toMatchObject({ tcpSocket: { port: spec.port } });
      expect(c!.livenessProbe.httpGet).toBeUndefined();
      expect(c!.startupProbe).toMatchObject({ tcpSocket: { port: spec.port } });
      expect(c!.lifecycle.preStop.sleep.seconds).toBeGreaterThanOrEqual(5);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(c!.lifecycle.preStop.sleep.seconds);
      // Fault 7: by digest.
      const [tag, digest] = dev.platform.config.images.serviceTags[s]!.split("@");
      expect(c!.image).toBe(`111111111111.dkr.ecr.eu-central-1.amazonaws.com/fitness-platform/services/${s}:${tag}@${digest}`);
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect((pod.topologySpreadConstraints as Json[]).find((t) => t.topologyKey === "topology.kubernetes.io/zone")).toMatchObject({ maxSkew: 1, whenUnsatisfiable: "DoNotSchedule" });
      // Fault 3: no password anywhere in the pod spec, not even by Secret reference.
      expect(c!.env).toBeUndefined();
      expect(JSON.stringify(pod)).not.toMatch(/secretKeyRef|secretRef|"secret":/);
    }
  });

  it("leaves the replica count to the HPA (fault 4: no spec.replicas on an HPA-scaled Deployment)", () => {
    for (const s of services) {
      const deployment = find(dev.all, "Deployment", s, s)["spec"] as Json;
      expect(deployment).not.toHaveProperty("replicas");
      expect((find(dev.all, "HorizontalPodAutoscaler", s, s)["spec"] as Json).scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: s });
    }
  });

  it("targets the container port by number, equal to the service port (fault 7; the VPC CNI resolves ClusterIPs by port)", () => {
    for (const s of services) {
      const port = dev.platform.catalog.services[s]!.port;
      expect((find(dev.all, "Service", s, s)["spec"] as Json).ports).toEqual([{ name: "http", port, targetPort: port, protocol: "TCP" }]);
    }
  });

  it("configures a database owner with host, CA bundle and its Secrets Manager ARN, and no Kubernetes Secret anywhere (fault 3)", () => {
    const orders = find(dev.all, "ConfigMap", "orders", "orders-config")["data"] as Json;
    expect(orders).toMatchObject({ PGHOST: "purchase-history.db.dev.fitness.internal", PGPORT: "5432", PGDATABASE: "orders", PGUSER: "orders", PGSSLMODE: "verify-full" });
    expect(orders["DB_SECRET_ARN"]).toMatch(/^arn:aws:secretsmanager:.*:secret:orders-db$/);
    const client = find(dev.all, "ConfigMap", "orders", "orders-db-client")["data"] as Record<string, string>;
    expect(client["ca.crt"]).toBe(CA_PEM);
    // The files the environment names are the ones the Deployment mounts.
    const pod = (find(dev.all, "Deployment", "orders", "orders")["spec"] as Json).template.spec;
    const mount = (pod.containers[0].volumeMounts as Json[]).find((m) => m.name === "db-client") as Json;
    const volume = (pod.volumes as Json[]).find((v) => v.name === "db-client") as Json;
    const mounted = (volume.configMap.items as Json[]).map((i) => `${mount.mountPath}/${i.path}`);
    expect(mounted).toContain(orders["PGSSLROOTCERT"]);
    expect(mounted).toContain(orders["PGSERVICEFILE"]);
    expect(client["pg_service.conf"]).toContain(`[${orders["PGSERVICE"]}]`);
    expect(find(dev.all, "ConfigMap", "notifications", "notifications-config")["data"]).not.toHaveProperty("PGHOST");
    expect(dev.all.filter((o) => o.kind === "Secret")).toEqual([]);
  });

  it("routes each public path as an HTTPRoute on the edge Gateway to its own service, and nothing for a service without routes", () => {
    const users = find(dev.all, "HTTPRoute", "users", "users")["spec"] as Json;
    expect(users.parentRefs).toEqual([{ name: "edge", namespace: "edge", sectionName: "http" }]);
    expect(users.hostnames).toEqual([dev.platform.config.edge.domainName]);
    expect((users.rules[0].matches as Json[]).map((m) => m.path)).toEqual([{ type: "PathPrefix", value: "/api/auth" }, { type: "PathPrefix", value: "/api/users" }]);
    expect(users.rules[0].backendRefs).toEqual([{ name: "users", port: dev.platform.catalog.services["users"]!.port }]);
    expect(dev.all.filter((o) => o.kind === "HTTPRoute" && o.metadata.namespace === "notifications")).toEqual([]);
    expect(dev.all.filter((o) => o.kind === "Ingress")).toEqual([]);
    // Only namespaces of public services may attach routes to the Gateway.
    expect(find(dev.all, "Namespace", undefined, "users").metadata.labels).toHaveProperty("fitness.example.com/public-routes", "true");
    expect(find(dev.all, "Namespace", undefined, "notifications").metadata.labels).not.toHaveProperty("fitness.example.com/public-routes");
  });

  it("names topics and queues in the environment by event and queue kind", () => {
    expect(messagingEnvironment({ topics: { "order-placed": "arn:t" }, queues: [{ kind: "fifo", url: "https://q/f" }, { kind: "standard", url: "https://q/s" }] })).toEqual({
      TOPIC_ARN_ORDER_PLACED: "arn:t",
      QUEUE_URL_FIFO: "https://q/f",
      QUEUE_URL_STANDARD: "https://q/s",
    });
  });
});

describe("network policies (VPC CNI model)", () => {
  const m = dev.model;
  const svc = (name: string) => ({ service: `${name}/${name}` });
  it("denies by default and allows DNS (through the kube-dns ClusterIP) in every namespace", () => {
    const namespaces = dev.all.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name);
    for (const ns of namespaces) expect(find(dev.all, "NetworkPolicy", ns, "default-deny")["spec"]).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    for (const s of services) {
      expect(canConnect(m, { workload: `${s}/${s}` }, { service: "kube-system/kube-dns" }, 53, "UDP")).toBe(true);
      expect(canConnect(m, { workload: `${s}/${s}` }, { service: "kube-system/kube-dns" }, 80)).toBe(false);
    }
  });

  it("allows service-to-service traffic exactly along the catalog's declared calls", () => {
    for (const from of services) {
      for (const to of services) {
        if (from === to) continue;
        const port = dev.platform.catalog.services[to]!.port;
        const declared = dev.platform.catalog.services[from]!.calls.includes(to);
        expect(canConnect(m, { workload: `${from}/${from}` }, svc(to), port), `${from} -> ${to}`).toBe(declared);
      }
    }
  });

  it("admits Envoy only to services with public routes, and the ALB's DMZ addresses only to Envoy's port", () => {
    const envoy = { workload: "edge/envoy" };
    for (const s of services) {
      const spec = dev.platform.catalog.services[s]!;
      expect(canConnect(m, envoy, svc(s), spec.port), s).toBe(spec.publicRoutes.length > 0);
    }
    const port = dev.platform.config.cluster.ingressGateway.port;
    expect(canConnect(m, { ip: inDmz(10) }, { workload: "edge/envoy" }, port)).toBe(true);
    expect(canConnect(m, { ip: inDmz(10) }, { workload: "edge/envoy" }, 19000)).toBe(false);
    expect(canConnect(m, { ip: inDmz(10) }, svc("users"), 8080)).toBe(false);
  });

  it("lets a service reach only its own database host, the VPC endpoints on 443 and the Pod Identity agent", () => {
    const hostIp = (service: string) => dev.services.databases[service]!.hostIp;
    const orders = { workload: "orders/orders" };
    const endpoint = dev.services.addresses.appCidrs[1]!.replace(/\.0\/\d+$/, ".5");
    expect(canConnect(m, orders, { ip: hostIp("orders") }, 5432)).toBe(true);
    expect(canConnect(m, orders, { ip: hostIp("users") }, 5432)).toBe(false);
    expect(canConnect(m, { workload: "notifications/notifications" }, { ip: hostIp("users") }, 5432)).toBe(false);
    expect(canConnect(m, orders, { ip: endpoint }, 443)).toBe(true);
    expect(canConnect(m, orders, { ip: "52.94.1.1" }, 443)).toBe(false);
    expect(canConnect(m, orders, { ip: "169.254.170.23" }, 80)).toBe(true);
    expect(canConnect(m, orders, { ip: "169.254.169.254" }, 80)).toBe(false);
    expect(canConnect(m, { workload: "notifications/notifications" }, { ip: endpoint }, 587)).toBe(true);
    expect(canConnect(m, orders, { ip: endpoint }, 587)).toBe(false);
  });
});

describe("egress proxy", () => {
  const exception = (services: string[], zones = ["app"]) => (c: Record<string, unknown>) => {
    (c["fitness-platform:egress"] as Record<string, unknown>)["exceptions"] = [
      { host: ".pypi.org", zones, services, reason: "One-off download", ticket: "OPS-1", owner: "a@fitness.example.com", granted: "2026-11-20", expires: "2026-12-04" },
    ];
  };
  const proxyIp = inDmz(20);

  it("sets no proxy and opens no path to it without a live exception", () => {
    for (const s of services) {
      expect(find(dev.all, "ConfigMap", s, `${s}-config`)["data"]).not.toHaveProperty("HTTPS_PROXY");
      expect(canConnect(dev.model, { workload: `${s}/${s}` }, { ip: proxyIp }, 3128)).toBe(false);
    }
  });

  it("gives HTTPS_PROXY and the proxy path only to the service a live exception names", () => {
    const withEx = build("dev", { config: exception(["notifications"]) });
    expect(find(withEx.all, "ConfigMap", "notifications", "notifications-config")["data"]).toMatchObject({ HTTPS_PROXY: PROXY_URL, NO_PROXY: "localhost,.internal" });
    expect(canConnect(withEx.model, { workload: "notifications/notifications" }, { ip: proxyIp }, 3128)).toBe(true);
    expect(find(withEx.all, "ConfigMap", "users", "users-config")["data"]).not.toHaveProperty("HTTPS_PROXY");
    expect(canConnect(withEx.model, { workload: "users/users" }, { ip: proxyIp }, 3128)).toBe(false);
  });

  it("ignores an exception that is not live yet or does not admit the app zone", () => {
    const future = build("dev", {
      config: (c) => {
        exception(["notifications"])(c);
        const ex = ((c["fitness-platform:egress"] as Record<string, unknown>)["exceptions"] as Record<string, unknown>[])[0]!;
        ex["granted"] = "2026-11-30";
      },
    });
    expect(find(future.all, "ConfigMap", "notifications", "notifications-config")["data"]).not.toHaveProperty("HTTPS_PROXY");
    const dataOnly = build("dev", { config: exception(["notifications"], ["data"]) });
    expect(find(dataOnly.all, "ConfigMap", "notifications", "notifications-config")["data"]).not.toHaveProperty("HTTPS_PROXY");
  });
});
