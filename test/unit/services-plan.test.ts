import { describe, expect, it } from "vitest";
import { RESTRICTED_NAMESPACE_LABELS, type KubeObject } from "../../src/services/objects";
import { EDGE_NAMESPACE, GATEWAY_APP, messagingEnvironment } from "../../src/services/workload-plan";
import { allowed, build, CA_PEM, find, pod, PROXY_URL } from "./services-support";

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
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) expect(c![probe].httpGet).toEqual({ path: spec.healthPath, port: "http" });
      expect(c!.image).toBe(`111111111111.dkr.ecr.eu-central-1.amazonaws.com/fitness-platform/services/${s}:${dev.platform.config.images.serviceTags[s]}`);
      expect((pod.topologySpreadConstraints as Json[]).find((t) => t.topologyKey === "topology.kubernetes.io/zone")).toMatchObject({ maxSkew: 1, whenUnsatisfiable: "DoNotSchedule" });
      // No secret literal in the environment: the password only by reference.
      for (const e of c!.env as Json[]) expect(e.value).toBeUndefined();
    }
  });

  it("configures a database owner with host, CA bundle and a Secret reference, and the others without", () => {
    const orders = find(dev.all, "ConfigMap", "orders", "orders-config")["data"] as Json;
    expect(orders).toMatchObject({ PGHOST: "purchase-history.db.dev.fitness.internal", PGPORT: "5432", PGDATABASE: "orders", PGUSER: "orders", PGSSLMODE: "verify-full" });
    expect(find(dev.all, "ConfigMap", "orders", "orders-db-ca")["data"]).toEqual({ "ca.crt": CA_PEM });
    const env = (podSpec(find(dev.all, "Deployment", "orders", "orders")).containers as Json[])[0]!.env as Json[];
    expect(env).toEqual([{ name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "orders-database", key: "password" } } }]);
    expect(dev.planned.find((p) => p.service === "orders")?.databaseSecret).toEqual({ name: "orders-database", namespace: "orders", key: "password" });
    expect(find(dev.all, "ConfigMap", "notifications", "notifications-config")["data"]).not.toHaveProperty("PGHOST");
    expect(dev.planned.find((p) => p.service === "notifications")?.databaseSecret).toBeUndefined();
  });

  it("routes each public path through the gateway's class to its own service, and nothing for a service without routes", () => {
    const users = find(dev.all, "Ingress", "users", "users")["spec"] as Json;
    expect(users.ingressClassName).toBe("nginx");
    expect(users.rules[0].host).toBe(dev.platform.config.edge.domainName);
    expect((users.rules[0].http.paths as Json[]).map((p) => [p.path, p.backend.service.name])).toEqual([["/api/auth", "users"], ["/api/users", "users"]]);
    expect(dev.all.filter((o) => o.kind === "Ingress" && o.metadata.namespace === "notifications")).toEqual([]);
  });

  it("names topics and queues in the environment by event and queue kind", () => {
    expect(messagingEnvironment({ topics: { "order-placed": "arn:t" }, queues: [{ kind: "fifo", url: "https://q/f" }, { kind: "standard", url: "https://q/s" }] })).toEqual({
      TOPIC_ARN_ORDER_PLACED: "arn:t",
      QUEUE_URL_FIFO: "https://q/f",
      QUEUE_URL_STANDARD: "https://q/s",
    });
  });
});

describe("network policies", () => {
  it("denies ingress and egress by default and allows DNS in every namespace", () => {
    const namespaces = dev.all.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name);
    for (const ns of namespaces) {
      expect(find(dev.all, "NetworkPolicy", ns, "default-deny")["spec"]).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
      expect(allowed(dev.all, pod(ns, ns), pod("kube-system", "x"), 53, "UDP")).toBe(false);
      expect(allowed(dev.all, pod(ns, ns), { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } }, 53, "UDP")).toBe(true);
    }
  });

  it("allows service-to-service traffic exactly along the catalog's declared calls", () => {
    for (const from of services) {
      for (const to of services) {
        if (from === to) continue;
        const port = dev.platform.catalog.services[to]!.port;
        const declared = dev.platform.catalog.services[from]!.calls.includes(to);
        expect(allowed(dev.all, pod(from, from), pod(to, to), port), `${from} -> ${to}`).toBe(declared);
      }
    }
    expect(allowed(dev.all, pod("trainings", "trainings"), pod("users", "users"), 8080)).toBe(true);
    expect(allowed(dev.all, pod("trainings", "trainings"), pod("users", "users"), 9090)).toBe(false);
  });

  it("admits the gateway only to services with public routes, and the ALB's DMZ addresses only to the gateway port", () => {
    const gw = pod(EDGE_NAMESPACE, GATEWAY_APP);
    for (const s of services) {
      const isPublic = dev.platform.catalog.services[s]!.publicRoutes.length > 0;
      expect(allowed(dev.all, gw, pod(s, s), 8080), s).toBe(isPublic);
    }
    const albIp = inDmz(10);
    expect(allowed(dev.all, { ip: albIp }, gw, dev.platform.config.cluster.ingressGateway.port)).toBe(true);
    expect(allowed(dev.all, { ip: albIp }, gw, 10254)).toBe(false);
    expect(allowed(dev.all, { ip: albIp }, pod("users", "users"), 8080)).toBe(false);
  });

  it("lets a service reach only its own database host, the VPC endpoints on 443 and the Pod Identity agent", () => {
    const hostIp = (service: string) => dev.services.databases[service]!.hostIp;
    expect(allowed(dev.all, pod("orders", "orders"), { ip: hostIp("orders") }, 5432)).toBe(true);
    expect(allowed(dev.all, pod("orders", "orders"), { ip: hostIp("users") }, 5432)).toBe(false);
    expect(allowed(dev.all, pod("notifications", "notifications"), { ip: hostIp("users") }, 5432)).toBe(false);
    expect(allowed(dev.all, pod("orders", "orders"), { ip: "10.20.64.5" }, 443)).toBe(true);
    expect(allowed(dev.all, pod("orders", "orders"), { ip: "52.94.1.1" }, 443)).toBe(false);
    expect(allowed(dev.all, pod("orders", "orders"), { ip: "169.254.170.23" }, 80)).toBe(true);
    expect(allowed(dev.all, pod("orders", "orders"), { ip: "169.254.169.254" }, 80)).toBe(false);
    // SES SMTP through its endpoint: the notifier only.
    expect(allowed(dev.all, pod("notifications", "notifications"), { ip: "10.20.64.5" }, 587)).toBe(true);
    expect(allowed(dev.all, pod("orders", "orders"), { ip: "10.20.64.5" }, 587)).toBe(false);
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
      expect(allowed(dev.all, pod(s, s), { ip: proxyIp }, 3128)).toBe(false);
    }
  });

  it("gives HTTPS_PROXY and the proxy path only to the service a live exception names", () => {
    const withEx = build("dev", { config: exception(["notifications"]) });
    expect(find(withEx.all, "ConfigMap", "notifications", "notifications-config")["data"]).toMatchObject({ HTTPS_PROXY: PROXY_URL, NO_PROXY: "localhost,.internal" });
    expect(allowed(withEx.all, pod("notifications", "notifications"), { ip: proxyIp }, 3128)).toBe(true);
    expect(find(withEx.all, "ConfigMap", "users", "users-config")["data"]).not.toHaveProperty("HTTPS_PROXY");
    expect(allowed(withEx.all, pod("users", "users"), { ip: proxyIp }, 3128)).toBe(false);
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
