import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors";
import { validatePlatformConfig } from "../../src/config/validate";
import { committedCatalogText, committedConfigData, encodeConfig } from "../support/stack-config";

type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests edit free-form YAML
const P = "fitness-platform";

function errorsOf(stack: string, edit: (db: Data) => void): string[] {
  const config = committedConfigData(stack);
  edit(config[`${P}:databases`] as Data);
  try {
    validatePlatformConfig({ stack, config: encodeConfig(config), catalogFile: "src/config/catalog.yaml", catalogText: committedCatalogText(), now: new Date("2026-11-24T12:00:00Z") });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).lines;
  }
  return [];
}

describe("databases config", () => {
  it("accepts the committed stacks", () => {
    expect(errorsOf("dev", () => undefined)).toEqual([]);
    expect(errorsOf("prod", () => undefined)).toEqual([]);
  });

  const cases: Array<[string, (db: Data) => void, string]> = [
    ["mirror without its URL", (db) => delete db.mirrorUrl, `stack "dev": ${P}:databases.mirrorUrl = (missing): allowed: the https URL of the Debian mirror (required when packageSource is mirror)`],
    ["plain-http mirror", (db) => (db.mirrorUrl = "http://mirror.example.com"), `stack "dev": ${P}:databases.mirrorUrl = "http://mirror.example.com": allowed: an https URL without credentials or query`],
    ["instance type of unknown memory", (db) => (db.domains["personal-data"].instanceType = "x2iedn.xlarge"), `stack "dev": ${P}:databases.domains.personal-data.instanceType = "x2iedn.xlarge": allowed: one of t3.medium, t3.large,`],
    ["IOPS beyond gp3's 500 per GiB", (db) => (db.domains["product-catalog"].dataVolumeIops = 16000), `stack "dev": ${P}:databases.domains.product-catalog.dataVolumeIops = 16000: allowed: at most 500 IOPS per GiB (15000 for 30 GiB)`],
    ["throughput beyond IOPS / 4", (db) => (db.domains["personal-data"].dataVolumeThroughputMiBps = 1000), `stack "dev": ${P}:databases.domains.personal-data.dataVolumeThroughputMiBps = 1000: allowed: at most dataVolumeIops / 4 (750 MiB/s)`],
    ["member AZ that is not one", (db) => (db.domains["personal-data"].availabilityZones = ["central"]), `stack "dev": ${P}:databases.domains.personal-data.availabilityZones[0] = "central": allowed: an AZ name such as eu-central-1a`],
    ["member AZ outside the network", (db) => (db.domains["personal-data"].availabilityZones = ["eu-central-1c"]), `stack "dev": ${P}:databases.domains.personal-data.availabilityZones[0] = "eu-central-1c": allowed: an AZ of fitness-platform:network.availabilityZones (eu-central-1a, eu-central-1b)`],
    [
      "two members in one AZ",
      (db) => {
        db.domains["personal-data"].availabilityZones = ["eu-central-1a", "eu-central-1a"];
        db.replication = { synchronous: true, ttlSeconds: 30, loopWaitSeconds: 10, retryTimeoutSeconds: 10, maximumLagOnFailoverMiB: 1, lagAlarmMiB: 64 };
        db.consensus = { availabilityZones: ["eu-central-1a"], instanceType: "t3.small", dataVolumeGiB: 8 };
      },
      `stack "dev": ${P}:databases.domains.personal-data.availabilityZones = ["eu-central-1a","eu-central-1a"]: allowed: distinct AZs`,
    ],
    [
      "replicated domain without a consensus store",
      (db) => {
        db.domains["personal-data"].availabilityZones = ["eu-central-1a", "eu-central-1b"];
        db.replication = { synchronous: true, ttlSeconds: 30, loopWaitSeconds: 10, retryTimeoutSeconds: 10, maximumLagOnFailoverMiB: 1, lagAlarmMiB: 64 };
      },
      `stack "dev": ${P}:databases.consensus = (missing): allowed: a consensus section (required because personal-data run more than one member)`,
    ],
    [
      "Patroni timing against its own rule",
      (db) => {
        db.domains["personal-data"].availabilityZones = ["eu-central-1a", "eu-central-1b"];
        db.replication = { synchronous: true, ttlSeconds: 20, loopWaitSeconds: 10, retryTimeoutSeconds: 10, maximumLagOnFailoverMiB: 1, lagAlarmMiB: 64 };
        db.consensus = { availabilityZones: ["eu-central-1a"], instanceType: "t3.small", dataVolumeGiB: 8 };
      },
      `stack "dev": ${P}:databases.replication.ttlSeconds = 20: allowed: at least loopWaitSeconds + 2 * retryTimeoutSeconds (30; Patroni's rule)`,
    ],
    ["unknown key in a domain", (db) => (db.domains["personal-data"].instancetype = "t3.large"), `stack "dev": ${P}:databases.domains.personal-data.instancetype = "t3.large": unknown key (a typo?); allowed keys here: description, instanceType,`],
  ];

  it.each(cases)("%s: one line naming key, value and what is allowed", (_what, edit, expected) => {
    const lines = errorsOf("dev", edit);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.startsWith(expected), lines[0]).toBe(true);
    expect(lines[0]).not.toContain("\n");
  });

  it("proxy mode needs no mirror URL", () => {
    expect(errorsOf("dev", (db) => {
      db.packageSource = "proxy";
      delete db.mirrorUrl;
    })).toEqual([]);
  });
});
