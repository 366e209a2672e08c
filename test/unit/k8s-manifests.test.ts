import { describe, expect, it } from "vitest";
import { build } from "./services-support";
import { hasSchema, validateObject } from "./k8s-schema";

describe("Kubernetes objects against the OpenAPI schemas", () => {
  for (const stack of ["dev", "prod"] as const) {
    it(`validates every planned object of ${stack}`, () => {
      const { all } = build(stack);
      const checked = all.filter((o) => hasSchema(o.apiVersion, o.kind));
      for (const object of checked) expect(() => validateObject(object as never)).not.toThrow();
      // Only the CRD instance (TargetGroupBinding) has no upstream schema.
      expect(all.filter((o) => !hasSchema(o.apiVersion, o.kind)).map((o) => o.kind)).toEqual(["TargetGroupBinding"]);
      expect(checked.length).toBeGreaterThan(70);
    });
  }

  it("catches a malformed object (the validation is not a no-op)", () => {
    const { all } = build("dev");
    const deployment = all.find((o) => o.kind === "Deployment")!;
    const broken = JSON.parse(JSON.stringify(deployment));
    broken.spec.template.spec.containers[0].securityContext.runAsNonRoot = "yes";
    expect(() => validateObject(broken)).toThrow(/Deployment .*runAsNonRoot/);
    const badPolicy = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "x", namespace: "y" }, spec: { podSelector: {}, egress: [{ ports: [{ port: 443, protocol: "TCP", extra: 1 }] }], policyTypes: "Egress" } };
    expect(() => validateObject(badPolicy)).toThrow(/NetworkPolicy/);
  });

  it("checks the TargetGroupBinding's shape by hand (its CRD ships with the controller's chart)", () => {
    const tgb = build("prod").all.find((o) => o.kind === "TargetGroupBinding")!;
    expect(tgb.apiVersion).toBe("elbv2.k8s.aws/v1beta1");
    expect(tgb["spec"]).toMatchObject({ serviceRef: { name: "ingress-nginx-controller", port: 8080 }, targetType: "ip" });
  });
});
