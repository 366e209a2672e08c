import * as fs from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { none } from "stream-chain/defs.js";
import { jsonParser, type Token } from "stream-json/core/parser.js";
import { formatBytes, openBoundedFile, unreadable } from "./bounded-file";
import { InputError } from "./input-error";
import { jsonDepth, type JsonLimits } from "./json-reader";

/**
 * The streaming side of the bounded JSON reader (json-reader.ts), for files too large to hold twice:
 * a 200 MB stack export as text plus as a parsed tree took 2 GB. The file is read in blocks and
 * tokenized by stream-json (its synchronous core tokenizer, so readers stay synchronous); arrays the
 * caller names (a snapshot's `deployment.resources`) are handed over one element at a time, and only
 * what the caller returns for an element is kept. So at no time is the whole text held, nor the whole
 * tree of the elements the caller slims down. The limits are the same as json-reader's: the file's size
 * (checked on the open descriptor, before reading) and the nesting depth (checked while reading), each
 * refused with one line naming the file.
 */
export interface StreamedArrays {
  /** Whether the array at `path` (object keys from the root) is handed over element by element. */
  readonly isStreamed: (path: readonly string[]) => boolean;
  /** What to keep of one element of a streamed array, in document order; it takes the element's place. */
  readonly onElement: (path: readonly string[], index: number, element: unknown) => unknown;
}

const BLOCK_BYTES = 1024 * 1024;

/**
 * Files up to this size are parsed whole by JSON.parse (about six times the tokenizer's speed: 1.0 s of
 * the 1.9 s audit of prod went to tokenizing its 4 MiB), holding text and tree at once only while they are
 * small; larger files are streamed. Anything the whole-text parse does not accept (invalid JSON, too deep,
 * a file that grew) is read again streaming, so errors are exactly the streaming reader's.
 */
export const WHOLE_TEXT_BYTES = 32 * 1024 * 1024;

/**
 * V8 makes a string of 13 or more characters cut from a longer one a slice that keeps the whole longer
 * one alive, and the tokenizer cuts values out of its block of text: kept as they come, the values would
 * keep every block, that is the whole text. Concatenating and cutting once more makes V8 copy the
 * characters into a string of the value's own (shorter strings are copied anyway).
 */
const SHARED_BELOW = 13;

function ownCopy(value: string): string {
  return ` ${value}`.slice(1);
}

interface Frame {
  readonly container: Record<string, unknown> | unknown[];
  readonly isArray: boolean;
  /** Keys from the root; undefined below an array (only arrays under objects alone are streamed). */
  readonly path: readonly string[] | undefined;
  readonly streamed: boolean;
  key: string | undefined;
}

/** Builds values from tokens as JSON.parse would, handing streamed arrays' elements to the caller. */
class Assembler {
  private readonly frames: Frame[] = [];
  private root: unknown;
  private finished = false;

  constructor(
    private readonly source: string,
    private readonly maxDepth: number,
    private readonly streamed: StreamedArrays,
  ) {}

  get result(): unknown {
    return this.root;
  }

  get complete(): boolean {
    return this.finished;
  }

  token(t: Token): void {
    switch (t.name) {
      case "startObject":
        this.open({}, false);
        return;
      case "startArray":
        this.open([], true);
        return;
      case "endObject":
      case "endArray":
        this.close();
        return;
      case "keyValue":
        (this.frames[this.frames.length - 1] as Frame).key = t.value;
        return;
      case "stringValue":
        this.value(t.value.length < SHARED_BELOW ? t.value : ownCopy(t.value));
        return;
      case "numberValue":
        this.value(Number(t.value));
        return;
      case "nullValue":
        this.value(null);
        return;
      case "trueValue":
        this.value(true);
        return;
      case "falseValue":
        this.value(false);
        return;
      default:
        return;
    }
  }

  private open(container: Record<string, unknown> | unknown[], isArray: boolean): void {
    if (this.frames.length + 1 > this.maxDepth) {
      throw new InputError(this.source, `nested more than ${this.maxDepth} levels deep; allowed: at most ${this.maxDepth}`);
    }
    const parent = this.frames[this.frames.length - 1];
    let path: readonly string[] | undefined;
    if (parent === undefined) path = [];
    else if (!parent.isArray && parent.path !== undefined) path = [...parent.path, parent.key as string];
    const streamed = isArray && path !== undefined && this.streamed.isStreamed(path);
    this.frames.push({ container, isArray, path, streamed, key: undefined });
  }

  private close(): void {
    const frame = this.frames.pop() as Frame;
    this.value(frame.container);
  }

  private value(value: unknown): void {
    const parent = this.frames[this.frames.length - 1];
    if (parent === undefined) {
      this.root = value;
      this.finished = true;
      return;
    }
    if (parent.isArray) {
      const list = parent.container as unknown[];
      list.push(parent.streamed ? this.streamed.onElement(parent.path as readonly string[], list.length, value) : value);
      return;
    }
    const key = parent.key as string;
    const object = parent.container as Record<string, unknown>;
    // As JSON.parse: "__proto__" is an ordinary own property, never the prototype.
    if (key === "__proto__") Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
    else object[key] = value;
  }
}

/**
 * Reads and parses a JSON file within `limits`, streaming the arrays `streamed` names. A regular file
 * only (a FIFO or a device is refused before it is opened for reading); one InputError line otherwise.
 */
export function readJsonFileStreaming(file: string, limits: JsonLimits, streamed: StreamedArrays, what = "JSON", wholeTextBytes = WHOLE_TEXT_BYTES): unknown {
  const { fd, size } = openBoundedFile(file, limits.maxBytes, what);
  try {
    if (size <= wholeTextBytes) {
      const whole = parsedWhole(file, fd, size, limits);
      if (whole !== undefined) return handOver(whole.value, [], streamed);
    }
    const tokenize = jsonParser({ packValues: true, streamValues: false });
    const assembler = new Assembler(file, limits.maxDepth, streamed);
    const feed = (text: string | typeof none): void => {
      let out: ReturnType<typeof tokenize>;
      try {
        out = tokenize(text as string);
      } catch (err) {
        throw new InputError(file, `not valid JSON (${(err as Error).message.replace(/^Parser (cannot parse input: )?/, "")})`);
      }
      if (out === none) return;
      for (const t of (out as { values: Token[] }).values) assembler.token(t);
    };
    const decoder = new StringDecoder("utf8");
    const block = Buffer.allocUnsafe(BLOCK_BYTES);
    let position = 0;
    let first = true;
    for (;;) {
      const n = readBlock(file, fd, block, position);
      if (n === 0) break;
      position += n;
      // The size was checked on the descriptor; a file that grows while read is cut off at the limit.
      if (position > limits.maxBytes) throw new InputError(file, `larger than the ${formatBytes(limits.maxBytes)} allowed for a ${what} file`);
      let text = decoder.write(block.subarray(0, n));
      // A UTF-8 byte-order mark is not content (the Pulumi CLI strips it from stack files too).
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      feed(text);
    }
    const rest = decoder.end();
    if (rest !== "") feed(rest);
    feed(none);
    if (!assembler.complete) throw new InputError(file, "not valid JSON (unexpected end of input)");
    return assembler.result;
  } finally {
    fs.closeSync(fd);
  }
}

/** The file parsed by JSON.parse within the depth limit; undefined for anything the streaming reader must judge. */
function parsedWhole(file: string, fd: number, size: number, limits: JsonLimits): { value: unknown } | undefined {
  // One byte more than the size, to see a file that grew after it was measured.
  const buffer = Buffer.allocUnsafe(size + 1);
  let read = 0;
  for (;;) {
    const n = readBlock(file, fd, buffer.subarray(read), read);
    if (n === 0) break;
    read += n;
    if (read > size) return undefined;
  }
  let text = buffer.toString("utf8", 0, read);
  // A UTF-8 byte-order mark is not content (the Pulumi CLI strips it from stack files too).
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (jsonDepth(text, limits.maxDepth) > limits.maxDepth) return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * What the streaming reader hands over, on a parsed tree: each element of a streamed array (an array
 * reached from the root through object keys only) goes to `onElement` in document order and its result
 * takes the element's place.
 */
function handOver<T>(value: T, path: readonly string[], streamed: StreamedArrays): T {
  if (Array.isArray(value)) {
    if (streamed.isStreamed(path)) for (let i = 0; i < value.length; i++) value[i] = streamed.onElement(path, i, value[i]) as unknown;
    return value;
  }
  if (typeof value === "object" && value !== null) {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const child = object[key];
      if (typeof child === "object" && child !== null) handOver(child, [...path, key], streamed);
    }
  }
  return value;
}

function readBlock(file: string, fd: number, block: Buffer, position: number): number {
  try {
    return fs.readSync(fd, block, 0, block.length, position);
  } catch (err) {
    throw unreadable(file, err);
  }
}
