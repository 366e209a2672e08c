import { gunzipSync } from "node:zlib";
import type { ResourceState } from "../snapshot/types";
import { nameOf, propsOf, tagsOf, type SnapshotIndex } from "./resource-facts";

/**
 * The egress exceptions (D6) a snapshot deploys, recovered from what the egress proxy is given:
 *
 * 1. an SSM parameter whose name, `component` tag or resource name mentions egress, allowlist or proxy,
 *    holding JSON (a list of host names, a list of `{host, expires}` objects, or `{exceptions: [...]}`)
 *    or one host per line;
 * 2. the proxy's user-data (launch template or instance in the `dmz` zone, or whose `component` tag or
 *    name mentions proxy/egress), plain, base64 or gzip+base64, and base64 files embedded in it: the
 *    proxy's dated exceptions file (tab-separated `expires granted zones host ...` rows, see
 *    src/dmz/squid/exceptions-file.ts), Squid `acl <name> dstdomain <host> ...` lines, and JSON
 *    objects with a `"host"` key.
 *
 * Only names are read: a new name in head that base did not allow is a new egress exception.
 */
export interface EgressEntry {
  readonly host: string;
  readonly expires?: string;
  /** URN of the resource the entry was found in. */
  readonly source: string;
}

const EGRESS_HINT = /egress|allow-?list|proxy/i;
const USER_DATA_TYPES: ReadonlySet<string> = new Set(["aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"]);
const HOST = /^\.?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const DATE = /^\d{4}-\d{2}-\d{2}/;

export function egressAllowlist(index: SnapshotIndex): EgressEntry[] {
  const found = new Map<string, EgressEntry>();
  const add = (entry: EgressEntry): void => {
    const host = entry.host.toLowerCase();
    if (!HOST.test(host)) return;
    const key = `${host}\0${entry.source}`;
    // The same host may be named by the ACL and by the dated file; keep the one that knows its expiry.
    if (!found.has(key) || (found.get(key)?.expires === undefined && entry.expires !== undefined)) found.set(key, { ...entry, host });
  };
  for (const resource of index.resources) {
    if (resource.type === "aws:ssm/parameter:Parameter" && mentionsEgress(resource, propsOf(resource).name)) {
      const props = propsOf(resource);
      for (const value of [props.value, props.insecureValue]) {
        if (typeof value === "string") parseParameter(value).forEach((e) => add({ ...e, source: resource.urn }));
      }
    }
    if (USER_DATA_TYPES.has(resource.type) && (tagsOf(resource).zone === "dmz" || mentionsEgress(resource))) {
      const props = propsOf(resource);
      for (const value of [props.userData, props.userDataBase64]) {
        if (typeof value === "string") {
          userDataTexts(value).flatMap(parseConfigText).forEach((e) => add({ ...e, source: resource.urn }));
        }
      }
    }
  }
  return [...found.values()].sort((a, b) => a.host.localeCompare(b.host) || a.source.localeCompare(b.source));
}

function mentionsEgress(resource: ResourceState, ...more: unknown[]): boolean {
  const texts = [nameOf(resource.urn), tagsOf(resource).component ?? "", ...more.filter((m) => typeof m === "string")];
  return texts.some((text) => EGRESS_HINT.test(text as string));
}

type Found = Omit<EgressEntry, "source">;

function parseParameter(value: string): Found[] {
  try {
    return fromJson(JSON.parse(value));
  } catch {
    return value
      .split(/\r?\n|,/)
      .map((line) => line.replace(/#.*$/, "").trim())
      .filter((line) => line !== "")
      .map((host) => ({ host }));
  }
}

function fromJson(json: unknown): Found[] {
  if (Array.isArray(json)) return json.flatMap((item) => (typeof item === "string" ? [{ host: item }] : fromJson(item)));
  if (typeof json !== "object" || json === null) return [];
  const record = json as Record<string, unknown>;
  if (typeof record.host === "string") {
    const expires = typeof record.expires === "string" && DATE.test(record.expires) ? record.expires.slice(0, 10) : undefined;
    return [{ host: record.host, ...(expires === undefined ? {} : { expires }) }];
  }
  return Object.values(record).flatMap((value) => (typeof value === "object" ? fromJson(value) : []));
}

/** Squid ACL lines and `{"host": ...}` objects, wherever they sit in a rendered file. */
export function parseConfigText(text: string): Found[] {
  const entries: Found[] = [];
  for (const line of text.split(/\r?\n/)) {
    const acl = /^\s*acl\s+\S+\s+dstdomain\s+(.+)$/.exec(line);
    if (acl?.[1] !== undefined) {
      for (const word of acl[1].split(/\s+/)) if (word !== "" && !word.startsWith('"') && !word.startsWith("#")) entries.push({ host: word });
    }
  }
  for (const line of text.split(/\r?\n/)) {
    // The proxy's dated exceptions file (src/dmz/squid/exceptions-file.ts): expires, granted, zones, host, ...
    const row = /^(\d{4}-\d{2}-\d{2})\t\d{4}-\d{2}-\d{2}\t[a-z,]+\t([^\t]+)\t/.exec(line);
    if (row?.[1] !== undefined && row[2] !== undefined) entries.push({ host: row[2], expires: row[1] });
  }
  for (const match of text.matchAll(/\{[^{}]*"host"\s*:\s*"[^"]+"[^{}]*\}/g)) {
    try {
      entries.push(...fromJson(JSON.parse(match[0])));
    } catch {
      const host = /"host"\s*:\s*"([^"]+)"/.exec(match[0])?.[1];
      if (host !== undefined) entries.push({ host });
    }
  }
  return entries;
}

/**
 * The texts a user-data value holds: itself or its base64 decoding (gzip undone), plus base64 blobs
 * embedded in it (cloud-init `write_files` with `encoding: b64` or `gz+b64`), one level deep.
 */
export function userDataTexts(value: string): string[] {
  const outer = decodeMaybeBase64(value) ?? value;
  const texts = [outer];
  for (const match of outer.matchAll(/[A-Za-z0-9+/]{40,}={0,2}/g)) {
    const inner = decodeMaybeBase64(match[0]);
    if (inner !== undefined) texts.push(inner);
  }
  return texts;
}

/** Decodes base64 that round-trips to text (gunzipping if needed); undefined for anything else. */
export function decodeMaybeBase64(value: string): string | undefined {
  const compact = value.replace(/\s+/g, "");
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  let bytes = Buffer.from(compact, "base64");
  if (bytes.toString("base64") !== compact) return undefined;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      return undefined;
    }
  }
  const text = bytes.toString("utf8");
  // Binary content (control characters, invalid UTF-8) is not text we can read.
  const binary = [...text].some((ch) => ch === "\ufffd" || (ch.charCodeAt(0) < 0x20 && !"\t\n\r\f\v".includes(ch)));
  return binary ? undefined : text;
}
