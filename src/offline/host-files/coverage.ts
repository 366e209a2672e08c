import type { HostFileInventory } from "./inventory";
import { hostFileKey } from "./types";

/**
 * The proof-coverage figure: how many of the host files the program renders met their real daemon in
 * the host tests. Host tests write one record per file they exercised; a record counts only when it
 * was made against the program as it is now (same program digest), so an old run cannot vouch for new
 * code.
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
  readonly staleRecords: number;
}

export function coverageReport(inventories: readonly HostFileInventory[], records: readonly CoverageRecord[], digest: string, gaps: readonly KnownGap[]): CoverageReport {
  const entries = new Map<string, { stack: string; hostRole: string; path: string; unreadable?: string }>();
  for (const inv of inventories) {
    for (const f of inv.files) entries.set(hostFileKey(f), { stack: f.stack, hostRole: f.hostRole, path: f.path });
    for (const u of inv.unreadable) entries.set(hostFileKey(u), { stack: u.stack, hostRole: u.hostRole, path: u.path, unreadable: u.reason });
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
  for (const [key, e] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const recs = how.get(key) ?? [];
    if (recs.some((r) => r.how === "ran")) {
      ran.push(key);
      continue;
    }
    const gap = gaps.find((g) => (g.stack === undefined || g.stack === e.stack) && g.hostRole === e.hostRole && g.path.test(e.path));
    const reason = e.unreadable ?? gap?.reason ?? "no host test exercises it";
    const line = { key, ...e, reason };
    if (recs.length > 0) verifiedOnly.push({ ...line, reason: `${[...new Set(recs.map((r) => r.detail))].join("; ")}; not run: ${reason}` });
    else missing.push(line);
  }
  return { total: entries.size, ran, verifiedOnly, missing, staleRecords: records.length - current.length };
}

export function renderCoverage(report: CoverageReport): string {
  const lines = [`host files exercised on a real daemon: ${report.ran.length}/${report.total}`];
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
