/**
 * Natural order for control and rule ids: "CIS 1.2" before "CIS 1.10", "S3.9" before "S3.10". ICU's
 * numeric collation (Intl.Collator, numeric: true) compares digit runs by value; a fixed locale keeps
 * the order the same on every machine, and equal-collating texts fall back to code-unit order, so the
 * order is total and reports stay byte-identical.
 */
const collator = new Intl.Collator("en", { numeric: true, sensitivity: "variant" });

export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}
