import type { KnownGap } from "../../../src/offline/host-files";

/**
 * Host files no test on this machine runs, with the reason. Keep it short: every entry is a file whose
 * behaviour is taken on trust. A gap only explains a file nobody ran; a file a test ran counts as run.
 */
export const KNOWN_GAPS: readonly KnownGap[] = [
  {
    stack: "prod",
    hostRole: "database-host",
    // Another cluster's member bootstrap: its user-data, SSM document and setup parameters (not personal-data's).
    path: /^(user-data:databases-(?!personal-data-)|ssm-document:fitness-platform-prod-databases-(?!personal-data-)|ssm-parameter:\/fitness-platform\/prod\/(backups|databases)\/(?!personal-data[-/]))/,
    reason:
      "another cluster's copy of the member bootstrap prod-cluster-boot.test.ts boots for personal-data (the same renderers with that cluster's names, addresses, volume and sizes); booting each pair with its etcd nodes would add five to eight minutes of CI per cluster on a two-core runner",
  },
  {
    stack: "prod",
    hostRole: "database-host",
    path: /^\/etc\/postgresql\/15\/main\/(pg_ctl\.conf|environment)$/,
    reason: "read only by postgresql-common's pg_ctlcluster, which a Patroni member never runs: Patroni starts PostgreSQL itself (start.conf is manual); nothing on the host reads it",
  },
];
