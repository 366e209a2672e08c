import { beforeAll, describe, expect, it } from "vitest";
import { synthesize } from "../../src/offline/engine/synthesize";
import { SECRET_SIG_KEY } from "../../src/offline/snapshot/types";
import { type Manifest, manifestsFromSnapshot } from "../../src/services/manifests";
import { ROOT } from "../support/stack-config";
import { hasSchema, strictProblems, validateObject } from "../unit/k8s-schema";

/** The manifests synth writes (read from the snapshot) are valid Kubernetes objects and hold no secret. */
const manifests = {} as Record<"dev" | "prod", Manifest[]>;

beforeAll(async () => {
  for (const stack of ["dev", "prod"] as const) manifests[stack] = manifestsFromSnapshot((await synthesize({ stack, projectRoot: ROOT })).snapshot);
}, 120_000);

describe.each(["dev", "prod"] as const)("%s manifests", (stack) => {
  it("validates every object the program registers strictly against the pinned schemas (unknown fields rejected)", () => {
    const objects = manifests[stack].map((m) => m.object);
    const checked = objects.filter((o) => hasSchema(String(o["apiVersion"]), String(o["kind"])));
    expect(checked.length).toBeGreaterThan(100);
    for (const o of checked) expect(() => validateObject(o)).not.toThrow();
    expect(strictProblems(checked)).toEqual([]);
    const others = [...new Set(objects.filter((o) => !checked.includes(o)).map((o) => String(o["kind"])))].sort();
    expect(others).toEqual(["HelmRelease"]);
  });

  it("writes one file per object, under its namespace, with no secret in any of them", () => {
    const paths = manifests[stack].map((m) => m.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).toContain("orders/deployment-orders.json");
    expect(paths).toContain("_cluster/namespace-orders.json");
    expect(paths).toContain("envoy-gateway-system/helmrelease-envoy-gateway.json");
    expect(paths).toContain("users/httproute-users.json");
    const text = JSON.stringify(manifests[stack]);
    expect(text).not.toContain(SECRET_SIG_KEY);
    expect(paths.filter((p) => p.includes("/secret-"))).toEqual([]);
  });
});
