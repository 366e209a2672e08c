import { isMap, isSeq, parseDocument } from "yaml";

/**
 * Removes the egress exceptions whose last day is before `today` from the text of a
 * `Pulumi.<stack>.yaml`, keeping everything else as written (comments, order, quoting): the edit the
 * scheduled expiry job proposes in a pull request. Dates are compared as the Pulumi CLI reads them,
 * as text (YAML 1.2 core schema: an unquoted 2026-12-03 is a string, not a timestamp).
 */
export interface Removal {
  readonly text: string;
  /** `host (ticket) expired <date>` per entry removed. */
  readonly removed: readonly string[];
}

export function removeExpiredExceptions(text: string, project: string, today: string): Removal {
  // The caller read the text through the bounded reader (size). The edit walks the document's nodes and
  // never expands aliases; a file the one reader would refuse (duplicate keys, bad syntax) is left alone.
  const doc = parseDocument(text, { version: "1.2", schema: "core", uniqueKeys: true });
  if (doc.errors.length > 0) return { text, removed: [] };
  const exceptions = doc.getIn(["config", `${project}:egress`, "exceptions"], true);
  if (!isSeq(exceptions)) return { text, removed: [] };
  const removed: string[] = [];
  exceptions.items = exceptions.items.filter((item) => {
    if (!isMap(item)) return true;
    const expires = String(item.get("expires") ?? "");
    if (expires === "" || expires >= today) return true;
    removed.push(`${String(item.get("host"))} (${String(item.get("ticket"))}) expired ${expires}`);
    return false;
  });
  return removed.length === 0 ? { text, removed } : { text: doc.toString(), removed };
}
