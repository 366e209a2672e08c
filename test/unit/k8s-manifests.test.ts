import { describe, expect, it } from "vitest";
import { build } from "./services-support";
import { BUILT_IN_KINDS, hasSchema, NEWER_SCHEMA, OLDER_SCHEMA, SCHEMA_CHANGES_1_33_TO_1_35, strictProblems, validateObject } from "./k8s-schema";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- plain Kubernetes objects
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const KINDS_BUILT_IN = new Set(BUILT_IN_KINDS);

describe("Kubernetes objects against the pinned API schemas (strict: unknown fields rejected)", () => {
  for (const stack of ["dev", "prod"] as const) {
    it(`validates every planned object of ${stack}, built-in kinds and CRDs alike`, () => {
      const { all } = build(stack);
      expect(all.filter((o) => !hasSchema(o.apiVersion, o.kind)).map((o) => o.kind)).toEqual([]);
      for (const object of all) expect(() => validateObject(object as never)).not.toThrow();
      expect(strictProblems(all as never)).toEqual([]);
      expect(all.length).toBeGreaterThan(100);
    });
  }

  it("rejects an unknown field deep inside a built-in object (the check is strict, not a shape check)", () => {
    const { all } = build("dev");
    const deployment = copy(all.find((o) => o.kind === "Deployment")!) as Json;
    deployment.spec.template.spec.containers[0].securityContext.readOnlyRootFS = true;
    const typo = copy(all.find((o) => o.kind === "Deployment" && o.metadata.name !== deployment.metadata.name)!) as Json;
    typo.spec.template.spec.containers[0].livenessProbe.tcpSocket.port = { port: 8080 };
    const policy = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "x", namespace: "y" }, spec: { podSelector: {}, egress: [{ ports: [{ port: 443, protocol: "TCP", extra: 1 }] }] } };
    const problems = strictProblems([deployment, typo, policy]).join("\n");
    // Both schema generations refuse each fault.
    for (const schema of [OLDER_SCHEMA, NEWER_SCHEMA]) {
      const quoted = schema.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      expect(problems).toMatch(new RegExp(`Deployment ${deployment.metadata.namespace}/${deployment.metadata.name} \\(${quoted}\\): .*readOnlyRootFS`));
      expect(problems).toMatch(new RegExp(`Deployment ${typo.metadata.namespace}/${typo.metadata.name} \\(${quoted}\\): `));
      expect(problems).toMatch(new RegExp(`NetworkPolicy y/x \\(${quoted}\\): .*extra`));
    }
  });

  it("brackets Kubernetes 1.35: a field only 1.34/1.35 added is refused by the 1.33 bound and accepted by the 1.37 one", () => {
    // Each object carries one field 1.35 has and 1.33 lacks, in the shape 1.37 (hence 1.35) accepts. The
    // 1.33 bound refusing it is what keeps the check stricter than the cluster, never looser.
    const objects = SCHEMA_CHANGES_1_33_TO_1_35.map(({ field, path, value }) => {
      const o: Json = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: field.toLowerCase(), namespace: "schema" },
        spec: {
          selector: { matchLabels: { app: "a" } },
          template: {
            metadata: { labels: { app: "a" } },
            spec: { containers: [{ name: "c", image: "i", env: [{ name: "E", valueFrom: {} }] }], volumes: [{ name: "v", projected: { sources: [{}] } }] },
          },
        },
      };
      (path.reduce((at: Json, key) => at[key] as Json, o) as Json)[field] = value;
      return o;
    });
    const problems = strictProblems(objects as never);
    for (const { field } of SCHEMA_CHANGES_1_33_TO_1_35) {
      const mine = problems.filter((p) => p.startsWith(`apps/v1/Deployment schema/${field.toLowerCase()} `));
      expect(mine.filter((p) => p.includes(OLDER_SCHEMA)).join("\n"), field).toMatch(new RegExp(`'"?${field}"?' does not exist`));
      expect(mine.filter((p) => p.includes(NEWER_SCHEMA)), field).toEqual([]);
    }
  });

  it("rejects an unknown field and a wrongly typed one in every CRD kind we emit (Gateway API, Envoy Gateway, Load Balancer Controller)", () => {
    const { all } = build("dev");
    const emitted = [...new Set(all.filter((o) => !KINDS_BUILT_IN.has(`${o.apiVersion}/${o.kind}`)).map((o) => `${o.apiVersion}/${o.kind}`))].sort();
    // One unknown field and one wrong type per kind, each deep in the spec where the kind allows.
    const faults: Record<string, { unknown: (o: Json) => void; wrongType: (o: Json) => void }> = {
      "gateway.networking.k8s.io/v1/GatewayClass": { unknown: (o) => (o.spec.parametersRef.nmae = "x"), wrongType: (o) => (o.spec.controllerName = 42) },
      "gateway.networking.k8s.io/v1/Gateway": { unknown: (o) => (o.spec.listeners[0].allowedRoutes.bogus = true), wrongType: (o) => (o.spec.listeners[0].port = "8080") },
      "gateway.networking.k8s.io/v1/HTTPRoute": { unknown: (o) => (o.spec.rules[0].backendRefs[0].weigth = 1), wrongType: (o) => (o.spec.rules[0].backendRefs[0].port = "8080") },
      "gateway.envoyproxy.io/v1alpha1/EnvoyProxy": { unknown: (o) => (o.spec.provider.kubernetes.envoyService.unknownField = true), wrongType: (o) => (o.spec.provider.kubernetes.envoyHpa.maxReplicas = "6") },
      "gateway.envoyproxy.io/v1alpha1/HTTPRouteFilter": { unknown: (o) => (o.spec.directResponse.unknownField = true), wrongType: (o) => (o.spec.directResponse.statusCode = "200") },
      "elbv2.k8s.aws/v1beta1/TargetGroupBinding": { unknown: (o) => (o.spec.serviceRef.unknownField = true), wrongType: (o) => (o.spec.serviceRef.port = [8080]) },
    };
    expect(emitted).toEqual(Object.keys(faults).sort());
    // All variants in one compilation, each under its own name.
    const variant = (key: string, suffix: string, change?: (o: Json) => void) => {
      const o = copy(all.find((x) => `${x.apiVersion}/${x.kind}` === key)!) as Json;
      o.metadata.name = `${o.metadata.name}-${suffix}`;
      change?.(o);
      return o;
    };
    const objects = emitted.flatMap((key) => [variant(key, "as-planned"), variant(key, "unknown", faults[key]!.unknown), variant(key, "wrong-type", faults[key]!.wrongType)]);
    const problems = strictProblems(objects as never);
    const of = (key: string, suffix: string) => problems.filter((p) => p.startsWith(`${key} `) && p.includes(`-${suffix}`));
    for (const key of emitted) {
      expect(of(key, "as-planned"), key).toEqual([]);
      expect(of(key, "unknown").join("\n"), `${key}: unknown field`).toMatch(/nmae|bogus|weigth|unknownField|Unrecognized/);
      expect(of(key, "wrong-type"), `${key}: wrong type`).not.toEqual([]);
    }
  });

  it("holds the Kubernetes types a CRD embeds to the core schemas (EnvoyProxy's pod and container, HPA metrics)", () => {
    const { all } = build("dev");
    const proxy = all.find((o) => o.kind === "EnvoyProxy")! as Json;
    const k8s = (o: Json) => o.spec.provider.kubernetes as Json;
    const unknownDeep = copy(proxy);
    k8s(unknownDeep).envoyDeployment.container.securityContext.readOnlyRootFS = true;
    const wrongDeep = copy(proxy);
    k8s(wrongDeep).envoyHpa.metrics[0].resource.target.averageUtilization = "60";
    const wrongVolume = copy(proxy);
    k8s(wrongVolume).envoyDeployment.pod.volumes[0].emptyDir = { sizeLimit: "64Mi", medium: 1 };
    const problems = strictProblems([unknownDeep, wrongDeep, wrongVolume] as never).join("\n");
    for (const schema of [OLDER_SCHEMA, NEWER_SCHEMA]) {
      expect(problems).toContain(`EnvoyProxy edge/edge-proxy at spec.provider.kubernetes.envoyDeployment.container.securityContext (${schema}): `);
      expect(problems).toContain(`EnvoyProxy edge/edge-proxy at spec.provider.kubernetes.envoyHpa.metrics[0] (${schema}): `);
      expect(problems).toContain(`EnvoyProxy edge/edge-proxy at spec.provider.kubernetes.envoyDeployment.pod.volumes[0] (${schema}): `);
    }
    expect(problems).toMatch(/readOnlyRootFS/);
  });
});
