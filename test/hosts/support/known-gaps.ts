import type { KnownGap } from "../../../src/offline/host-files";

/**
 * Host files no test on this machine runs, with the reason. Keep it short: every entry is a file whose
 * behaviour is taken on trust. A gap only explains a file nobody ran; a file a test ran counts as run.
 */
export const KNOWN_GAPS: readonly KnownGap[] = [
  {
    stack: "dev",
    hostRole: "database-host",
    path: /^(user-data|ssm-document|ssm-parameter):/,
    reason:
      "another data domain's copy of the bootstrap postgres-host.test.ts boots for personal-data: the same renderers with that domain's volume, address and secret/parameter names (a boot per domain would add about four minutes of CI each)",
  },
  {
    stack: "prod",
    hostRole: "database-host",
    path: /./,
    reason:
      "a Patroni member: its bootstrap waits for its etcd cluster and its partner member, which no lab here boots; failover-patroni.test.ts runs its Patroni, PostgreSQL and etcd configuration, and the pgBackRest files are dev's renderers (run in postgres-host.test.ts) with prod's values",
  },
  {
    stack: "prod",
    hostRole: "consensus",
    path: /./,
    reason: "an etcd node's bootstrap (packages, volume, policy-rc.d) is not booted here; failover-patroni.test.ts runs etcd with the shipped etcd.yml",
  },
];
