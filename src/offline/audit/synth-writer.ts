import type { SynthWriter } from "../cli/synth-writers";
import { writeAuditReports } from "./files";

/** Writes audit.json, audit.md and audit.sarif next to the snapshot, judged with the stack's policy config. */
export const auditWriter: SynthWriter = {
  name: "policy audit (json, md, sarif)",
  write: async (output) => (
      await writeAuditReports(output.outDir, output.stack, output.snapshot, {
        ...(output.commit === undefined ? {} : { commit: output.commit }),
        ...(output.now === undefined ? {} : { now: output.now }),
      })
    ).files,
};
