import type { KnownGap } from "../../../src/offline/host-files";

/**
 * Host files no test on this machine runs, with the reason. Keep it short: every entry is a file whose
 * behaviour is taken on trust. A gap only explains a file nobody ran; a file a test ran counts as run.
 * Empty: every host file of dev and prod runs on its real daemon (`npm run proof-coverage`).
 */
export const KNOWN_GAPS: readonly KnownGap[] = [];
