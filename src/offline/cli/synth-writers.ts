import * as path from "node:path";
import { auditWriter } from "../audit/synth-writer";
import { architectureWriter } from "../picture/synth-writer";
import type { StackExport } from "../snapshot/types";
import { manifestsWriter } from "../../services/manifests-writer";
import { writeSnapshot } from "../snapshot/writer";

/** What one synth run produced, handed to every writer. */
export interface SynthOutput {
  readonly project: string;
  readonly stack: string;
  readonly projectRoot: string;
  /** The directory all files go to (`out/<stack>/` unless `--out` says otherwise). */
  readonly outDir: string;
  /** The git revision of the inputs (`--commit`, else detected; audit/commit.ts), stamped on the reports. */
  readonly commit?: string;
  /** `--today`: the day the reports judge expiries on (today-option.ts); absent, the real day. */
  readonly now?: Date;
  readonly snapshot: StackExport;
  readonly warnings: readonly string[];
}

/**
 * One output of `synth`. Writers run in order (stack.json first, since the others read the same
 * snapshot) and return the paths they wrote, which the summary lists.
 */
export interface SynthWriter {
  readonly name: string;
  write(output: SynthOutput): Promise<string[]> | string[];
}

export const stackJsonWriter: SynthWriter = {
  name: "stack snapshot (pulumi stack export format)",
  write: (output) => [writeSnapshot(path.join(output.outDir, "stack.json"), output.snapshot)],
};

/** Further writers (audit reports, the architecture picture, manifests) are appended here. */
export const SYNTH_WRITERS: readonly SynthWriter[] = [stackJsonWriter, auditWriter, architectureWriter, manifestsWriter];
