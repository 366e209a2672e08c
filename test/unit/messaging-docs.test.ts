import * as fs from "node:fs";
import * as path from "node:path";
import { parseYaml } from "../../src/config/yaml-reader";
import { describe, expect, it } from "vitest";
import { catalogSchema } from "../../src/config/catalog-schema";
import { messagingSchema } from "../../src/config/sections/messaging";
import { EVENT_TABLE_BEGIN, EVENT_TABLE_END, renderEventTable } from "../../src/messaging/event-table";
import { planTopology } from "../../src/messaging/topology";
import { committedCatalogText, committedConfigData, ROOT } from "../support/stack-config";

describe("docs/messaging.md", () => {
  it("lists the catalog's events, publishers and subscribers as the catalog declares them", () => {
    const catalog = catalogSchema.parse(parseYaml(committedCatalogText(), "src/config/catalog.yaml"));
    const config = messagingSchema.parse(committedConfigData("dev")["fitness-platform:messaging"]);
    const expected = renderEventTable(planTopology({ project: "fitness-platform", stack: "dev" }, catalog, config));
    const doc = fs.readFileSync(path.join(ROOT, "docs/messaging.md"), "utf8");
    const begin = doc.indexOf(EVENT_TABLE_BEGIN);
    const end = doc.indexOf(EVENT_TABLE_END);
    expect(begin, "the events table markers are missing").toBeGreaterThanOrEqual(0);
    const actual = doc.slice(begin, end + EVENT_TABLE_END.length);
    if (actual !== expected) console.log(`docs/messaging.md is out of date; replace its events table with:\n\n${expected}\n`);
    expect(actual).toBe(expected);
  });
});
