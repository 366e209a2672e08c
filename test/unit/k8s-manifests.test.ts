import { describe, expect, it } from "vitest";
import { build } from "./services-support";
import { hasSchema, strictProblems, validateObject } from "./k8s-schema";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- plain Kubernetes objects
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

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
    expect(problems).toMatch(new RegExp(`Deployment ${deployment.metadata.namespace}/${deployment.metadata.name}: .*readOnlyRootFS`));
    expect(problems).toMatch(new RegExp(`Deployment ${typo.metadata.namespace}/${typo.metadata.name}: `));
    expect(problems).toMatch(/NetworkPolicy y\/x: .*extra/);
  });

  it("rejects an unknown field in a Gateway API object and in each CRD object", () => {
    const { all } = build("dev");
    const route = copy(all.find((o) => o.kind === "HTTPRoute")!) as Json;
    route.spec.rules[0].backendRefs[0].weigth = 1;
    expect(strictProblems([route]).join("\n")).toMatch(/HTTPRoute .*weigth/);
    for (const kind of ["EnvoyProxy", "HTTPRouteFilter", "TargetGroupBinding"]) {
      const object = copy(all.find((o) => o.kind === kind)!) as Json;
      object.spec.unknownField = true;
      expect(strictProblems([object]).join("\n"), kind).toMatch(new RegExp(`${kind} .*unknownField|${kind} .*Unrecognized`));
    }
  });
});
