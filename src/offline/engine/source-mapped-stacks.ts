import * as fs from "node:fs";
import { SourceMap } from "node:module";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

/**
 * Stack traces mapped through source maps while the program runs, without `--enable-source-maps`.
 *
 * The SDK reads each resource's `sourcePosition` from `new Error().stack` (`Resource.callsites`,
 * `@pulumi/pulumi` 3.248.0 `resource.js` line 311), so the position is the program's TypeScript line
 * only if stacks are source-mapped. Node's `--enable-source-maps` does that, but at a price paid for
 * every module loaded: it reads and parses the `.map` file of every module that names one (the SDKs
 * ship maps for all ~500 of their modules) and measures every line of its source
 * (`maybeCacheSourceMap` in Node 20's lib/internal/source_map/source_map_cache.js: 4 % of prod's synth),
 * and then converts each frame's path to a URL to look its map up (`findSourceMap`: 2 %).
 *
 * Here the same text is produced through V8's documented `Error.prepareStackTrace` hook
 * (v8.dev/docs/stack-trace-api; Node calls it when set: `prepareStackTraceCallback`, lib/internal/errors.js)
 * with the public `SourceMap` of `node:module`, reading a file's map only when one of its frames is
 * formatted. The formatting reproduces Node 20.20's `prepareStackTraceWithSourceMaps` and
 * `serializeJSStackFrame` (lib/internal/source_map/prepare_stack_trace.js), and the map lookup its
 * `maybeCacheSourceMap`, `dataFromUrl` and `sourcesToAbsolute`, so every mapped frame reads exactly as
 * under `--enable-source-maps` (test/unit/engine-source-mapped-stacks.test.ts compares both on real stacks).
 */

/** V8's CallSite (v8.dev/docs/stack-trace-api#customizing-stack-traces), the members used here. */
interface CallSite {
  getFileName(): string | null | undefined;
  getEvalOrigin(): string | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
  getEnclosingLineNumber(): number | null;
  getEnclosingColumnNumber(): number | null;
  getFunctionName(): string | null;
  getMethodName(): string | null;
  getTypeName(): string | null;
  isAsync(): boolean;
  isConstructor(): boolean;
  toString(): string;
}

const LEADING_PROTOCOL = /^\w+:\/\//;
const SOURCE_MAPPING_URL = /\/[*/]#\s+sourceMappingURL=(?<url>[^\s]+)/g;
const errorToString = Error.prototype.toString;

/** The last `sourceMappingURL` comment of a source (the last, so a string literal earlier cannot win). */
function sourceMappingUrl(content: string): string | undefined {
  let url: string | undefined;
  for (const match of content.matchAll(SOURCE_MAPPING_URL)) url = match.groups?.url;
  return url;
}

interface SourceMapPayload {
  sources: string[];
  sourceRoot?: string;
}

/** Sources made absolute URLs, relative to the map (Node's `sourcesToAbsolute`). */
function sourcesToAbsolute(baseUrl: string, data: SourceMapPayload): SourceMapPayload {
  data.sources = data.sources.map((s) => {
    const source = (data.sourceRoot ?? "") + s;
    return path.isAbsolute(source) ? pathToFileURL(source).href : new URL(source, baseUrl).href;
  });
  data.sourceRoot = "";
  return data;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** The map a module's comment names: inline (`data:application/json`) or a file beside it (Node's `dataFromUrl`). */
function mapPayload(fileUrl: string, mappingUrl: string): SourceMapPayload | undefined {
  try {
    const url = parseUrl(mappingUrl);
    if (url !== undefined) {
      if (url.protocol !== "data:") return undefined;
      const [format = "", data = ""] = url.pathname.split(",");
      const parts = format.split(";");
      if (parts[0] !== "application/json") return undefined;
      const json = parts[parts.length - 1] === "base64" ? Buffer.from(data, "base64").toString("utf8") : data;
      return sourcesToAbsolute(fileUrl, JSON.parse(json) as SourceMapPayload);
    }
    const mapUrl = new URL(mappingUrl, fileUrl).href;
    return sourcesToAbsolute(mapUrl, JSON.parse(fs.readFileSync(fileURLToPath(mapUrl), "utf8")) as SourceMapPayload);
  } catch {
    return undefined;
  }
}

/**
 * The `kIsNodeError` marker of Node's own errors, whose first stack line Node writes as
 * `Name [CODE]: message`; found on an error Node raises (ERR_INVALID_ARG_TYPE), undefined if it has none.
 */
function nodeErrorMarker(): symbol | undefined {
  try {
    promisify(1 as unknown as () => void);
  } catch (error) {
    for (let o: object | null = error as object; o !== null; o = Object.getPrototypeOf(o) as object | null) {
      const marker = Object.getOwnPropertySymbols(o).find((s) => s.description === "kIsNodeError");
      if (marker !== undefined) return marker;
    }
  }
  return undefined;
}

export class SourceMappedStacks {
  /** Per frame file name: its map, or null when it has none. */
  private readonly maps = new Map<string, SourceMap | null>();
  private readonly nodeError = nodeErrorMarker();

  /** What `--enable-source-maps` would have cached for this file: a map when its source names one. */
  private sourceMap(fileName: string | undefined): SourceMap | undefined {
    if (fileName === undefined) return undefined;
    let map = this.maps.get(fileName);
    if (map === undefined) {
      map = this.readMap(fileName) ?? null;
      this.maps.set(fileName, map);
    }
    return map ?? undefined;
  }

  private readMap(fileName: string): SourceMap | undefined {
    let file: string;
    try {
      // Node's cache holds modules by file URL; names that are no file path (node:internal/..., <anonymous>) have none.
      if (LEADING_PROTOCOL.test(fileName)) {
        if (!fileName.startsWith("file://")) return undefined;
        file = fileURLToPath(fileName);
      } else {
        if (!path.isAbsolute(fileName)) return undefined;
        file = fileName;
      }
      const mappingUrl = sourceMappingUrl(fs.readFileSync(file, "utf8"));
      if (mappingUrl === undefined) return undefined;
      const payload = mapPayload(pathToFileURL(file).href, mappingUrl);
      return payload === undefined ? undefined : new SourceMap(payload as unknown as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      return undefined;
    }
  }

  /** `Error.prepareStackTrace`: the text of `error.stack`, frames mapped as Node maps them. */
  readonly prepareStackTrace = (error: Error, trace: CallSite[]): string => {
    const errorString =
      this.nodeError !== undefined && typeof error === "object" && error !== null && this.nodeError in error
        ? `${error.name} [${(error as { code?: unknown }).code}]: ${error.message}`
        : errorToString.call(error);
    if (trace.length === 0) return errorString;
    let text = errorString;
    for (let i = 0; i < trace.length; i++) {
      const callSite = trace[i] as CallSite;
      let frame: string | undefined;
      try {
        let fileName = callSite.getFileName();
        if (fileName === undefined) fileName = callSite.getEvalOrigin();
        const map = this.sourceMap(fileName ?? undefined);
        if (map !== undefined) frame = serializeFrame(map, callSite, trace[i + 1]);
      } catch {
        frame = undefined;
      }
      text += `\n    at ${frame ?? `${callSite}`}`;
    }
    return text;
  };
}

/** A frame as Node's `serializeJSStackFrame` writes it: the original position, the original name if the map has one. */
function serializeFrame(map: SourceMap, callSite: CallSite, caller: CallSite | undefined): string {
  const entry = map.findEntry((callSite.getLineNumber() ?? 0) - 1, (callSite.getColumnNumber() ?? 0) - 1) as Partial<SourceMapEntryLike>;
  const { originalSource, originalLine, originalColumn } = entry;
  if (originalSource === undefined || originalLine === undefined || originalColumn === undefined) return `${callSite}`;
  const name = originalSymbolName(map, callSite, caller);
  const source = originalSource.startsWith("file://") ? fileURLToPath(originalSource) : originalSource;
  const fnName = callSite.getFunctionName() ?? callSite.getMethodName();
  const prefix = callSite.isAsync() ? "async " : callSite.isConstructor() ? "new " : "";
  const typeName = callSite.getTypeName();
  const namePrefix = typeName !== null && typeName !== "global" ? `${typeName}.` : "";
  const originalName = `${namePrefix}${fnName || "<anonymous>"}`;
  const mappedName = name && name !== originalName ? name : originalName;
  const hasName = !!(name || originalName);
  return `${prefix}${mappedName}${hasName ? " (" : ""}${source}:${originalLine + 1}:${originalColumn + 1}${hasName ? ")" : ""}`;
}

interface SourceMapEntryLike {
  originalSource: string;
  originalLine: number;
  originalColumn: number;
  name: string;
}

/** Node's `getOriginalSymbolName`: the enclosing function's name in the map, else the caller's mapped name. */
function originalSymbolName(map: SourceMap, callSite: CallSite, caller: CallSite | undefined): string | undefined {
  const enclosing = map.findEntry((callSite.getEnclosingLineNumber() ?? 0) - 1, (callSite.getEnclosingColumnNumber() ?? 0) - 1) as Partial<SourceMapEntryLike>;
  if (enclosing.name) return enclosing.name;
  if (caller !== undefined && callSite.getFileName() === caller.getFileName()) {
    return (map.findEntry((caller.getLineNumber() ?? 0) - 1, (caller.getColumnNumber() ?? 0) - 1) as Partial<SourceMapEntryLike>).name;
  }
  return undefined;
}

/**
 * Whether `Error.prepareStackTrace` is still Node's own: Node 20 installs a polyfill of V8's API named
 * `ErrorPrepareStackTrace` (lib/internal/errors.js), which formats without source maps unless
 * `--enable-source-maps` is on. Anything else is someone's own mapping (a test runner's), kept.
 */
function nodeDefaultPrepareStackTrace(): boolean {
  const current: unknown = Error.prepareStackTrace;
  return current === undefined || (typeof current === "function" && current.name === "ErrorPrepareStackTrace");
}

/**
 * Maps stacks until the returned function is called, unless something maps them already (Node's
 * `--enable-source-maps`, or a test runner's own `Error.prepareStackTrace`): then it leaves them alone.
 */
export function mapStacksWhileRunning(): () => void {
  if (process.sourceMapsEnabled || !nodeDefaultPrepareStackTrace()) return () => undefined;
  const previous: unknown = Error.prepareStackTrace;
  const stacks = new SourceMappedStacks();
  Error.prepareStackTrace = stacks.prepareStackTrace as unknown as typeof Error.prepareStackTrace;
  return () => {
    if (Error.prepareStackTrace !== (stacks.prepareStackTrace as unknown)) return;
    if (previous === undefined) Reflect.deleteProperty(Error, "prepareStackTrace");
    else Error.prepareStackTrace = previous as typeof Error.prepareStackTrace;
  };
}
