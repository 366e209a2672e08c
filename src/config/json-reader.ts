import { formatBytes, readBoundedText } from "./bounded-file";
import { InputError } from "./input-error";

/**
 * The one JSON reader for the files the commands read (snapshots, previews, exports, policy config).
 * V8's JSON.parse itself copes with deep nesting, but everything that walks the result afterwards is
 * recursive: a 10,000-deep document would end as "Maximum call stack size exceeded" far from the file.
 * So the depth is measured first, in one pass over the text, and refused with a line naming the file.
 */
export interface JsonLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
}

/** Snapshots: a 200 MB export of 55,000 resources is legitimate; V8's longest string is about 512 MiB. */
export const SNAPSHOT_JSON_LIMITS: JsonLimits = { maxBytes: 480 * 1024 * 1024, maxDepth: 200 };
/** Small hand-written files (policy configuration, waivers). */
export const CONFIG_JSON_LIMITS: JsonLimits = { maxBytes: 4 * 1024 * 1024, maxDepth: 64 };

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of objects and arrays, stopping as soon as it passes `limit`. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // Jump to the quote that ends the string (indexOf is native; strings are most of a snapshot): a
      // quote is escaped when an odd run of backslashes precedes it.
      let end = text.indexOf('"', i);
      for (;;) {
        if (end < 0) return deepest;
        let run = 0;
        while (end - run - 1 >= i && text.charCodeAt(end - run - 1) === BACKSLASH) run++;
        if (run % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      i = end;
      inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return deepest;
}

export function parseJson(text: string, source: string, limits: JsonLimits = CONFIG_JSON_LIMITS): unknown {
  if (text.length > limits.maxBytes) throw new InputError(source, `larger than the ${formatBytes(limits.maxBytes)} allowed for this JSON file`);
  if (jsonDepth(text, limits.maxDepth) > limits.maxDepth) {
    throw new InputError(source, `nested more than ${limits.maxDepth} levels deep; allowed: at most ${limits.maxDepth}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InputError(source, `not valid JSON (${(err as Error).message.split("\n")[0] ?? ""})`);
  }
}

export function readJsonFile(file: string, limits: JsonLimits = CONFIG_JSON_LIMITS): unknown {
  return parseJson(readBoundedText(file, limits.maxBytes, "JSON"), file, limits);
}
