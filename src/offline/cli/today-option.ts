import { isCalendarDate } from "../expiry/dated-entries";

/**
 * `--today YYYY-MM-DD`: the day the reports judge dates on (waiver and egress-exception expiry, access-key
 * age; policy/framework/waivers.ts), so a report can be reproduced byte for byte on a later day. Absent,
 * it is the real day (UTC). Returns the instant to judge on, or the one-line problem.
 */
export function judgementDay(command: string, value: string | undefined): { readonly now?: Date } | { readonly problem: string } {
  if (value === undefined) return {};
  if (!isCalendarDate(value)) return { problem: `${command}: --today "${value}" is not allowed; allowed: a date YYYY-MM-DD` };
  return { now: new Date(`${value}T00:00:00Z`) };
}
