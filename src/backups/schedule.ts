/**
 * How far apart the runs of a systemd OnCalendar schedule can be, in whole days. The PITR window that
 * the bucket lifecycle guarantees is the retention minus the gap between full backups (a differential
 * needs its full), so the config is checked against it. Expressions this cannot read count as monthly.
 */
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
const SHORTHANDS: Readonly<Record<string, number>> = { minutely: 1, hourly: 1, daily: 1, weekly: 7, monthly: 31 };
const UNKNOWN_GAP_DAYS = 31;

function weekdayIndex(name: string): number | undefined {
  const i = WEEKDAYS.findIndex((d) => d.toLowerCase() === name.slice(0, 3).toLowerCase());
  return i < 0 ? undefined : i;
}

/** `Mon..Fri,Sun` → the weekday indexes; undefined when the token is not a weekday list. */
function weekdays(token: string): Set<number> | undefined {
  const days = new Set<number>();
  for (const part of token.split(",")) {
    const [from, to] = part.split("..");
    const a = weekdayIndex(from ?? "");
    const b = to === undefined ? a : weekdayIndex(to);
    if (a === undefined || b === undefined) return undefined;
    for (let d = a; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === b) break;
    }
  }
  return days;
}

export function maxGapDays(onCalendar: string): number {
  const expr = onCalendar.trim();
  const shorthand = SHORTHANDS[expr.toLowerCase()];
  if (shorthand !== undefined) return shorthand;
  const tokens = expr.split(/\s+/);
  const days = weekdays(tokens[0] ?? "");
  const date = days === undefined ? tokens[0] : tokens[1];
  // Only "every day of every month" dates are read; anything narrower (a day of month) is monthly.
  if (date !== undefined && !/^\d{2}:/.test(date) && date !== "*-*-*") return UNKNOWN_GAP_DAYS;
  if (days === undefined) return 1;
  const sorted = [...days].sort((x, y) => x - y);
  let gap = 0;
  sorted.forEach((d, i) => {
    const next = sorted[(i + 1) % sorted.length] as number;
    gap = Math.max(gap, sorted.length === 1 ? 7 : (next - d + 7) % 7 || 7);
  });
  return gap;
}
