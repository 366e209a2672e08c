import { availabilityZoneProblem } from "./availability-zones";
import { cidrContains, cidrsOverlap, mustParseCidr, parseCidr } from "./cidr";
import { egressHostProblem } from "./egress-host";
import { ENVIRONMENT_RULES } from "./environment-rules";
import type { ConfigIssue } from "./issues";
import type { AwsConfig, StackConfig } from "./schema";
import { PROJECT } from "./schema";
import { CRITICAL_DOMAINS } from "./sections/databases";
import { databaseTopologyRules } from "./sections/databases-topology";


const DAY_MS = 86_400_000;

/** RFC 1918 private address space: the only ranges a VPC of this platform may use. */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export function isoDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Cross-field rules that a per-field schema cannot express. */
export function stackRules(config: StackConfig, aws: AwsConfig, now: Date): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (key: string, path: PropertyKey[], value: unknown, allowed: string) =>
    issues.push({ source: `${PROJECT}:${key}`, path, value, allowed });
  const env = ENVIRONMENT_RULES[config.environment];

  // Network: AZs in the region, distinct, enough for the environment; VPC sized for pods.
  const azs = config.network.availabilityZones;
  azs.forEach((az, i) => {
    const problem = availabilityZoneProblem(aws.region, az);
    if (problem !== undefined) at("network", ["availabilityZones", i], az, problem);
    if (azs.indexOf(az) !== i) at("network", ["availabilityZones", i], az, "allowed: each availability zone once");
  });
  if (azs.length < env.minAzs) {
    at("network", ["availabilityZones"], azs, `allowed: at least ${env.minAzs} availability zones in ${config.environment}`);
  }
  const vpc = mustParseCidr(config.network.vpcCidr);
  if (vpc.prefix < 16 || vpc.prefix > 18) {
    at("network", ["vpcCidr"], config.network.vpcCidr, "allowed: a /16 to /18 block (pods take VPC addresses in the app zone)");
  }
  if (!PRIVATE_RANGES.some((range) => cidrContains(mustParseCidr(range), vpc))) {
    at("network", ["vpcCidr"], config.network.vpcCidr, `allowed: a private block inside ${PRIVATE_RANGES.join(", ")} (RFC 1918); a public range would shadow real internet addresses`);
  }

  // Cluster endpoint: private in prod; in dev public only from named CIDRs, never the internet.
  const cluster = config.cluster;
  if (config.environment === "prod" && cluster.endpointPublicAccess) {
    at("cluster", ["endpointPublicAccess"], true, "allowed: false in prod (private API endpoint only)");
  }
  if (cluster.endpointPublicAccess && cluster.publicAccessCidrs.length === 0) {
    at("cluster", ["publicAccessCidrs"], [], "allowed: one or more admin CIDRs when endpointPublicAccess is true");
  }
  cluster.publicAccessCidrs.forEach((text, i) => {
    const cidr = parseCidr(text);
    if (!cidr) return;
    if (cidr.prefix < 16) at("cluster", ["publicAccessCidrs", i], text, "allowed: a block of /16 or smaller, never the whole internet");
    if (cidrsOverlap(cidr, vpc)) at("cluster", ["publicAccessCidrs", i], text, `allowed: an address range outside the VPC ${vpc.text}`);
    cluster.publicAccessCidrs.slice(0, i).forEach((other, j) => {
      const prior = parseCidr(other);
      if (prior && cidrsOverlap(cidr, prior)) at("cluster", ["publicAccessCidrs", i], text, `allowed: a block not overlapping publicAccessCidrs[${j}] ${other}`);
    });
  });
  const ng = cluster.nodeGroup;
  if (!(ng.minSize <= ng.desiredSize && ng.desiredSize <= ng.maxSize)) {
    at("cluster", ["nodeGroup", "desiredSize"], ng.desiredSize, `allowed: minSize (${ng.minSize}) <= desiredSize <= maxSize (${ng.maxSize})`);
  }

  // Egress exceptions: no longer than the maximum lifetime. An expired one is no configuration error:
  // the deploy leaves it out with a warning (expiredEgressExceptions) and the scheduled job opens its
  // removal, so a hotfix is never blocked by a date (D6; docs/decisions.md 2026-12-03).
  const today = isoDay(now);
  const max = config.egress.maxLifetimeDays;
  config.egress.exceptions.forEach((ex, i) => {
    const hostProblem = egressHostProblem(ex.host);
    if (hostProblem !== undefined) at("egress", ["exceptions", i, "host"], ex.host, hostProblem);
    if (ex.granted > ex.expires) at("egress", ["exceptions", i, "granted"], ex.granted, `allowed: a date on or before expires (${ex.expires})`);
    else if (daysBetween(ex.granted, ex.expires) > max) {
      at("egress", ["exceptions", i, "expires"], ex.expires, `allowed: at most ${max} days after granted (${ex.granted})`);
    }
    if (daysBetween(today, ex.expires) > max) at("egress", ["exceptions", i, "expires"], ex.expires, `allowed: at most ${max} days from today (${today})`);
    if (new Set(ex.zones).size !== ex.zones.length) at("egress", ["exceptions", i, "zones"], ex.zones, "allowed: each zone once");
  });

  // Databases: every critical data domain of D5 has its own host.
  for (const domain of CRITICAL_DOMAINS) {
    if (!(domain in config.databases.domains)) {
      at("databases", ["domains", domain], undefined, `allowed: a host definition for each critical domain (${CRITICAL_DOMAINS.join(", ")})`);
    }
  }
  for (const issue of databaseTopologyRules(config)) at("databases", issue.path, issue.value, issue.allowed);

  // Logs: lifecycle order and the environment's retention floor.
  const logs = config.logs;
  const ia = logs.transitionToInfrequentAccessDays;
  const glacier = logs.transitionToGlacierDays;
  if (ia !== undefined && ia < 30) at("logs", ["transitionToInfrequentAccessDays"], ia, "allowed: >= 30 (S3 minimum before STANDARD_IA)");
  if (ia !== undefined && glacier !== undefined && glacier <= ia) {
    at("logs", ["transitionToGlacierDays"], glacier, `allowed: more than transitionToInfrequentAccessDays (${ia})`);
  }
  for (const [key, days] of [["transitionToInfrequentAccessDays", ia], ["transitionToGlacierDays", glacier]] as const) {
    if (days !== undefined && days >= logs.retentionDays) at("logs", [key], days, `allowed: fewer days than retentionDays (${logs.retentionDays})`);
  }
  if (logs.retentionDays < env.minLogRetentionDays) {
    at("logs", ["retentionDays"], logs.retentionDays, `allowed: >= ${env.minLogRetentionDays} in ${config.environment}`);
  }
  if (logs.auditRetentionDays < logs.retentionDays) {
    at("logs", ["auditRetentionDays"], logs.auditRetentionDays, `allowed: >= retentionDays (${logs.retentionDays})`);
  }

  // Backups: immutable and copied away in prod.
  const b = config.backups;
  if (b.crossRegion.region === aws.region) at("backups", ["crossRegion", "region"], b.crossRegion.region, `allowed: a region other than ${aws.region}`);
  if (config.environment === "prod") {
    if (b.objectLockMode !== "COMPLIANCE") at("backups", ["objectLockMode"], b.objectLockMode, "allowed: COMPLIANCE in prod");
    if (b.vaultLock.mode !== "compliance") at("backups", ["vaultLock", "mode"], b.vaultLock.mode, "allowed: compliance in prod");
    if (!b.crossRegion.enabled) at("backups", ["crossRegion", "enabled"], false, "allowed: true in prod");
    if (b.snapshots.weeklyRetentionDays === undefined) at("backups", ["snapshots", "weeklyRetentionDays"], undefined, "allowed: a retention in days (weekly snapshots are required in prod)");
    if (b.snapshots.monthlyRetentionDays === undefined) at("backups", ["snapshots", "monthlyRetentionDays"], undefined, "allowed: a retention in days (monthly snapshots are required in prod)");
  }

  // Messaging: a dead letter must outlive the message that became one.
  const m = config.messaging;
  if (m.deadLetterRetentionSeconds < m.queueRetentionSeconds) {
    at("messaging", ["deadLetterRetentionSeconds"], m.deadLetterRetentionSeconds, `allowed: >= queueRetentionSeconds (${m.queueRetentionSeconds})`);
  }
  return issues;
}
