import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors";
import { validatePlatformConfig } from "../../src/config/validate";
import { parseYaml, renderYaml } from "../../src/config/yaml-reader";
import { committedCatalogText, committedConfigData, encodeConfig } from "../support/stack-config";

/**
 * AWS limits on what the program derives from the catalog fail at config validation, before any
 * resource: one line naming the stack, the catalog key, the value and the limit with its source.
 */
const NOW = new Date("2026-11-24T12:00:00Z");
type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests edit free-form YAML

const service = (over: Data = {}): Data => ({
  description: "A generated service.",
  port: 8080,
  replicas: { min: 1, max: 1 },
  resources: { cpuRequest: "50m", memoryRequest: "64Mi", cpuLimit: "100m", memoryLimit: "128Mi" },
  healthPath: "/healthz",
  ...over,
});

function errorsOf(stack: string, edit: (catalog: Data) => string[]): string[] {
  const config = committedConfigData(stack);
  const catalog = parseYaml(committedCatalogText(), "src/config/catalog.yaml") as Data;
  const added = edit(catalog);
  const images = config["fitness-platform:images"] as Data;
  for (const name of added) images.serviceTags[name] = `1.0.0@sha256:${"a".repeat(64)}`;
  try {
    validatePlatformConfig({ stack, config: encodeConfig(config), catalogFile: "src/config/catalog.yaml", catalogText: renderYaml(catalog), now: NOW });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).lines;
  }
  return [];
}

describe.each(["dev", "prod"])("AWS limits of the %s stack's derived values", (stack) => {
  it("passes the committed catalog", () => {
    expect(errorsOf(stack, () => [])).toEqual([]);
  });

  it("refuses an event whose publishers would not fit the topic's 256-character tag", () => {
    const lines = errorsOf(stack, (catalog) => {
      catalog.events.shared = { description: "Published by many." };
      const names = Array.from({ length: 5 }, (_, i) => `publisher-${i}-${"x".repeat(50)}`);
      for (const name of names) catalog.services[name] = service({ publishes: ["shared"] });
      catalog.services.users.subscribes = [...(catalog.services.users.subscribes ?? []), "shared"];
      return names;
    });
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^stack "${stack}": src/config/catalog.yaml: events.shared = \\["publisher-0-x+.*allowed: publishers whose names together .* at most 256 characters; these are 314 .*tag`))]);
  });

  it("refuses an event name longer than a tag value may be", () => {
    const event = `e${"-long".repeat(60)}`;
    const lines = errorsOf(stack, (catalog) => {
      catalog.events[event] = { description: "Long." };
      catalog.services.users.publishes.push(event);
      return [];
    });
    expect(lines).toEqual([expect.stringMatching(/events\.e-long.*allowed: an event name of at most 256 characters/)]);
  });

  it("refuses a service whose queue policy and IAM rights would exceed SQS's 8,192 bytes and IAM's 10,240 characters", () => {
    const lines = errorsOf(stack, (catalog) => {
      const events = Array.from({ length: 120 }, (_, i) => `event-number-${String(i).padStart(3, "0")}-happened`);
      for (const e of events) catalog.events[e] = { description: "An event." };
      catalog.services.hub = service({ publishes: events, subscribes: events });
      return ["hub"];
    });
    expect(lines).toEqual([
      expect.stringMatching(/services\.hub\.subscribes = "120 standard events": allowed: fewer subscriptions: the standard queue's policy would be \d{5} bytes, SQS accepts at most 8192 \(Amazon SQS policy quotas/),
      expect.stringMatching(/services\.hub\.publishes = "120 events published, 1 queues": allowed: fewer topics and queues per service: its IAM rights would be \d{5} characters without white space, at most 10240 \(IAM/),
    ]);
  });

  it("accepts a service right under the limits (the rules measure, they do not cap a count)", () => {
    const lines = errorsOf(stack, (catalog) => {
      const events = Array.from({ length: 30 }, (_, i) => `event-${i}`);
      for (const e of events) catalog.events[e] = { description: "An event." };
      catalog.services.hub = service({ publishes: events, subscribes: events });
      return ["hub"];
    });
    expect(lines).toEqual([]);
  });

  it("refuses a data domain name longer than its pgBackRest stanza may be, as one config line (it was an internal error)", () => {
    const config = committedConfigData(stack);
    const databases = config["fitness-platform:databases"] as Data;
    const long = `d${"-long".repeat(13)}`;
    databases.domains[long] = Object.values(databases.domains)[0];
    let lines: string[] = [];
    try {
      validatePlatformConfig({ stack, config: encodeConfig(config), catalogFile: "src/config/catalog.yaml", catalogText: committedCatalogText(), now: NOW });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      lines = (err as ConfigError).lines;
    }
    expect(lines).toEqual([`stack "${stack}": fitness-platform:databases.domains.${long} = ${JSON.stringify(databases.domains[long]).slice(0, 77)}...: allowed: a domain name of at most 63 characters (it names the host's pgBackRest stanza); this one has 66`]);
  });
});
