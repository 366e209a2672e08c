import { createHash } from "node:crypto";
import type { HostFileInventory } from "./inventory";
import { hostFileKey } from "./types";

/**
 * The proof-coverage figure: how many of the host files the program renders met their real daemon in
 * the host tests. Host tests write one record per file they exercised; a record counts only when it
 * was made against the program as it is now (same program digest), so an old run cannot vouch for new
 * code, and only when the text it ran is byte for byte a text the stack ships at that path (content
 * digest), so a lab's config overrides or a test's edit cannot vouch for the committed file.
 *
 *   ran       the file was used by the real software it is for (Squid served with it, systemd ran the
 *             unit, bash ran the script) and the test asserted its effect
 *   verified  only the real software's checker read it (`systemd-analyze verify`, `squid -k parse`)
 */
export type Exercise = "ran" | "verified";

export interface CoverageRecord {
  readonly stack: string;
  readonly hostRole: string;
  readonly path: string;
  readonly how: Exercise;
  /** What the test did with it, in a few words. */
  readonly detail: string;
  /** The test file that made the record. */
  readonly test: string;
  readonly digest: string;
  /** Config overrides of the synthesis the file came from (empty: the committed stack). */
  readonly variant: string;
  /** sha256 (hex) of the text that was run. */
  readonly sha256: string;
}

/** The content digest a record carries. */
export function contentDigest(content: string): string {
  return createHash("sha256").update(content, "utf8").digest("hex");
}

/** A file no host test can run here, and why; matched by host role and path (and stack, when given). */
export interface KnownGap {
  readonly stack?: string;
  readonly hostRole: string;
  readonly path: RegExp;
  readonly reason: string;
}

export interface CoverageLine {
  readonly key: string;
  readonly stack: string;
  readonly hostRole: string;
  readonly path: string;
  readonly reason: string;
}

export interface CoverageReport {
  readonly total: number;
  readonly ran: string[];
  /** Not run, but read by the real software's checker. */
  readonly verifiedOnly: CoverageLine[];
  readonly missing: CoverageLine[];
  /** Run, but only with a text the committed stack does not ship there (a lab's config overrides): not counted. */
  readonly ranOtherText: CoverageLine[];
  readonly staleRecords: number;
}

export function coverageReport(inventories: readonly HostFileInventory[], records: readonly CoverageRecord[], digest: string, gaps: readonly KnownGap[]): CoverageReport {
  const entries = new Map<string, { stack: string; hostRole: string; path: string; texts: Set<string>; unreadable?: string }>();
  for (const inv of inventories) {
    for (const f of inv.files) {
      const key = hostFileKey(f);
      const texts = entries.get(key)?.texts ?? new Set<string>();
      texts.add(contentDigest(f.content));
      entries.set(key, { stack: f.stack, hostRole: f.hostRole, path: f.path, texts });
    }
    for (const u of inv.unreadable) entries.set(hostFileKey(u), { stack: u.stack, hostRole: u.hostRole, path: u.path, texts: new Set(), unreadable: u.reason });
  }
  const current = records.filter((r) => r.digest === digest);
  const how = new Map<string, CoverageRecord[]>();
  for (const r of current) {
    const key = hostFileKey(r);
    how.set(key, [...(how.get(key) ?? []), r]);
  }
  const ran: string[] = [];
  const verifiedOnly: CoverageLine[] = [];
  const missing: CoverageLine[] = [];
  const ranOtherText: CoverageLine[] = [];
  for (const [key, { texts, ...e }] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const all = how.get(key) ?? [];
    const recs = all.filter((r) => texts.has(r.sha256));
    if (recs.some((r) => r.how === "ran")) {
      ran.push(key);
      continue;
    }
    const gap = gaps.find((g) => (g.stack === undefined || g.stack === e.stack) && g.hostRole === e.hostRole && g.path.test(e.path));
    const reason = e.unreadable ?? gap?.reason ?? "no host test exercises it";
    const line = { key, ...e, reason };
    const other = all.filter((r) => r.how === "ran" && !texts.has(r.sha256));
    if (other.length > 0) {
      const variants = [...new Set(other.map((r) => r.variant || "a text of the test's own"))].join(", ");
      ranOtherText.push({ ...line, reason: `${[...new Set(other.map((r) => r.detail))].join("; ")}; ran with config overrides (${variants}), so the committed text was not run` });
    } else if (recs.length > 0) verifiedOnly.push({ ...line, reason: `${[...new Set(recs.map((r) => r.detail))].join("; ")}; not run: ${reason}` });
    else missing.push(line);
  }
  return { total: entries.size, ran, verifiedOnly, missing, ranOtherText, staleRecords: records.length - current.length };
}

export function renderCoverage(report: CoverageReport): string {
  const lines = [`host files exercised on a real daemon: ${report.ran.length}/${report.total}`];
  if (report.ranOtherText.length > 0) {
    lines.push("", `run only with the lab's config overrides, not counted (${report.ranOtherText.length}):`);
    for (const l of report.ranOtherText) lines.push(`  ${l.stack} ${l.hostRole} ${l.path}: ${l.reason}`);
  }
  if (report.verifiedOnly.length > 0) {
    lines.push("", `checked by the real software's verifier only (${report.verifiedOnly.length}):`);
    for (const l of report.verifiedOnly) lines.push(`  ${l.stack} ${l.hostRole} ${l.path}: ${l.reason}`);
  }
  if (report.missing.length > 0) {
    lines.push("", `not exercised (${report.missing.length}):`);
    for (const l of report.missing) lines.push(`  ${l.stack} ${l.hostRole} ${l.path}: ${l.reason}`);
  }
  if (report.staleRecords > 0) lines.push("", `${report.staleRecords} record(s) from an older program ignored: run the host tests again`);
  return `${lines.join("\n")}\n`;
}
