import { describe, expect, it } from "vitest";
import { assertNoPlaintextSecrets, SecretLeakError } from "../../src/offline/engine/leak-guard";
import { annotateSecrets, engineOutputs, seal } from "../../src/offline/engine/seal";
import { parseSnapshot, SnapshotError } from "../../src/offline/snapshot/reader";
import { isSecretValue } from "../../src/offline/snapshot/secrets";
import { SECRET_SIG_KEY, SECRET_SIG_VALUE, type StackExport } from "../../src/offline/snapshot/types";
import { makeUrn, parseProviderReference, parseUrn } from "../../src/offline/snapshot/urn";
import { serializeSnapshot } from "../../src/offline/snapshot/writer";

const secret = (value: unknown) => ({ [SECRET_SIG_KEY]: SECRET_SIG_VALUE, value });

describe("URNs", () => {
  const stack = "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev";
  it("chains parent types and skips the root stack", () => {
    const net = makeUrn({ stack: "dev", project: "shop", type: "fitness:network:Network", name: "network", parentUrn: stack });
    expect(net).toBe("urn:pulumi:dev::shop::fitness:network:Network::network");
    const vpc = makeUrn({ stack: "dev", project: "shop", type: "aws:ec2/vpc:Vpc", name: "vpc", parentUrn: net });
    const subnet = makeUrn({ stack: "dev", project: "shop", type: "aws:ec2/subnet:Subnet", name: "a", parentUrn: vpc });
    expect(subnet).toBe("urn:pulumi:dev::shop::fitness:network:Network$aws:ec2/vpc:Vpc$aws:ec2/subnet:Subnet::a");
    expect(parseUrn(subnet)).toEqual({
      stack: "dev",
      project: "shop",
      qualifiedType: "fitness:network:Network$aws:ec2/vpc:Vpc$aws:ec2/subnet:Subnet",
      type: "aws:ec2/subnet:Subnet",
      parentTypes: ["fitness:network:Network", "aws:ec2/vpc:Vpc"],
      name: "a",
    });
  });

  it("keeps names containing '::' whole, and splits provider references at the last '::'", () => {
    expect(parseUrn("urn:pulumi:dev::shop::a:b:C::x::y").name).toBe("x::y");
    expect(parseProviderReference("urn:pulumi:dev::shop::pulumi:providers:aws::default::1234")).toEqual({
      urn: "urn:pulumi:dev::shop::pulumi:providers:aws::default",
      id: "1234",
    });
    expect(() => parseUrn("arn:aws:s3:::bucket")).toThrow(/not a Pulumi URN/);
  });
});

describe("secrets as the engine returns them", () => {
  it("marks outputs secret where the same input was, recursing into objects", () => {
    const outputs = annotateSecrets(
      { password: "p", settings: { user: "u", key: "k" }, list: ["a"], arn: "arn" },
      { password: secret("p"), settings: { user: "u", key: secret("k") }, list: [secret("a")] },
    );
    expect(outputs.password).toEqual(secret("p"));
    expect(outputs.settings).toEqual({ user: "u", key: secret("k") });
    expect(outputs.list).toEqual(secret(["a"]));
    expect(outputs.arn).toBe("arn");
  });

  it("marks additional secret outputs", () => {
    expect(engineOutputs({ result: "r", length: 3 }, {}, ["result", "bcryptHash"])).toEqual({ result: secret("r"), length: 3 });
  });

  it("seals every secret into a placeholder that does not depend on the value", () => {
    const plaintexts = new Set<string>();
    const a = seal({ x: secret("first-value-123"), y: [secret({ nested: true })] }, "urn:a", "inputs", plaintexts) as Record<string, unknown>;
    const b = seal({ x: secret("other-value-456") }, "urn:a", "inputs", new Set()) as Record<string, unknown>;
    expect(isSecretValue(a.x)).toBe(true);
    expect(a.x).toEqual(b.x);
    expect(JSON.stringify(a)).not.toContain("first-value-123");
    expect(JSON.stringify(a)).not.toContain("nested");
    expect([...plaintexts].sort()).toEqual(["first-value-123", '{"nested":true}']);
  });
});

const resources = (inputs: Record<string, unknown>): StackExport => ({
  version: 3,
  deployment: {
    manifest: { time: "t", magic: "m", version: "v" },
    resources: [{ urn: "urn:pulumi:dev::shop::aws:ec2/instance:Instance::host", custom: true, type: "aws:ec2/instance:Instance", inputs }],
  },
});

describe("the leak guard", () => {
  it("finds a long secret embedded anywhere, and names where without the value", () => {
    const snapshot = resources({ userData: "#!/bin/sh\nexport PGPASSWORD=Xk3-very-secret-9\n" });
    expect(() => assertNoPlaintextSecrets(snapshot, ["Xk3-very-secret-9"])).toThrow(SecretLeakError);
    try {
      assertNoPlaintextSecrets(snapshot, ["Xk3-very-secret-9"]);
    } catch (err) {
      expect((err as Error).message).toContain("Instance::host.inputs.userData");
      expect((err as Error).message).not.toContain("Xk3-very-secret-9");
    }
  });

  it("matches short secrets only as whole values, so common words do not trip it", () => {
    expect(() => assertNoPlaintextSecrets(resources({ engine: "postgresql", user: "postgres" }), ["postgres"])).toThrow(/inputs\.user/);
    expect(() => assertNoPlaintextSecrets(resources({ engine: "postgresql" }), ["postgres"])).not.toThrow();
  });
});

describe("snapshot reader and writer", () => {
  const realExport = {
    version: 3,
    deployment: {
      manifest: { time: "2024-05-01T10:00:00.1+02:00", magic: "abc", version: "v3.113.0" },
      secrets_providers: { type: "passphrase", state: { salt: "v1:x" } },
      resources: [
        { urn: "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev", custom: false, type: "pulumi:pulumi:Stack", created: "2024-05-01T10:00:00Z" },
        {
          urn: "urn:pulumi:dev::shop::aws:s3/bucket:Bucket::logs",
          custom: true,
          id: "logs-1234567",
          type: "aws:s3/bucket:Bucket",
          inputs: { bucket: "logs", __defaults: [] },
          outputs: { bucket: "logs", arn: "arn:aws:s3:::logs" },
          parent: "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev",
          dependencies: null,
          propertyDependencies: { bucket: null, tags: ["urn:x"] },
          sourcePosition: "project:///index.ts#3,1",
        },
      ],
    },
  };

  it("accepts a real `pulumi stack export`, keeping unknown fields and normalising nulls", () => {
    const snapshot = parseSnapshot(JSON.stringify(realExport), "export.json");
    const bucket = snapshot.deployment.resources[1];
    expect(bucket?.propertyDependencies).toEqual({ bucket: [], tags: ["urn:x"] });
    expect(bucket?.dependencies).toBeUndefined();
    expect((bucket as unknown as Record<string, unknown>).sourcePosition).toBe("project:///index.ts#3,1");
    expect(snapshot.deployment.secrets_providers?.type).toBe("passphrase");
  });

  it("accepts a self-managed backend's checkpoint file", () => {
    const checkpoint = { version: 3, checkpoint: { stack: "dev", latest: realExport.deployment } };
    expect(parseSnapshot(JSON.stringify(checkpoint)).deployment.resources).toHaveLength(2);
  });

  it("rejects what it cannot read with one line naming the file and the place", () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ version: 2, deployment: {} }, /^f\.json: deployment version number 2 is not supported; allowed: version 3/],
      [{ version: 3 }, /^f\.json: deployment: expected an object, found undefined/],
      [{ version: 3, deployment: { resources: [{ urn: "x", type: "t" }] } }, /^f\.json: deployment\.resources\[0\]\.urn: expected a URN/],
      [{ version: 3, deployment: { resources: [{ urn: "urn:pulumi:a::b::t::n", type: "t", dependencies: [1] }] } }, /dependencies \(urn:pulumi:a::b::t::n\): expected a list of URNs/],
    ];
    for (const [doc, message] of cases) {
      expect(() => parseSnapshot(JSON.stringify(doc), "f.json")).toThrow(SnapshotError);
      expect(() => parseSnapshot(JSON.stringify(doc), "f.json")).toThrow(message);
    }
    expect(() => parseSnapshot("{ nope", "f.json")).toThrow(/^f\.json: not valid JSON/);
  });

  it("writes the same bytes whatever order the properties were built in", () => {
    const a = parseSnapshot(JSON.stringify(realExport));
    const shuffled = JSON.parse(JSON.stringify(realExport)) as typeof realExport;
    const bucket = shuffled.deployment.resources[1] as Record<string, unknown>;
    shuffled.deployment.resources[1] = Object.fromEntries(Object.entries(bucket).reverse()) as typeof bucket as never;
    (shuffled.deployment.resources[1] as unknown as { outputs: object }).outputs = { arn: "arn:aws:s3:::logs", bucket: "logs" };
    const text = serializeSnapshot(a);
    expect(serializeSnapshot(parseSnapshot(JSON.stringify(shuffled)))).toBe(text);
    expect(text.indexOf('"urn"')).toBeLessThan(text.indexOf('"custom"'));
    expect(text.endsWith("}\n")).toBe(true);
  });
});
