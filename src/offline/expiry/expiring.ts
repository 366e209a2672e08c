import type { DatedEntry } from "./dated-entries";

/** Whole days from `today` to the last valid day of an entry: 0 = expires today, negative = expired. */
export function daysLeft(today: string, expires: string): number {
  return Math.round((Date.parse(`${expires}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}

export interface Judged extends DatedEntry {
  readonly daysLeft: number;
}

/** Entries that expire within `days` days of `today` (or already have), soonest first. */
export function expiringWithin(entries: readonly DatedEntry[], today: string, days: number): Judged[] {
  return entries
    .map((e) => ({ ...e, daysLeft: daysLeft(today, e.expires) }))
    .filter((e) => e.daysLeft <= days)
    .sort((a, b) => a.daysLeft - b.daysLeft || a.file.localeCompare(b.file) || a.path.localeCompare(b.path));
}

export function describe(entry: Judged): string {
  const when =
    entry.daysLeft < 0
      ? `expired on ${entry.expires} (${-entry.daysLeft} day${entry.daysLeft === -1 ? "" : "s"} ago)`
      : entry.daysLeft === 0
        ? `expires today (${entry.expires})`
        : `expires on ${entry.expires}, in ${entry.daysLeft} day${entry.daysLeft === 1 ? "" : "s"}`;
  return `${entry.kind} ${entry.what} ${when}: ${entry.file} ${entry.path}`;
}
