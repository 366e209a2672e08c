import { parseYaml, renderYaml } from "../../src/config/yaml-reader";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors";
import { validatePlatformConfig } from "../../src/config/validate";
import { committedCatalogText, committedConfigData, encodeConfig } from "../support/stack-config";

const NOW = new Date("2026-11-24T12:00:00Z");
const P = "fitness-platform";
type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests edit free-form YAML

function errorsOf(stack: string, edit: (messaging: Data, catalog: Data) => void): string[] {
  const config = committedConfigData(stack);
  const catalog = parseYaml(committedCatalogText(), "src/config/catalog.yaml") as Data;
  edit(config[`${P}:messaging`] as Data, catalog);
  try {
    validatePlatformConfig({ stack, config: encodeConfig(config), catalogFile: "src/config/catalog.yaml", catalogText: renderYaml(catalog), now: NOW });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).lines;
  }
  return [];
}

describe("messaging configuration", () => {
  it.each(["dev", "prod"])("accepts the committed %s config", (stack) => {
    expect(errorsOf(stack, () => undefined)).toEqual([]);
  });

  const cases: Array<[string, (m: Data, c: Data) => void, string]> = [
    [
      "DLQ keeps messages shorter than the queue",
      (m) => (m.deadLetterRetentionSeconds = 60),
      `stack "dev": ${P}:messaging.deadLetterRetentionSeconds = 60: allowed: >= queueRetentionSeconds (345600)`,
    ],
    [
      "age alarm after messages expire",
      (m) => (m.oldestMessageAlarmSeconds = 345600),
      `stack "dev": ${P}:messaging.oldestMessageAlarmSeconds = 345600: allowed: < queueRetentionSeconds (345600), so the alarm fires before messages expire`,
    ],
    ["max receive count zero", (m) => (m.maxReceiveCount = 0), `stack "dev": ${P}:messaging.maxReceiveCount = 0: allowed: 1..1000`],
    [
      "operations e-mail malformed",
      (m) => (m.operationsEmails = ["ops at example"]),
      `stack "dev": ${P}:messaging.operationsEmails[0] = "ops at example": allowed: a lower-case e-mail address such as ops@fitness.example.com`,
    ],
    [
      "notifier not in the catalog",
      (m) => (m.notifications.service = "mailer"),
      `stack "dev": ${P}:messaging.notifications.service = "mailer": allowed: a service of the catalog (users, trainings, catalog, orders, notifications)`,
    ],
    [
      "From address outside the SES identity",
      (m) => (m.notifications.email.fromAddress = "no-reply@elsewhere.example.org"),
      `stack "dev": ${P}:messaging.notifications.email.fromAddress = "no-reply@elsewhere.example.org": allowed: an address at dev.fitness.example.com or a subdomain of it (the SES identity)`,
    ],
    [
      "unknown push platform",
      (m) => (m.notifications.push.applications[0].platform = "WNS"),
      `stack "dev": ${P}:messaging.notifications.push.applications[0].platform = "WNS": allowed: APNS, APNS_SANDBOX, GCM`,
    ],
    [
      "push application twice",
      (m) => m.notifications.push.applications.push({ ...m.notifications.push.applications[0] }),
      `stack "dev": ${P}:messaging.notifications.push.applications[2] = {"platform":"APNS_SANDBOX","name":"fitness-dev-ios"}: allowed: each platform application once`,
    ],
    [
      "typo in a notifications key",
      (m) => (m.notifications.emial = {}),
      `stack "dev": ${P}:messaging.notifications.emial = {}: unknown key (a typo?); allowed keys here: service, email, push`,
    ],
    [
      "filter for an event the service does not subscribe to",
      (_m, c) => (c.services.orders.filters = { "order-paid": { currency: ["EUR"] } }),
      `stack "dev": src/config/catalog.yaml: services.orders.filters.order-paid = {"currency":["EUR"]}: allowed: a filter for an event this service subscribes to (user-deleted, product-updated)`,
    ],
    [
      "empty filter values",
      (_m, c) => (c.services.orders.filters = { "user-deleted": { reason: [] } }),
      `stack "dev": src/config/catalog.yaml: services.orders.filters.user-deleted.reason = []: allowed: a non-empty list of values or SNS filter operators`,
    ],
  ];

  it.each(cases)("rejects: %s", (_name, edit, line) => {
    expect(errorsOf("dev", edit)).toContain(line);
  });
});
