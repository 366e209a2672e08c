import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { serializeSnapshot } from "../src/offline/snapshot/writer";
import { generatedSnapshot } from "./audit-cases";
import { measure, type Measurement } from "./measure";

/** The generated snapshot sizes the audit is measured at. */
export const AUDIT_SIZES = [1_000, 5_000, 10_000, 20_000] as const;

/** The audit side's benchmark (bench/audit-scale.ts, owned with the audit): one size, in a child process. */
interface AuditScaleModule {
  auditScale(resources: number): Promise<{ wallMs: number; cpuMs: number; peakRssMb: number }>;
}

const MODULE = path.join(__dirname, "audit-scale.ts");

/** Until bench/audit-scale.ts exists: `npm run audit` on bench/audit-cases.ts's generated snapshot. */
function fallback(resources: number): Measurement {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-audit-"));
  try {
    const input = path.join(scratch, "stack.json");
    const config = path.join(scratch, "policy-config.json");
    fs.writeFileSync(input, serializeSnapshot(generatedSnapshot(resources)));
    fs.writeFileSync(config, JSON.stringify({ all: "advisory" }));
    return measure(["audit", "--input", input, "--config", config, "--format", "json", "--out", path.join(scratch, "audit.json")]);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The audit of a generated snapshot of `resources` resources, and where the figure came from. */
export async function auditAtScale(resources: number): Promise<{ measurement: Measurement; source: string }> {
  if (!fs.existsSync(MODULE)) return { measurement: fallback(resources), source: "npm run audit (bench/audit-scale.ts absent)" };
  const mod = (await import(pathToFileURL(MODULE).href)) as AuditScaleModule;
  const r = await mod.auditScale(resources);
  return { measurement: { wallMs: r.wallMs, cpuMs: r.cpuMs, maxRssMiB: r.peakRssMb }, source: "bench/audit-scale.ts" };
}
