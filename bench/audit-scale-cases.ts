import { auditScale } from "./audit-scale";
import type { Measurement } from "./measure";

/** The generated snapshot sizes the audit is measured at. */
export const AUDIT_SIZES = [1_000, 5_000, 10_000, 20_000] as const;

/** The audit of a generated snapshot of `resources` resources (bench/audit-scale.ts, the audit side's). */
export function auditAtScale(resources: number): { measurement: Measurement; source: string } {
  const r = auditScale(resources);
  return { measurement: { wallMs: r.wallMs, cpuMs: r.cpuMs, maxRssMiB: r.maxRssMiB }, source: "bench/audit-scale.ts" };
}
