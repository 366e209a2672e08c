import { Document, isCollection, isPair, parse, parseAllDocuments, parseDocument, type Node as YamlNode, visit, type YAMLError } from "yaml";
import { formatBytes, readBoundedText } from "./bounded-file";
import { InputError } from "./input-error";

/**
 * The one YAML reader of the repository: stack files, the service catalog, the files `expiry` reads,
 * the tools. Typing follows the Pulumi CLI, which reads stack files with Go's gopkg.in/yaml.v3: the
 * YAML 1.2 core schema (`true`/`false` only, so `yes` and `on` stay strings; no timestamp type, so
 * `2026-12-04` stays the string it reads as), merge keys (`<<`), and duplicate keys refused.
 * Limits make a hostile file fail fast with one line naming it, instead of eating the machine:
 * the alias expansion budget stops "billion laughs"; the depth limit stops 10,000-deep nesting.
 */
export interface YamlLimits {
  /** Largest file accepted, in bytes. */
  readonly maxBytes: number;
  /** Alias expansion budget (the `yaml` package's `maxAliasCount`: -1 unlimited, 0 no aliases). */
  readonly maxAliasCount: number;
  /** Deepest nesting of mappings and sequences. */
  readonly maxDepth: number;
}

export const YAML_LIMITS: YamlLimits = { maxBytes: 4 * 1024 * 1024, maxAliasCount: 100, maxDepth: 64 };

/** "line 3, column 1: not valid YAML (Map keys must be unique)": where first, then what. */
function syntaxProblem(error: YAMLError): string {
  const at = error.linePos?.[0];
  if (error.code === "MULTIPLE_DOCS") return `${at ? `line ${at.line}: ` : ""}a second document (---); allowed: one YAML document`;
  const what = firstLine(error.message).replace(/ at line \d+, column \d+:?$/, "").replace(/:$/, "");
  return `${at ? `line ${at.line}, column ${at.col}: ` : ""}not valid YAML (${what})`;
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

/** Depth of the node tree, walked without recursion so that depth itself cannot overflow the stack. */
function deepestNesting(root: YamlNode | null, limit: number): number {
  const stack: Array<[unknown, number]> = [[root, 0]];
  let deepest = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (isPair(node)) {
      stack.push([node.key, depth], [node.value, depth]);
    } else if (isCollection(node)) {
      const inner = depth + 1;
      deepest = Math.max(deepest, inner);
      if (deepest > limit) return deepest;
      for (const item of node.items) stack.push([item, inner]);
    }
  }
  return deepest;
}

const PARSE_OPTIONS = { schema: "core", merge: true, uniqueKeys: true, prettyErrors: true, strict: true } as const;

function checkSize(text: string, source: string, maxBytes: number): void {
  if (Buffer.byteLength(text, "utf8") > maxBytes) throw new InputError(source, `larger than the ${formatBytes(maxBytes)} allowed for a YAML file`);
}

/** One composed document to plain data, within the limits. */
function toData(doc: Document.Parsed, source: string, { maxAliasCount, maxDepth }: YamlLimits): unknown {
  const error = doc.errors[0];
  if (error !== undefined) {
    if (error.code === "RESOURCE_EXHAUSTION") throw new InputError(source, `nested too deeply to read; allowed: at most ${maxDepth} levels`);
    throw new InputError(source, syntaxProblem(error));
  }
  const depth = deepestNesting(doc.contents, maxDepth);
  if (depth > maxDepth) throw new InputError(source, `nested more than ${maxDepth} levels deep; allowed: at most ${maxDepth}`);
  try {
    return doc.toJS({ maxAliasCount });
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new InputError(source, `its aliases expand past the limit of ${maxAliasCount} (a "billion laughs" document); allowed: YAML without alias bombs`);
    }
    if (err instanceof RangeError) throw new InputError(source, `nested too deeply to read; allowed: at most ${maxDepth} levels`);
    throw new InputError(source, `not valid YAML (${firstLine((err as Error).message)})`);
  }
}

/** Parses one YAML document; `source` names it in every error (a file path, or "stack dev: ..."). */
export function parseYaml(text: string, source: string, limits: Partial<YamlLimits> = {}): unknown {
  const all = { ...YAML_LIMITS, ...limits };
  checkSize(text, source, all.maxBytes);
  return toData(parseDocument(text, PARSE_OPTIONS), source, all);
}

/** Parses a stream of documents separated by `---` (Kubernetes manifests), each within the limits. */
export function parseYamlStream(text: string, source: string, limits: Partial<YamlLimits> = {}): unknown[] {
  const all = { ...YAML_LIMITS, ...limits };
  checkSize(text, source, all.maxBytes);
  return parseAllDocuments(text, PARSE_OPTIONS).map((doc) => toData(doc, source, all));
}

/** Reads and parses a YAML file (a regular file of at most `maxBytes`). */
export function readYamlFile(file: string, limits: Partial<YamlLimits> = {}): unknown {
  const maxBytes = limits.maxBytes ?? YAML_LIMITS.maxBytes;
  return parseYaml(readBoundedText(file, maxBytes, "YAML"), file, limits);
}

/**
 * `readsAsOtherThanItself`'s answers so far: they depend on the text alone, and a synth renders the same
 * scalars (paths, names, addresses) for every database host, two YAML parses each (80 ms of prod's synth).
 * A run renders a few thousand distinct one-line scalars.
 */
const otherThanItself = new Map<string, boolean>();

/** A string that some schema would read as something else (`yes`, `0755`, `0o17`, `2026-12-04`, `~`). */
function readsAsOtherThanItself(text: string): boolean {
  if (text.includes("\n")) return false;
  let answer = otherThanItself.get(text);
  if (answer === undefined) {
    answer = (["core", "yaml-1.1"] as const).some((schema) => {
      try {
        return parse(text, { schema }) !== text;
      } catch {
        return true;
      }
    });
    otherThanItself.set(text, answer);
  }
  return answer;
}

/**
 * Renders data as YAML that reads back unchanged both under the core schema (this reader) and under
 * YAML 1.1 (cloud-init's PyYAML, the Kubernetes tooling): every string that either schema would read as
 * a boolean, number, date or null is double-quoted.
 */
export function renderYaml(value: unknown): string {
  const doc = new Document(value, { schema: "core", aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && readsAsOtherThanItself(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
  return doc.toString({ lineWidth: 0 });
}
