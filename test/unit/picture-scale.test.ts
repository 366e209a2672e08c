import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { clusterSizedFor, generatedCatalog, imagesWithTags } from "../../bench/catalog-100";
import { synthesize } from "../../src/offline/engine/synthesize";
import { architectureModel, dotToSvg, FOLD_ABOVE_SERVICES, foldModel, toDot } from "../../src/offline/picture";
import type { ArchitectureModel } from "../../src/offline/picture";
import { readSnapshot } from "../../src/offline/snapshot/reader";
import type { StackExport } from "../../src/offline/snapshot/types";

const REPO = path.resolve(__dirname, "..", "..");
const catalog = generatedCatalog(100);
let snapshot: StackExport;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "picture-scale-"));
  try {
    const catalogFile = path.join(dir, "catalog-100.yaml");
    fs.writeFileSync(catalogFile, catalog.text);
    const result = await synthesize({
      stack: "dev",
      projectRoot: REPO,
      catalogFile,
      configOverrides: { "fitness-platform:images": imagesWithTags("dev", catalog.services), "fitness-platform:cluster": clusterSizedFor("dev", catalog.services) },
    });
    snapshot = result.snapshot;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** The flows of a DOT text; the invisible edges that hold the zones in order (dot.ts) are not flows. */
const edgeLines = (dot: string): string[] => dot.split("\n").filter((line) => / -> /.test(line) && !line.includes("style=invis"));
const idOf = (model: ArchitectureModel, label: string): string | undefined => model.nodes.find((n) => n.label === label)?.id;

/** The text of every `<g class="node">` and the number of `<g class="edge">` of a Graphviz SVG. */
function svgContents(svg: string): { nodeTexts: string[]; clusters: string[]; edges: number } {
  expect(XMLValidator.validate(svg)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", htmlEntities: true, isArray: (name) => name === "g" || name === "text" }).parse(svg) as unknown;
  const out = { nodeTexts: [] as string[], clusters: [] as string[], edges: 0 };
  const textOf = (t: unknown): string => (typeof t === "object" && t !== null ? String((t as Record<string, unknown>)["#text"] ?? "") : String(t));
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== "object" || node === null) return;
    const record = node as Record<string, unknown>;
    if (record["@class"] === "node") out.nodeTexts.push(...((record.text as unknown[]) ?? []).map(textOf));
    if (record["@class"] === "cluster") out.clusters.push(textOf(record.title));
    if (record["@class"] === "edge") out.edges += 1;
    Object.values(record).forEach(visit);
  };
  visit(doc);
  return out;
}

describe("architecture picture of a 100-service catalog", () => {
  it("is folded to the service level and still shows every zone, every service and every other part", async () => {
    const model = architectureModel(snapshot);
    const dot = toDot(model);
    expect(dot).toContain(`folded view: ${model.nodes.filter((n) => n.kind === "service").length} services (more than ${FOLD_ABOVE_SERVICES})`);
    const svg = svgContents(await dotToSvg(dot));
    for (const zone of ["dmz", "app", "data"]) expect(svg.clusters).toContain(`cluster_zone_${zone}`);
    expect(svg.clusters).toContain("cluster_eks");
    expect(catalog.services).toHaveLength(100);
    for (const service of catalog.services) expect(svg.nodeTexts).toContain(service);
    // Everything but topics and queues is drawn: edge, proxy, gateway, DB hosts, buckets, vault, logs.
    const kept = model.nodes.filter((n) => n.kind !== "topic" && n.kind !== "queue");
    expect(kept.filter((n) => n.kind === "db-host").length).toBeGreaterThan(0);
    expect(kept.filter((n) => n.kind === "bucket").length).toBeGreaterThan(0);
    for (const kind of ["load-balancer", "waf", "proxy", "gateway"]) expect(kept.some((n) => n.kind === kind)).toBe(true);
    for (const node of kept) expect(svg.nodeTexts).toContain(node.label);
    expect(svg.nodeTexts.some((t) => t.startsWith("SNS ") || t.startsWith("SQS "))).toBe(false);
    // Graphviz drew every flow of the folded DOT (spline routing may drop edges it cannot route).
    expect(svg.edges).toBe(edgeLines(dot).length);
  });

  it("draws far fewer edges than the full picture", () => {
    const model = architectureModel(snapshot);
    // Service-to-service calls (D3) are drawn in both; folding is about the messaging flows.
    const calls = model.edges.filter((e) => e.kind === "request" && e.from.startsWith("svc:") && e.to.startsWith("svc:")).length;
    const folded = edgeLines(toDot(model)).length - calls;
    const full = edgeLines(toDot(model, { fold: false })).length - calls;
    expect(full).toBeGreaterThan(600);
    expect(folded).toBeLessThan(full * 0.6);
  });

  it("keeps every subscription as an event flow from its publisher to its consumer", () => {
    const model = architectureModel(snapshot);
    const folded = foldModel(model);
    const events = (from: string, to: string): string | undefined =>
      folded.edges.find((e) => e.kind === "events" && e.from === idOf(model, from) && e.to === idOf(model, to))?.label;
    const generated = catalog.services.filter((s) => s.startsWith("svc"));
    generated.forEach((name, i) => {
      const neighbour = generated[(i + 1) % generated.length] as string;
      expect(events(neighbour, name)).toBe(`events: ${neighbour}-changed`);
      expect(events("users", name)).toContain("user-deleted");
      // Calls are not events: nothing flows from a service to the neighbour it only subscribes to.
      expect(events(name, neighbour)).toBeUndefined();
    });
    // Every consumer of a queue in the full model still receives an event flow.
    const consumers = new Set(model.edges.filter((e) => e.kind === "consume").map((e) => e.to));
    for (const consumer of consumers) expect(folded.edges.some((e) => e.kind === "events" && e.to === consumer)).toBe(true);
    // The other flows stay as they are: the gateway routes to every generated service, each DB host backs up.
    for (const name of generated) expect(folded.edges.some((e) => e.from === "gateway" && e.to === idOf(model, name))).toBe(true);
    expect(folded.edges.filter((e) => e.kind === "backup").length).toBe(model.edges.filter((e) => e.kind === "backup").length);
  });

  it("is deterministic, whatever the order of the model's lists", async () => {
    const model = architectureModel(snapshot);
    const shuffled: ArchitectureModel = { ...model, nodes: [...model.nodes].reverse(), edges: [...model.edges].reverse() };
    const [a, b] = [foldModel(shuffled), foldModel(model)];
    expect(a.edges).toEqual(b.edges);
    expect(a.folded).toBe(b.folded);
    expect([...a.nodes].reverse()).toEqual(b.nodes);
    const dot = toDot(model);
    expect(toDot(architectureModel(snapshot))).toBe(dot);
    expect(await dotToSvg(dot)).toBe(await dotToSvg(dot));
  });
});

describe("architecture picture of the platform's own catalog", () => {
  it("is drawn in full, with its topics and queues", () => {
    const platform = architectureModel(readSnapshot(path.join(__dirname, "..", "fixtures", "diff", "base.json")));
    const dot = toDot(platform);
    expect(dot).toBe(toDot(platform, { fold: false }));
    expect(dot).not.toContain("folded view");
    expect(dot).toContain("SNS messaging-order-placed");
  });
});
