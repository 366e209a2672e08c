import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/config/input-error";
import { SNAPSHOT_JSON_LIMITS } from "../../src/config/json-reader";
import { readJsonFileStreaming as readEitherWay, type StreamedArrays, WHOLE_TEXT_BYTES } from "../../src/config/json-stream-reader";
import { parseAuditInput, readAuditInput } from "../../src/offline/audit/input";
import { maskSecrets } from "../../src/offline/redaction/secrets";
import { parseSnapshot, readSnapshot, SnapshotError } from "../../src/offline/snapshot/reader";
import { SECRET_SIG_KEY, SECRET_SIG_VALUE } from "../../src/offline/snapshot/types";
import { serializeSnapshot } from "../../src/offline/snapshot/writer";
import { compliantStack } from "../policy/support/fixture-stack";

/** The streaming reader (src/config/json-stream-reader.ts) against JSON.parse and the text reader it replaces for files. */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "snapshot-streaming-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let count = 0;
function file(text: string | Buffer): string {
  const f = path.join(tmp, `doc-${count++}.json`);
  fs.writeFileSync(f, text);
  return f;
}

const NOTHING_STREAMED: StreamedArrays = { isStreamed: () => false, onElement: (_p, _i, e) => e };

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error");
}

// Files up to WHOLE_TEXT_BYTES are parsed whole, larger ones streamed: every case runs both ways.
describe.each([
  ["streamed", -1],
  ["parsed whole", WHOLE_TEXT_BYTES],
])("the JSON file reader, %s", (_mode, wholeTextBytes) => {
  const readJsonFileStreaming = (f: string, limits: typeof SNAPSHOT_JSON_LIMITS, streamed: StreamedArrays, what?: string): unknown => readEitherWay(f, limits, streamed, what, wholeTextBytes);

  describe("the streaming JSON reader builds what JSON.parse builds", () => {
    it("for escapes, surrogate pairs, numbers, duplicate keys, __proto__ and long strings", () => {
      const text = [
        '{"s": "a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00 ü 😀",',
        ' "n": [0, -0, 1.5, -2e-3, 1E+21, 123456789012345678901234567890, 1e400],',
        ' "lit": [true, false, null, {}, []],',
        ' "dup": 1, "dup": 2,',
        ' "__proto__": {"polluted": true},',
        ` "long": "${"x\\u0041".repeat(400)}",`,
        ' "deep": {"a": [{"b": [[["c"]]]}]}}',
      ].join("\n");
      const parsed = readJsonFileStreaming(file(text), SNAPSHOT_JSON_LIMITS, NOTHING_STREAMED);
      expect(parsed).toEqual(JSON.parse(text));
      expect(Object.is((parsed as { n: number[] }).n[1], -0)).toBe(true);
      expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
      expect(Object.keys(parsed as object)).toEqual(Object.keys(JSON.parse(text) as object));
    });

    it("across block boundaries: multi-byte characters cut between two 1 MiB reads, and a byte-order mark", () => {
      // Each entry is 3 + 7 bytes; "é" is two bytes and "😀" four, so some fall across the 1 MiB boundary.
      const items = Array.from({ length: 150_000 }, (_, i) => (i % 3 === 0 ? "é😀x" : i % 3 === 1 ? "😀éé" : "ééé"));
      const text = JSON.stringify({ items });
      const parsed = readJsonFileStreaming(file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])), SNAPSHOT_JSON_LIMITS, NOTHING_STREAMED);
      expect(Buffer.byteLength(text)).toBeGreaterThan(1024 * 1024);
      expect(parsed).toEqual({ items });
    });

    it("hands over the elements of a streamed array one by one, in order, and keeps what the caller returns", () => {
      const doc = { deployment: { manifest: { m: 1 }, resources: [{ a: [1, 2] }, { b: { c: "d" } }, 3], other: [{ x: 1 }] }, resources: [{ kept: true }] };
      const seen: Array<[string, number, unknown]> = [];
      const parsed = readJsonFileStreaming(file(JSON.stringify(doc)), SNAPSHOT_JSON_LIMITS, {
        isStreamed: (p) => p.join(".") === "deployment.resources",
        onElement: (p, i, e) => {
          seen.push([p.join("."), i, e]);
          return `slim ${i}`;
        },
      });
      expect(seen).toEqual([
        ["deployment.resources", 0, { a: [1, 2] }],
        ["deployment.resources", 1, { b: { c: "d" } }],
        ["deployment.resources", 2, 3],
      ]);
      expect(parsed).toEqual({ ...doc, deployment: { ...doc.deployment, resources: ["slim 0", "slim 1", "slim 2"] } });
    });
  });

  describe("the streaming JSON reader keeps the limits, with one line naming the file", () => {
    it.each([
      ["10,000-deep nesting", `${"[".repeat(10_000)}${"]".repeat(10_000)}`, /^.*doc-\d+\.json: nested more than 200 levels deep; allowed: at most 200$/],
      ["an unterminated document", '{"version": 3, ', /^.*doc-\d+\.json: not valid JSON \(.+\)$/],
      ["a truncated string", '{"a": "abc', /^.*doc-\d+\.json: not valid JSON \(.+\)$/],
      ["garbage after the document", '{"a": 1} x', /^.*doc-\d+\.json: not valid JSON \(.+\)$/],
      ["two documents", "{} {}", /^.*doc-\d+\.json: not valid JSON \(.+\)$/],
      ["an empty file", "", /^.*doc-\d+\.json: not valid JSON \(.+\)$/],
      ["a bare word", "nope", /^.*doc-\d+\.json: not valid JSON \(.+\)$/],
    ])("%s", (_name, text, message) => {
      const err = errorOf(() => readJsonFileStreaming(file(text), SNAPSHOT_JSON_LIMITS, NOTHING_STREAMED));
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain("\n");
    });

    it("refuses a file over the size limit before reading it, and a device unread", () => {
      const big = file(JSON.stringify({ a: "x".repeat(5000) }));
      expect(errorOf(() => readJsonFileStreaming(big, { maxBytes: 4096, maxDepth: 10 }, NOTHING_STREAMED)).message).toBe(
        `${big}: 4.9 KiB is larger than the 4 KiB allowed for a JSON file`,
      );
      expect(errorOf(() => readJsonFileStreaming("/dev/zero", SNAPSHOT_JSON_LIMITS, NOTHING_STREAMED, "stack export")).message).toBe(
        "/dev/zero: not a regular file; allowed: a stack export file",
      );
    });
  });

});

describe("snapshot files read streaming give what the text reader gives", () => {
  const stack = compliantStack("dev").fx.toExport();

  it("an export, a self-managed checkpoint and a bare deployment", () => {
    const text = serializeSnapshot(stack);
    expect(readSnapshot(file(text))).toEqual(parseSnapshot(text, "x"));
    const checkpoint = JSON.stringify({ version: 3, checkpoint: { stack: "dev", latest: stack.deployment } });
    expect(readSnapshot(file(checkpoint))).toEqual(parseSnapshot(checkpoint, "x"));
    const bare = JSON.stringify(stack.deployment);
    const f = file(bare);
    expect(readAuditInput(f)).toEqual(parseAuditInput(bare, f));
  });

  it("the same when streamed (files above the whole-text size): an export, a checkpoint, a refused resource", () => {
    const text = serializeSnapshot(stack);
    expect(readSnapshot(file(text), -1)).toEqual(parseSnapshot(text, "x"));
    const checkpoint = JSON.stringify({ version: 3, checkpoint: { stack: "dev", latest: stack.deployment } });
    expect(readSnapshot(file(checkpoint), -1)).toEqual(parseSnapshot(checkpoint, "x"));
    const used = file(JSON.stringify({ version: 3, deployment: { resources: [stack.deployment.resources[0], { urn: "not-a-urn", type: "t" }] } }));
    expect(errorOf(() => readSnapshot(used, -1)).message).toBe(errorOf(() => readSnapshot(used)).message);
  });

  it("a preview's steps", () => {
    const preview = fs.readFileSync(path.join(__dirname, "..", "fixtures", "audit", "preview-key-pair.json"), "utf8");
    const f = file(preview);
    expect(readAuditInput(f)).toEqual(parseAuditInput(preview, f));
  });

  it("a --show-secrets export: plaintexts are dropped while streaming and masked in anything written", () => {
    const plaintext = "Stream-hunter2-plaintext-9xQ";
    const doc = JSON.parse(serializeSnapshot(stack)) as { deployment: { resources: Array<Record<string, unknown>>; manifest: Record<string, unknown> } };
    const secret = { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, plaintext: JSON.stringify(plaintext) };
    (doc.deployment.resources[3] as { outputs: Record<string, unknown> }).outputs["password"] = secret;
    doc.deployment.manifest["note"] = { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, plaintext: '"manifest-plaintext-4242"' };
    const read = readSnapshot(file(JSON.stringify(doc)));
    const written = JSON.stringify(read);
    expect(written).not.toContain(plaintext);
    expect(written).not.toContain("manifest-plaintext-4242");
    expect(maskSecrets(`leak: ${plaintext} and manifest-plaintext-4242`)).toBe("leak: [secret] and [secret]");
  });

  it("raises a resource's error only where the text reader does: after the version, and only for the list in use", () => {
    const badResource = { urn: "not-a-urn", type: "t" };
    const wrongVersion = JSON.stringify({ version: 2, deployment: { resources: [badResource] } });
    expect(errorOf(() => readSnapshot(file(wrongVersion))).message).toMatch(/deployment version number 2 is not supported/);
    const unusedList = JSON.stringify({ version: 3, checkpoint: { latest: stack.deployment }, deployment: { resources: [badResource] } });
    expect(readSnapshot(file(unusedList))).toEqual(parseSnapshot(unusedList, "x"));
    const used = file(JSON.stringify({ version: 3, deployment: { resources: [stack.deployment.resources[0], badResource] } }));
    const err = errorOf(() => readSnapshot(used));
    expect(err).toBeInstanceOf(SnapshotError);
    expect(err.message).toBe(`${used}: deployment.resources[1].urn: expected a URN "urn:pulumi:<stack>::<project>::<type>::<name>", found string "not-a-urn"`);
  });
});
