import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { CustomTimeouts, RecordedOptions } from "./recorder";

/**
 * The resource options of one RegisterResourceRequest, turned into what the engine keeps in the state
 * (pulumi/pulumi pkg/resource/deploy/source_eval.go): custom timeouts in seconds, the source position
 * relative to the project root.
 */
export interface CustomTimeoutsLike {
  getCreate(): string;
  getUpdate(): string;
  getDelete(): string;
  getRead?(): string;
}
export interface SourcePositionLike {
  getUri(): string;
  getLine(): number;
  getColumn(): number;
}
export interface OptionsRequestLike {
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getCustomtimeouts(): CustomTimeoutsLike | undefined;
  getSourceposition(): SourcePositionLike | undefined;
}

export function recordedOptions(req: OptionsRequestLike): RecordedOptions {
  return {
    ignoreChanges: [...req.getIgnorechangesList()],
    replaceOnChanges: [...req.getReplaceonchangesList()],
    customTimeouts: customTimeouts(req.getCustomtimeouts()),
  };
}

function customTimeouts(timeouts: CustomTimeoutsLike | undefined): CustomTimeouts | undefined {
  if (timeouts === undefined) return undefined;
  const out: { -readonly [K in keyof CustomTimeouts]: number } = {};
  const fields: [keyof CustomTimeouts, string][] = [
    ["create", timeouts.getCreate()],
    ["update", timeouts.getUpdate()],
    ["delete", timeouts.getDelete()],
    ["read", timeouts.getRead?.() ?? ""],
  ];
  for (const [field, text] of fields) {
    if (text === "") continue;
    const seconds = goDurationSeconds(text);
    if (seconds !== undefined && seconds !== 0) out[field] = seconds;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, "μs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Go's time.ParseDuration (`1h30m`, `90s`, `1.5h`), which the engine applies to custom timeouts; undefined when it would fail. */
export function goDurationSeconds(text: string): number | undefined {
  const match = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (match === null) return text === "0" ? 0 : undefined;
  let total = 0;
  for (const part of text.replace(/^[-+]/, "").matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * (UNIT_SECONDS[part[2] as string] ?? 0);
  }
  return match[1] === "-" ? -total : total;
}

/**
 * `project:///<path relative to the project root>#<line>[,<column>]`, as the engine rewrites the SDK's
 * `file://` position (sourcePositions.parseSourcePosition); undefined for positions outside a file.
 */
export function sourcePosition(position: SourcePositionLike | undefined, projectRoot: string): string | undefined {
  if (position === undefined || position.getUri() === "" || position.getLine() < 0) return undefined;
  let file: string;
  try {
    file = fileURLToPath(position.getUri());
  } catch {
    return undefined;
  }
  const relative = path.relative(projectRoot, file).split(path.sep).join("/");
  const column = position.getColumn() > 0 ? `,${position.getColumn()}` : "";
  // Escaped as Go's url.URL.String() escapes a path: `@`, `:` and `/` stay, `?` and `#` do not.
  const escaped = encodeURI(relative).replace(/\?/g, "%3F").replace(/#/g, "%23");
  return `project:///${escaped}#${position.getLine()}${column}`;
}
