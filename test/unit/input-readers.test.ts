import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/config/input-error";
import { jsonDepth, parseJson, readJsonFile } from "../../src/config/json-reader";
import { parseYaml, parseYamlStream, readYamlFile, renderYaml } from "../../src/config/yaml-reader";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "input-readers-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Nine levels of nine aliases each: 9^9 strings once expanded, about 1 KB of text. */
function billionLaughs(): string {
  const lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\n`;
}

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("expected an InputError");
}

describe("the YAML reader types scalars like the Pulumi CLI (yaml.v3, YAML 1.2 core)", () => {
  it.each([
    ["a date stays the string it reads as", "v: 2026-12-04", "2026-12-04"],
    ["yes is a string, not a YAML 1.1 boolean", "v: yes", "yes"],
    ["on is a string", "v: on", "on"],
    ["true is a boolean", "v: true", true],
    ["0o17 is octal", "v: 0o17", 15],
    ["0x1F is hexadecimal", "v: 0x1F", 31],
    ["a sexagesimal 1:20 is a string", "v: 1:20", "1:20"],
    ["~ is null", "v: ~", null],
    ["a version 1.30 is a float", "v: 1.30", 1.3],
    ["a quoted version stays a string", 'v: "1.30"', "1.30"],
  ])("%s", (_name, text, expected) => {
    expect((parseYaml(text, "t.yaml") as { v: unknown }).v).toEqual(expected);
  });

  it("merges << keys, as yaml.v3 does", () => {
    expect(parseYaml("base: &b {a: 1}\nx:\n  <<: *b\n  c: 2\n", "t.yaml")).toEqual({ base: { a: 1 }, x: { a: 1, c: 2 } });
  });

  it("refuses duplicate keys with the file and line", () => {
    expect(errorOf(() => parseYaml("a: 1\nb: 2\na: 3\n", "Pulumi.dev.yaml")).message).toBe("Pulumi.dev.yaml: line 3, column 1: not valid YAML (Map keys must be unique)");
  });

  it("keeps __proto__ as data, never as the prototype", () => {
    const doc = parseYaml("__proto__: {polluted: true}\n", "t.yaml") as Record<string, unknown>;
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("the YAML reader's limits fail fast with one line naming the file", () => {
  it("stops a billion-laughs document at the alias budget", () => {
    const err = errorOf(() => parseYaml(billionLaughs(), "catalog.yaml"));
    expect(err.message).toMatch(/^catalog\.yaml: its aliases expand past the limit of 100/);
    expect(err.message).not.toContain("\n");
  });

  it("still reads a few honest aliases", () => {
    expect(parseYaml("a: &x [1, 2]\nb: *x\nc: *x\n", "t.yaml")).toEqual({ a: [1, 2], b: [1, 2], c: [1, 2] });
  });

  it.each([
    ["flow", `${"[".repeat(10_000)}${"]".repeat(10_000)}`],
    ["flow, moderate", `v: ${"[".repeat(100)}${"]".repeat(100)}`],
    ["block", Array.from({ length: 200 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n")],
  ])("refuses deep nesting (%s)", (_name, text) => {
    expect(errorOf(() => parseYaml(text, "deep.yaml")).message).toMatch(/^deep\.yaml: nested (more than 64 levels deep|too deeply)/);
  });

  it("refuses a document over the size limit", () => {
    expect(errorOf(() => parseYaml(`a: "${"x".repeat(2000)}"`, "big.yaml", { maxBytes: 1000 })).message).toBe("big.yaml: larger than the 1000 bytes allowed for a YAML file");
  });

  it("refuses several documents where one is expected", () => {
    expect(errorOf(() => parseYaml("a: 1\n---\nb: 2\n", "two.yaml")).message).toBe("two.yaml: line 2: a second document (---); allowed: one YAML document");
  });

  it("reads a manifest stream document by document", () => {
    expect(parseYamlStream("a: 1\n---\nb: 2\n", "m.yaml")).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("refuses a file that is not a regular file without reading it (a FIFO would block forever)", () => {
    expect(errorOf(() => readYamlFile("/dev/zero")).message).toBe("/dev/zero: not a regular file; allowed: a YAML file");
    expect(errorOf(() => readYamlFile(tmp)).message).toBe(`${tmp}: not a regular file; allowed: a YAML file`);
    expect(errorOf(() => readYamlFile(path.join(tmp, "missing.yaml"))).message).toBe(`${path.join(tmp, "missing.yaml")}: cannot be read (ENOENT)`);
  });

  it("refuses an oversized file by its size, before reading it", () => {
    const file = path.join(tmp, "big.yaml");
    fs.writeFileSync(file, `a: "${"x".repeat(5 * 1024 * 1024)}"\n`);
    expect(errorOf(() => readYamlFile(file)).message).toBe(`${file}: 5 MiB is larger than the 4 MiB allowed for a YAML file`);
  });

  it("strips a UTF-8 byte-order mark, as the Pulumi CLI does", () => {
    const file = path.join(tmp, "bom.yaml");
    fs.writeFileSync(file, "\uFEFFa: 1\n");
    expect(readYamlFile(file)).toEqual({ a: 1 });
  });
});

describe("renderYaml writes what both YAML 1.2 core and YAML 1.1 readers read back unchanged", () => {
  it("quotes every string another schema would retype", () => {
    const value = { a: "yes", b: "0755", c: "2026-12-04", d: "on", e: "0o17", f: "1:20", g: "~", h: "true", i: "plain", n: 12, multi: "one\ntwo\n" };
    const text = renderYaml(value);
    expect(parseYaml(text, "t.yaml")).toEqual(value);
    for (const s of ["yes", "0755", "2026-12-04", "on", "0o17", "1:20", "~", "true"]) expect(text).toContain(`"${s}"`);
  });
});

describe("the JSON reader", () => {
  it("measures depth outside strings only", () => {
    expect(jsonDepth('{"a": "[[[[{{{{", "b": [[1]]}', 100)).toBe(3);
    expect(jsonDepth('"\\"[["', 100)).toBe(0);
  });

  it("refuses 10,000-deep nesting with the file named", () => {
    expect(errorOf(() => parseJson(`${"[".repeat(10_000)}${"]".repeat(10_000)}`, "stack.json")).message).toBe("stack.json: nested more than 64 levels deep; allowed: at most 64");
  });

  it("names the file when the JSON is broken", () => {
    expect(errorOf(() => parseJson("{", "policy.json")).message).toMatch(/^policy\.json: not valid JSON \(/);
  });

  it("refuses a non-regular file", () => {
    expect(errorOf(() => readJsonFile("/dev/zero")).message).toBe("/dev/zero: not a regular file; allowed: a JSON file");
  });
});
