import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors";
import { listStacks, readProject, readStackConfig } from "../../src/offline/engine/project";
import { toPulumiConfig } from "../../src/offline/engine/stack-config";

/** How the offline engine turns Pulumi.yaml and Pulumi.<stack>.yaml into the program's config. */
const dirs: string[] = [];
function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-config-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function lines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).lines;
  }
  throw new Error("expected a ConfigError");
}

describe("stack config as the CLI hands it over", () => {
  const encode = (stackConfig: Record<string, unknown>, projectConfig: Record<string, unknown> = {}) =>
    toPulumiConfig({ project: "shop", stack: "dev", projectConfig, stackConfig });

  it("namespaces bare keys with the project and encodes values as strings, objects as JSON", () => {
    const config = encode({ "aws:region": "eu-central-1", size: 3, enabled: false, "shop:network": { cidr: "10.0.0.0/16", azs: ["a", "b"] } });
    expect(config.values).toEqual({
      "aws:region": "eu-central-1",
      "shop:size": "3",
      "shop:enabled": "false",
      "shop:network": '{"cidr":"10.0.0.0/16","azs":["a","b"]}',
    });
    expect(config.secretKeys).toEqual([]);
  });

  it("replaces encrypted values by placeholders and marks their keys secret", () => {
    const ciphertext = "v1:abc:ZW5jcnlwdGVk";
    const config = encode({ token: { secure: ciphertext }, "shop:db": { user: "app", password: { secure: ciphertext } } });
    expect(config.secretKeys).toEqual(["shop:db", "shop:token"]);
    expect(config.values["shop:token"]).toMatch(/^offline-secret-[0-9a-f]{16}$/);
    const db = JSON.parse(config.values["shop:db"] as string) as { user: string; password: string };
    expect(db.user).toBe("app");
    expect(db.password).toMatch(/^offline-secret-[0-9a-f]{16}$/);
    expect(db.password).not.toBe(config.values["shop:token"]);
    expect(JSON.stringify(config.values)).not.toContain(ciphertext);
  });

  it("is stable: the same file gives the same placeholders", () => {
    const a = encode({ token: { secure: "v1:x" } });
    const b = encode({ token: { secure: "v1:y" } });
    expect(a.values).toEqual(b.values);
  });

  it("applies project defaults, then the stack file, then overrides", () => {
    const config = toPulumiConfig({
      project: "shop",
      stack: "dev",
      projectConfig: { size: { type: "integer", default: 1 }, "shop:mode": "a", "shop:catalogFile": "x.yaml" },
      stackConfig: { size: 2, "shop:catalogFile": "catalog.yaml" },
      overrides: { catalogFile: "/tmp/other.yaml" },
    });
    expect(config.values).toEqual({ "shop:size": "2", "shop:mode": "a", "shop:catalogFile": "/tmp/other.yaml" });
  });
});

describe("project and stack files", () => {
  it("reads the project name and entry, and lists the stacks", () => {
    const dir = project({ "Pulumi.yaml": "name: shop\nruntime: nodejs\nmain: app.ts\n", "app.ts": "", "Pulumi.dev.yaml": "config: {}\n", "Pulumi.prod.yaml": "" });
    expect(readProject(dir)).toMatchObject({ name: "shop", main: path.join(dir, "app.ts") });
    expect(listStacks(dir)).toEqual(["dev", "prod"]);
    expect(readStackConfig(dir, "prod")).toEqual({});
  });

  it("reports an unknown stack in one line, naming the stacks that exist", () => {
    const dir = project({ "Pulumi.yaml": "name: shop\n", "index.ts": "", "Pulumi.dev.yaml": "config: {}\n" });
    expect(lines(() => readStackConfig(dir, "qa"))).toEqual([`stack "qa": no Pulumi.qa.yaml in ${dir}; allowed: dev`]);
    expect(lines(() => readStackConfig(dir, "../dev"))[0]).toMatch(/^stack "\.\.\/dev": not a stack name/);
  });

  it("reports a broken stack file in one line with its position", () => {
    const dir = project({ "Pulumi.yaml": "name: shop\n", "index.ts": "", "Pulumi.dev.yaml": "config:\n  a: [1, 2\n", "Pulumi.qa.yaml": "config: 7\n" });
    const [line, ...rest] = lines(() => readStackConfig(dir, "dev"));
    expect(rest).toEqual([]);
    expect(line).toMatch(/^stack "dev": Pulumi\.dev\.yaml: line \d+, column \d+: not valid YAML/);
    expect(lines(() => readStackConfig(dir, "qa"))).toEqual(['stack "qa": Pulumi.qa.yaml: "config" must be a mapping of keys to values']);
  });

  it("is not a Pulumi project without Pulumi.yaml", () => {
    const dir = project({});
    expect(() => readProject(dir)).toThrow(/no Pulumi\.yaml/);
  });
});
