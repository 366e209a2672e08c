import { gunzipSync } from "node:zlib";
import { parseYaml } from "../../config/yaml-reader";
import type { WrittenFile } from "./shell-writes";

/**
 * Files a cloud-config document writes (`write_files`), decoded as cloud-init's write_files module does:
 * `encoding` b64/base64, gz/gzip or gz+b64 (and its spellings), `permissions` default 0644, `owner`
 * default root:root. A document that is not cloud-config YAML yields nothing.
 */
export function isCloudConfig(text: string): boolean {
  return text.startsWith("#cloud-config");
}

function decode(content: string, encoding: string | undefined): string {
  const enc = (encoding ?? "text/plain").toLowerCase();
  if (["gz+b64", "gzip+base64", "gz+base64", "gzip+b64"].includes(enc)) return gunzipSync(Buffer.from(content, "base64")).toString("utf8");
  if (["b64", "base64"].includes(enc)) return Buffer.from(content, "base64").toString("utf8");
  if (["gz", "gzip"].includes(enc)) return gunzipSync(Buffer.from(content, "latin1")).toString("utf8");
  return content;
}

export function cloudConfigDocument(text: string): Record<string, unknown> | undefined {
  if (!isCloudConfig(text)) return undefined;
  let doc: unknown;
  try {
    doc = parseYaml(text, "cloud-config");
  } catch {
    return undefined;
  }
  return typeof doc === "object" && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
}

export function filesWrittenByCloudConfig(text: string): WrittenFile[] {
  const doc = cloudConfigDocument(text);
  const entries = doc?.write_files;
  if (!Array.isArray(entries)) return [];
  const files: WrittenFile[] = [];
  for (const raw of entries) {
    if (typeof raw !== "object" || raw === null) continue;
    const e = raw as Record<string, unknown>;
    if (typeof e.path !== "string" || !e.path.startsWith("/")) continue;
    const content = typeof e.content === "string" ? decode(e.content, typeof e.encoding === "string" ? e.encoding : undefined) : "";
    // Rendered documents quote the mode; a bare number is kept as written (YAML 1.1 and 1.2 read 0644 differently).
    const permissions = typeof e.permissions === "string" || typeof e.permissions === "number" ? String(e.permissions) : "0644";
    files.push({ path: e.path, mode: permissions, owner: typeof e.owner === "string" ? e.owner : "root:root", content, expanded: false });
  }
  return files;
}
