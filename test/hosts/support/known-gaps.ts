import type { KnownGap } from "../../../src/offline/host-files";

/**
 * Host files no test on this machine can run, with the reason. Keep it short: every entry is a file
 * whose behaviour is taken on trust.
 */
export const KNOWN_GAPS: readonly KnownGap[] = [
  {
    stack: "prod",
    hostRole: "egress-proxy",
    path: /./,
    reason:
      "the proxy host test boots dev's cloud-config (test/hosts/squid-egress.test.ts); prod's is the same renderer's output with prod's values (zone CIDRs, bucket, key), and its units pass systemd-analyze verify; a second boot would add about four minutes of CI",
  },
];
