import type { ScopeCounts, ViolationRecord } from "./types";

/**
 * How the resources in a rule's scope fared, each counted once: failed (an open violation on it), else
 * unchecked (a value it needs is unknown), else waived (all its findings waived), else passed. A finding
 * of the whole stack that is not checkable (no resource named) leaves nothing passed: the rule did not
 * finish judging any of them.
 */
export function scopeCounts(
  inScope: ReadonlySet<string>,
  violations: readonly ViolationRecord[],
  waivedUrns: ReadonlySet<string>,
  notApplicable: boolean,
): ScopeCounts {
  if (notApplicable) return { resources: 0, passed: 0, failed: 0, waived: 0, unchecked: 0 };
  const failed = new Set<string>();
  const unchecked = new Set<string>();
  let stackUnchecked = false;
  for (const v of violations) {
    if (v.urn === undefined) {
      if (v.kind === "unchecked") stackUnchecked = true;
      continue;
    }
    (v.kind === "violation" ? failed : unchecked).add(v.urn);
  }
  const all = new Set([...inScope, ...failed, ...unchecked, ...waivedUrns]);
  const counts = { failed: 0, unchecked: 0, waived: 0, passed: 0 };
  for (const urn of all) {
    if (failed.has(urn)) counts.failed++;
    else if (unchecked.has(urn) || stackUnchecked) counts.unchecked++;
    else if (waivedUrns.has(urn)) counts.waived++;
    else counts.passed++;
  }
  return { resources: all.size, ...counts };
}
