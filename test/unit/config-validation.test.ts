import { parseYaml, renderYaml } from "../../src/config/yaml-reader";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors";
import { validatePlatformConfig } from "../../src/config/validate";
import { committedCatalogText, committedConfigData, encodeConfig } from "../support/stack-config";

const NOW = new Date("2026-11-24T12:00:00Z");
type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests edit free-form YAML

function run(stack: string, edit: (config: Data, catalog: Data) => void, catalogText?: string) {
  const config = committedConfigData(stack);
  const catalog = parseYaml(committedCatalogText(), "src/config/catalog.yaml") as Data;
  edit(config, catalog);
  return validatePlatformConfig({
    stack,
    config: encodeConfig(config),
    catalogFile: "src/config/catalog.yaml",
    catalogText: catalogText ?? renderYaml(catalog),
    now: NOW,
  });
}

function errorsOf(stack: string, edit: (config: Data, catalog: Data) => void, catalogText?: string): string[] {
  try {
    run(stack, edit, catalogText);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).lines;
  }
  return [];
}

const exception = (over: Data = {}): Data => ({
  host: ".pypi.org",
  zones: ["app"],
  services: ["notifications"],
  reason: "one-off dependency download for tuning",
  ticket: "OPS-123",
  owner: "jane.doe@fitness.example.com",
  granted: "2026-11-20",
  expires: "2026-12-10",
  ...over,
});

const P = "fitness-platform";

/** Gives a catalog service another name (other services' references to it are left as they were). */
function renameService(catalog: Data, from: string, to: string): void {
  catalog.services[to] = catalog.services[from];
  delete catalog.services[from];
}
// Each case: what is broken, how, and the one line (or a fragment of it) we expect.
const cases: Array<[string, string, (c: Data, k: Data) => void, string]> = [
  ["unknown top-level key", "dev", (c) => (c[`${P}:netwrok`] = { vpcCidr: "10.0.0.0/16" }), `${P}:netwrok = {"vpcCidr":"10.0.0.0/16"}: unknown key (a typo?); allowed keys here: environment`],
  ["unknown nested key", "dev", (c) => (c[`${P}:network`].vpcCdir = "10.1.0.0/16"), `${P}:network.vpcCdir = "10.1.0.0/16": unknown key (a typo?); allowed keys here: vpcCidr, availabilityZones`],
  ["unknown namespace", "dev", (c) => (c["gcp:project"] = "x"), `gcp:project = "x": unknown config namespace "gcp"`],
  ["unknown aws key", "dev", (c) => (c["aws:regoin"] = "eu-west-1"), `aws:regoin = "eu-west-1": unknown key (a typo?)`],
  ["bad region", "dev", (c) => (c["aws:region"] = "europe"), `aws:region = "europe": allowed: an AWS region name`],
  ["bad environment", "dev", (c) => (c[`${P}:environment`] = "staging"), `${P}:environment = "staging": allowed: dev, prod`],
  ["missing section", "dev", (c) => delete c[`${P}:edge`], `${P}:edge = (missing): allowed: a mapping`],
  ["cidr syntax", "dev", (c) => (c[`${P}:network`].vpcCidr = "10.20.0.0/33"), `${P}:network.vpcCidr = "10.20.0.0/33": allowed: an IPv4 CIDR block`],
  ["cidr host bits", "dev", (c) => (c[`${P}:network`].vpcCidr = "10.20.1.0/16"), `${P}:network.vpcCidr = "10.20.1.0/16": allowed: an IPv4 CIDR block`],
  ["vpc too small", "dev", (c) => (c[`${P}:network`].vpcCidr = "10.20.0.0/24"), `${P}:network.vpcCidr = "10.20.0.0/24": allowed: a /16 to /18 block`],
  ["too few AZs in prod", "prod", (c) => (c[`${P}:network`].availabilityZones = ["eu-central-1a", "eu-central-1b"]), `${P}:network.availabilityZones = ["eu-central-1a","eu-central-1b"]: allowed: at least 3 availability zones in prod`],
  ["one AZ", "dev", (c) => (c[`${P}:network`].availabilityZones = ["eu-central-1a"]), `${P}:network.availabilityZones = ["eu-central-1a"]: allowed: 2 to 6 availability zones`],
  ["AZ of another region", "dev", (c) => (c[`${P}:network`].availabilityZones = ["eu-central-1a", "eu-west-1b"]), `${P}:network.availabilityZones[1] = "eu-west-1b": allowed: an availability zone of eu-central-1 (eu-central-1a, eu-central-1b, eu-central-1c)`],
  ["AZ that does not exist in the region", "dev", (c) => (c[`${P}:network`].availabilityZones = ["eu-central-1a", "eu-central-1h"]), `${P}:network.availabilityZones[1] = "eu-central-1h": allowed: an availability zone of eu-central-1`],
  ["public VPC range", "dev", (c) => (c[`${P}:network`].vpcCidr = "8.8.0.0/16"), `${P}:network.vpcCidr = "8.8.0.0/16": allowed: a private block inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16`],
  ["VPC range straddling private space", "dev", (c) => (c[`${P}:network`].vpcCidr = "172.15.0.0/16"), `${P}:network.vpcCidr = "172.15.0.0/16": allowed: a private block`],
  ["database AZ outside the network", "dev", (c) => (c[`${P}:databases`].domains["personal-data"].availabilityZones = ["eu-central-1c"]), `${P}:databases.domains.personal-data.availabilityZones[0] = "eu-central-1c": allowed: an AZ of fitness-platform:network.availabilityZones (eu-central-1a, eu-central-1b)`],
  ["duplicate AZ", "dev", (c) => (c[`${P}:network`].availabilityZones = ["eu-central-1a", "eu-central-1a"]), `${P}:network.availabilityZones[1] = "eu-central-1a": allowed: each availability zone once`],
  ["flow log interval", "dev", (c) => (c[`${P}:network`].flowLogAggregationSeconds = 30), `${P}:network.flowLogAggregationSeconds = 30: allowed: 60 or 600`],
  ["public EKS endpoint in prod", "prod", (c) => (c[`${P}:cluster`].endpointPublicAccess = true), `${P}:cluster.endpointPublicAccess = true: allowed: false in prod`],
  ["admin CIDR is the internet", "dev", (c) => (c[`${P}:cluster`].publicAccessCidrs = ["0.0.0.0/0"]), `${P}:cluster.publicAccessCidrs[0] = "0.0.0.0/0": allowed: a block of /16 or smaller`],
  ["admin CIDR overlaps VPC", "dev", (c) => (c[`${P}:cluster`].publicAccessCidrs = ["10.20.5.0/24"]), `${P}:cluster.publicAccessCidrs[0] = "10.20.5.0/24": allowed: an address range outside the VPC 10.20.0.0/16`],
  ["admin CIDRs overlap each other", "dev", (c) => (c[`${P}:cluster`].publicAccessCidrs = ["203.0.113.0/24", "203.0.113.128/25"]), `${P}:cluster.publicAccessCidrs[1] = "203.0.113.128/25": allowed: a block not overlapping publicAccessCidrs[0] 203.0.113.0/24`],
  ["unsupported kubernetes", "dev", (c) => (c[`${P}:cluster`].kubernetesVersion = "1.24"), `${P}:cluster.kubernetesVersion = "1.24": allowed: 1.35 (in EKS standard support)`],
  ["kubernetes past standard support", "dev", (c) => (c[`${P}:cluster`].kubernetesVersion = "1.33"), `${P}:cluster.kubernetesVersion = "1.33": allowed: 1.35 (in EKS standard support)`],
  ["public service CIDR", "dev", (c) => (c[`${P}:cluster`].serviceIpv4Cidr = "100.64.0.0/16"), `${P}:cluster.serviceIpv4Cidr = "100.64.0.0/16": allowed: a private block`],
  ["service image without digest", "dev", (c) => (c[`${P}:images`].serviceTags.users = "1.4.2"), `${P}:images.serviceTags.users = "1.4.2": allowed: an immutable semantic version tag and its digest`],
  ["node group sizes", "dev", (c) => (c[`${P}:cluster`].nodeGroup.desiredSize = 9), `${P}:cluster.nodeGroup.desiredSize = 9: allowed: minSize (1) <= desiredSize <= maxSize (8)`],
  ["node disk type", "dev", (c) => (c[`${P}:cluster`].nodeGroup.diskGiB = "50"), `${P}:cluster.nodeGroup.diskGiB = "50": allowed: a number`],
  ["unpinned AMI", "dev", (c) => (c[`${P}:databases`].amiId = "debian-12"), `${P}:databases.amiId = "debian-12": allowed: a pinned AMI id`],
  ["postgres version", "dev", (c) => (c[`${P}:databases`].postgresVersion = 16), `${P}:databases.postgresVersion = 16: allowed: 15`],
  ["missing critical domain", "dev", (c) => delete c[`${P}:databases`].domains["purchase-history"], `${P}:databases.domains.purchase-history = (missing): allowed: a host definition for each critical domain`],
  ["volume too small", "dev", (c) => (c[`${P}:databases`].domains["personal-data"].dataVolumeGiB = 5), `${P}:databases.domains.personal-data.dataVolumeGiB = 5: allowed: 20..16384 GiB`],
  ["egress date format", "dev", (c) => (c[`${P}:egress`].exceptions = [exception({ expires: "10/12/2026" })]), `${P}:egress.exceptions[0].expires = "10/12/2026": allowed: a calendar date YYYY-MM-DD`],
  ["egress longer than maximum", "dev", (c) => (c[`${P}:egress`].exceptions = [exception({ expires: "2027-02-01" })]), `${P}:egress.exceptions[0].expires = "2027-02-01": allowed: at most 30 days after granted (2026-11-20)`],
  ["egress for a public suffix", "dev", (c) => (c[`${P}:egress`].exceptions = [exception({ host: ".co.uk" })]), `${P}:egress.exceptions[0].host = ".co.uk": allowed: a registrable domain or a name below one; "co.uk" is a public suffix`],
  ["egress for a private public suffix", "dev", (c) => (c[`${P}:egress`].exceptions = [exception({ host: ".github.io" })]), `${P}:egress.exceptions[0].host = ".github.io": allowed: a registrable domain or a name below one`],
  ["egress for all of AWS", "dev", (c) => (c[`${P}:egress`].exceptions = [exception({ host: ".amazonaws.com" })]), `${P}:egress.exceptions[0].host = ".amazonaws.com": allowed: a host outside AWS's service domain amazonaws.com`],
  ["egress for one AWS endpoint", "dev", (c) => (c[`${P}:egress`].exceptions = [exception({ host: "s3.eu-central-1.amazonaws.com" })]), `${P}:egress.exceptions[0].host = "s3.eu-central-1.amazonaws.com": allowed: a host outside AWS's service domain`],
  ["egress for an unknown top-level domain", "dev", (c) => (c[`${P}:egress`].exceptions = [exception({ host: "mirror.corp.internal" })]), `${P}:egress.exceptions[0].host = "mirror.corp.internal": allowed: a name under a public suffix`],
  ["egress wildcard host", "dev", (c) => (c[`${P}:egress`].exceptions = [exception({ host: "*.pypi.org" })]), `${P}:egress.exceptions[0].host = "*.pypi.org": allowed: a DNS name`],
  ["egress raw IP", "dev", (c) => (c[`${P}:egress`].exceptions = [exception({ host: "140.82.112.3" })]), `${P}:egress.exceptions[0].host = "140.82.112.3": allowed: a DNS name`],
  ["egress without ticket", "dev", (c) => (c[`${P}:egress`].exceptions = [exception({ ticket: undefined })]), `${P}:egress.exceptions[0].ticket = (missing): allowed: a string`],
  ["egress zone", "dev", (c) => (c[`${P}:egress`].exceptions = [exception({ zones: ["dmz"] })]), `${P}:egress.exceptions[0].zones[0] = "dmz": allowed: app, data`],
  ["egress unknown service", "dev", (c) => (c[`${P}:egress`].exceptions = [exception({ services: ["billing"] })]), `${P}:egress.exceptions[0].services[0] = "billing": allowed: a service of the catalog`],
  ["egress max lifetime range", "dev", (c) => (c[`${P}:egress`].maxLifetimeDays = 365), `${P}:egress.maxLifetimeDays = 365: allowed: 1..90`],
  ["log retention below env minimum", "prod", (c) => (c[`${P}:logs`].retentionDays = 90), `${P}:logs.retentionDays = 90: allowed:`],
  ["log group retention value", "dev", (c) => (c[`${P}:logs`].logGroupRetentionDays = 45), `${P}:logs.logGroupRetentionDays = 45: allowed: a CloudWatch Logs retention`],
  ["transition after expiry", "dev", (c) => (c[`${P}:logs`].transitionToInfrequentAccessDays = 60), `${P}:logs.transitionToInfrequentAccessDays = 60: allowed: fewer days than retentionDays (30)`],
  ["governance lock in prod", "prod", (c) => (c[`${P}:backups`].objectLockMode = "GOVERNANCE"), `${P}:backups.objectLockMode = "GOVERNANCE": allowed: COMPLIANCE in prod`],
  ["no cross-region copy in prod", "prod", (c) => (c[`${P}:backups`].crossRegion.enabled = false), `${P}:backups.crossRegion.enabled = false: allowed: true in prod`],
  ["copy region equals home region", "dev", (c) => (c[`${P}:backups`].crossRegion.region = "eu-central-1"), `${P}:backups.crossRegion.region = "eu-central-1": allowed: a region other than eu-central-1`],
  ["weekly snapshots in prod", "prod", (c) => delete c[`${P}:backups`].snapshots.weeklyRetentionDays, `${P}:backups.snapshots.weeklyRetentionDays = (missing): allowed: a retention in days`],
  ["DLQ shorter than queue", "dev", (c) => (c[`${P}:messaging`].deadLetterRetentionSeconds = 60), `${P}:messaging.deadLetterRetentionSeconds = 60: allowed: >= queueRetentionSeconds (345600)`],
  ["image digest", "dev", (c) => (c[`${P}:images`].mirrored[0].digest = "latest"), `${P}:images.mirrored[0].digest = "latest": allowed: an image digest`],
  ["mutable image tag", "dev", (c) => (c[`${P}:images`].serviceTags.users = "latest"), `${P}:images.serviceTags.users = "latest": allowed: an immutable semantic version tag`],
  ["service without image", "dev", (c) => delete c[`${P}:images`].serviceTags.orders, `${P}:images.serviceTags.orders = (missing): allowed: an immutable image tag for every catalog service`],
  ["operator account id", "dev", (c) => (c[`${P}:operator`].providerAccountId = "12345"), `${P}:operator.providerAccountId = "12345": allowed: a 12-digit AWS account id`],
  ["certificate mode", "dev", (c) => (c[`${P}:edge`].certificate = { mode: "self-signed" }), `${P}:edge.certificate.mode = "self-signed": allowed:`],
  ["TLS policy accepting TLS 1.0", "dev", (c) => (c[`${P}:edge`].tlsPolicy = "ELBSecurityPolicy-2016-08"), `${P}:edge.tlsPolicy = "ELBSecurityPolicy-2016-08": allowed: a predefined ELB security policy accepting TLS 1.2 or newer only`],
  ["TLS policy accepting TLS 1.1", "prod", (c) => (c[`${P}:edge`].tlsPolicy = "ELBSecurityPolicy-TLS13-1-1-2021-06"), `${P}:edge.tlsPolicy = "ELBSecurityPolicy-TLS13-1-1-2021-06": allowed: a predefined ELB security policy`],
  ["TLS policy that is no ELB policy", "dev", (c) => (c[`${P}:edge`].tlsPolicy = "TLS13-1-2"), `${P}:edge.tlsPolicy = "TLS13-1-2": allowed: a predefined ELB security policy`],
  ["catalog: call to unknown service", "dev", (_c, k) => (k.services.orders.calls = ["billing"]), `src/config/catalog.yaml: services.orders.calls[0] = "billing": allowed: a service of the catalog (users, trainings, catalog, orders, notifications)`],
  ["catalog: self call", "dev", (_c, k) => (k.services.orders.calls = ["orders"]), `src/config/catalog.yaml: services.orders.calls[0] = "orders": allowed: another service`],
  ["catalog: subscription nobody publishes", "dev", (_c, k) => { k.events["coupon-issued"] = { description: "a coupon" }; k.services.notifications.subscribes.push("coupon-issued"); }, `src/config/catalog.yaml: services.notifications.subscribes[4] = "coupon-issued": allowed: an event that some service publishes`],
  ["catalog: undeclared event", "dev", (_c, k) => k.services.users.publishes.push("user-renamed"), `src/config/catalog.yaml: services.users.publishes[2] = "user-renamed": allowed: an event declared under events`],
  ["catalog: unknown data domain", "dev", (_c, k) => (k.services.orders.dataDomain = "invoices"), `src/config/catalog.yaml: services.orders.dataDomain = "invoices": allowed: a data domain of fitness-platform:databases.domains`],
  ["catalog: domain owned twice", "dev", (_c, k) => (k.services.trainings.dataDomain = "personal-data"), `src/config/catalog.yaml: services.trainings.dataDomain = "personal-data": allowed: a domain no other service owns (already owned by users)`],
  ["catalog: route served twice", "dev", (_c, k) => (k.services.orders.publicRoutes = ["/api/users"]), `src/config/catalog.yaml: services.orders.publicRoutes[0] = "/api/users": allowed: a route no other service serves (already served by users)`],
  ["catalog: privileged port", "dev", (_c, k) => (k.services.users.port = 80), `src/config/catalog.yaml: services.users.port = 80: allowed: 1024..65535`],
  ["catalog: typo in a service", "dev", (_c, k) => (k.services.users.replica = 3), `src/config/catalog.yaml: services.users.replica = 3: unknown key (a typo?); allowed keys here: description, port`],
  ["catalog: replicas", "dev", (_c, k) => (k.services.users.replicas = { min: 5, max: 2 }), `src/config/catalog.yaml: services.users.replicas.min = 5: allowed: <= replicas.max (2)`],
  ["catalog: bad quantity", "dev", (_c, k) => (k.services.users.resources.memoryLimit = "lots"), `src/config/catalog.yaml: services.users.resources.memoryLimit = "lots": allowed: a memory quantity`],
  ["catalog: memory in millibytes", "dev", (_c, k) => (k.services.users.resources.memoryLimit = "256m"), `src/config/catalog.yaml: services.users.resources.memoryLimit = "256m": allowed: a memory quantity`],
  ["catalog: CPU finer than 1m", "dev", (_c, k) => (k.services.users.resources.cpuRequest = "0.5m"), `src/config/catalog.yaml: services.users.resources.cpuRequest = "0.5m": allowed: a CPU quantity`],
  ["catalog: CPU request above limit", "dev", (_c, k) => Object.assign(k.services.users.resources, { cpuRequest: "2", cpuLimit: "500m" }), `src/config/catalog.yaml: services.users.resources.cpuRequest = "2": allowed: at most cpuLimit (500m)`],
  ["catalog: memory request above limit", "dev", (_c, k) => Object.assign(k.services.users.resources, { memoryRequest: "1Gi", memoryLimit: "512Mi" }), `src/config/catalog.yaml: services.users.resources.memoryRequest = "1Gi": allowed: at most memoryLimit (512Mi)`],
  ["catalog: service name longer than 63", "dev", (_c, k) => renameService(k, "users", `u${"x".repeat(63)}`), `src/config/catalog.yaml: services.u${"x".repeat(63)} = "u${"x".repeat(63)}": allowed: at most 63 characters`],
  ["catalog: service named like a system namespace", "dev", (_c, k) => renameService(k, "orders", "kube-system"), `src/config/catalog.yaml: services.kube-system = "kube-system": allowed: a name other than the system's and the platform's namespaces`],
  ["catalog: service named like the platform's logging namespace", "dev", (_c, k) => renameService(k, "orders", "logging"), `src/config/catalog.yaml: services.logging = "logging": allowed: a name other than`],
  ["catalog: no services", "dev", (_c, k) => (k.services = {}), `src/config/catalog.yaml: services = {}: allowed: at least one service`],
];

describe("stack configuration validation", () => {
  it("accepts the committed dev and prod stacks", () => {
    for (const stack of ["dev", "prod"]) expect(() => run(stack, () => undefined)).not.toThrow();
  });

  it("accepts any predefined TLS 1.2+ ELB policy family, including post-quantum and FIPS variants", () => {
    for (const policy of ["ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04", "ELBSecurityPolicy-FS-1-2-Res-2020-10"]) {
      expect(() => run("prod", (c) => (c[`${P}:edge`].tlsPolicy = policy))).not.toThrow();
    }
  });

  it.each(cases)("rejects %s", (_name, stack, edit, expected) => {
    const lines = errorsOf(stack, edit);
    expect(lines.length).toBeGreaterThan(0);
    // One line per problem, naming the stack, the key path, the value and what is allowed.
    expect(lines.some((line) => line.includes(expected)), `expected a line containing:\n  ${expected}\ngot:\n  ${lines.join("\n  ")}`).toBe(true);
    for (const line of lines) {
      expect(line).not.toContain("\n");
      expect(line.startsWith(`stack "${stack}": `)).toBe(true);
      expect(line).toMatch(/ = .+: /);
    }
  });

  it("reports every problem at once", () => {
    const lines = errorsOf("dev", (c, k) => {
      c[`${P}:network`].vpcCidr = "nope";
      c[`${P}:cluster`].kubernetesVersion = "1.2";
      k.services.orders.calls = ["billing"];
    });
    expect(lines).toHaveLength(3);
  });

  it("names the YAML syntax error and its line", () => {
    const lines = errorsOf("dev", () => undefined, "services:\n  users: [unclosed\n");
    expect(lines).toEqual([expect.stringMatching(/^stack "dev": src\/config\/catalog.yaml = \(missing\): allowed: a YAML service catalog \(line \d+, column \d+: not valid YAML \(.+\)\)$/)]);
  });

  it("never echoes a secret value", () => {
    const config = committedConfigData("dev");
    (config[`${P}:operator`] as Data).externalId = "short";
    expect(() =>
      validatePlatformConfig({
        stack: "dev",
        config: encodeConfig(config),
        secretKeys: new Set([`${P}:operator`]),
        catalogFile: "src/config/catalog.yaml",
        catalogText: committedCatalogText(),
        now: NOW,
      }),
    ).toThrow(/fitness-platform:operator.externalId = \[secret\]: allowed/);
  });

  it("keeps a live exception and leaves out one granted for later", () => {
    const result = run("dev", (c) => {
      c[`${P}:egress`].exceptions = [exception(), exception({ host: ".npmjs.org", granted: "2026-12-01", expires: "2026-12-20" })];
    });
    expect(result.liveEgressExceptions.map((e) => e.host)).toEqual([".pypi.org"]);
  });

  it("leaves an expired exception out of the deploy instead of failing the configuration (a hotfix is never blocked)", () => {
    const result = run("dev", (c) => {
      c[`${P}:egress`].exceptions = [exception(), exception({ host: ".debian.org", granted: "2026-10-01", expires: "2026-10-20" })];
    });
    expect(result.liveEgressExceptions.map((e) => e.host)).toEqual([".pypi.org"]);
    expect(result.expiredEgressExceptions.map((e) => `${e.host} ${e.expires}`)).toEqual([".debian.org 2026-10-20"]);
    // Its other rules still hold: an expired entry that was too long is still reported.
    expect(errorsOf("dev", (c) => (c[`${P}:egress`].exceptions = [exception({ granted: "2026-08-01", expires: "2026-10-20" })]))).toEqual([
      `stack "dev": ${P}:egress.exceptions[0].expires = "2026-10-20": allowed: at most 30 days after granted (2026-08-01)`,
    ]);
  });
});
