import type { StackConfig } from "../schema";

/** A cross-section rule of the databases key: its path under `databases`, the bad value, what is allowed. */
export interface TopologyIssue {
  readonly path: PropertyKey[];
  readonly value: unknown;
  readonly allowed: string;
}

/**
 * Where the members and the consensus store stand, checked against the network's AZs, and prod's floor
 * (issue 16, DB-02 checks the same in the policy pack): every critical domain runs a primary and a
 * synchronous standby in distinct AZs, with a three-AZ consensus store.
 */
export function databaseTopologyRules(config: Pick<StackConfig, "environment" | "network" | "databases">): TopologyIssue[] {
  const issues: TopologyIssue[] = [];
  const azs = config.network.availabilityZones;
  const db = config.databases;
  const known = `allowed: an AZ of fitness-platform:network.availabilityZones (${azs.join(", ")})`;
  for (const [domain, spec] of Object.entries(db.domains)) {
    spec.availabilityZones.forEach((az, i) => {
      if (!azs.includes(az)) issues.push({ path: ["domains", domain, "availabilityZones", i], value: az, allowed: known });
    });
    if (config.environment === "prod" && spec.availabilityZones.length < 2) {
      issues.push({ path: ["domains", domain, "availabilityZones"], value: spec.availabilityZones, allowed: "allowed: at least 2 distinct AZs in prod (a primary and a synchronous standby)" });
    }
  }
  (db.consensus?.availabilityZones ?? []).forEach((az, i) => {
    if (!azs.includes(az)) issues.push({ path: ["consensus", "availabilityZones", i], value: az, allowed: known });
  });
  if (config.environment === "prod") {
    if (db.replication !== undefined && !db.replication.synchronous) {
      issues.push({ path: ["replication", "synchronous"], value: false, allowed: "allowed: true in prod (no acknowledged commit lost on failover)" });
    }
    const consensus = db.consensus?.availabilityZones ?? [];
    if (db.consensus !== undefined && consensus.length < 3) {
      issues.push({ path: ["consensus", "availabilityZones"], value: consensus, allowed: "allowed: 3 or 5 AZs in prod (the store survives the loss of an AZ)" });
    }
  }
  return issues;
}
