/**
 * Typed reads of resource properties, which policies receive as untyped JSON. They only read: under
 * the engine (and the offline auditor) a property unknown during preview throws on access, which the
 * engine turns into an advisory, so nothing here may catch errors.
 */
export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function record(value: unknown): Json | undefined {
  return isRecord(value) ? value : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function texts(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return list(value).filter((v): v is string => typeof v === "string");
}

/** Booleans arrive as `true` from most providers, and as `"true"` in some nested launch-template fields. */
export function flag(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return undefined;
}

export function num(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/** Reads a nested property: `at(props, "metadataOptions", "httpTokens")`. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (typeof key === "number") {
      if (!Array.isArray(current)) return undefined;
      current = current[key];
    } else {
      if (!isRecord(current)) return undefined;
      current = current[key];
    }
  }
  return current;
}

/** A resource's tags: the `tags` map (most AWS resources) or the `{key, value}` list of an auto scaling group. */
export function tagsOf(props: Json): Record<string, string> {
  const tags: Record<string, string> = {};
  const raw = props["tags"];
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      const key = text(at(entry, "key"));
      const value = text(at(entry, "value"));
      if (key !== undefined && value !== undefined) tags[key] = value;
    }
    return tags;
  }
  for (const [key, value] of Object.entries(record(raw) ?? {})) {
    if (typeof value === "string") tags[key] = value;
  }
  return tags;
}

/** The engine's sentinels for values not known during preview (as sent to analyzers). */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  "030794c1-ac77-496b-92df-f27374a8bd58",
  "e48ece36-62e2-4504-bad9-02848725956a",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

function rawProperty(value: unknown, key: string | number): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  // The descriptor comes from the proxied object itself, so an unknown value is seen, not thrown.
  return Object.getOwnPropertyDescriptor(value, key)?.value;
}

/**
 * Reads strings without tripping the unknown-value check, skipping values unknown during preview.
 * Only for comparisons against literals (an unknown id or ARN can never equal one), never for the
 * value a rule judges.
 */
export function peekTexts(value: unknown, key: string): string[] {
  const raw = rawProperty(value, key);
  const items = Array.isArray(raw) ? raw : [raw];
  return items.filter((v): v is string => typeof v === "string" && !UNKNOWN_SENTINELS.has(v));
}
