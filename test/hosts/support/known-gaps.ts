import type { KnownGap } from "../../../src/offline/host-files";

/**
 * Host files no test on this machine can run, with the reason. Keep it short: every entry is a file
 * whose behaviour is taken on trust.
 */
export const KNOWN_GAPS: readonly KnownGap[] = [];
