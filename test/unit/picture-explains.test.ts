import * as path from "node:path";
import { instance } from "@viz-js/viz";
import { describe, expect, it } from "vitest";
import { runAudit } from "../../src/offline/audit";
import { architectureModel, dotToSvg, toDot } from "../../src/offline/picture";
import type { ArchitectureModel } from "../../src/offline/picture";
import { findLandmarks } from "../../src/offline/picture/landmarks";
import { containsToken, ReferenceIndex } from "../../src/offline/picture/references";
import { configText } from "../../src/offline/picture/landmarks";
import { SnapshotIndex } from "../../src/offline/diff/resource-facts";
import { readSnapshot } from "../../src/offline/snapshot/reader";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";

/**
 * The picture explains: the catalog's service-to-service calls (D3), backup flows exactly as the audit's
 * backup facts match the selections, a legend, no two labels on top of each other, zones in a fixed order
 * whatever the input order, legible type, and the same bytes for the same snapshot.
 */
const FIXTURE = path.join(__dirname, "..", "fixtures", "diff", "base.json");
const load = (): StackExport => readSnapshot(FIXTURE);
const ROOT = "urn:pulumi:dev::fitness-platform::pulumi:pulumi:Stack::fitness-platform-dev";

function flow(model: ArchitectureModel, fromLabel: string, toLabel: string): string | undefined {
  const id = (label: string) => model.nodes.find((n) => n.label === label)?.id;
  return model.edges.find((e) => e.from === id(fromLabel) && e.to === id(toLabel))?.label;
}

/** An egress NetworkPolicy of `from`'s namespace, as src/services renders one per catalog call. */
function egressPolicy(from: string, to: string, port: number): ResourceState {
  return {
    urn: `urn:pulumi:dev::fitness-platform::kubernetes:networking.k8s.io/v1:NetworkPolicy::${from}-egress-${to}`,
    custom: true,
    type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    parent: ROOT,
    inputs: {
      metadata: { name: `${from}-egress`, namespace: from },
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": from } },
        policyTypes: ["Egress"],
        egress: [
          { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": to } }, podSelector: { matchLabels: { "app.kubernetes.io/name": to } } }], ports: [{ port, protocol: "TCP" }] },
          { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }], ports: [{ port: 53, protocol: "UDP" }] },
        ],
      },
    },
  };
}

describe("service-to-service calls (D3)", () => {
  it("draws each call the callers' egress policies allow, and nothing for DNS or undeclared pairs", () => {
    const snapshot = load();
    snapshot.deployment.resources.push(egressPolicy("orders", "users", 8080), egressPolicy("trainings", "users", 8080));
    const model = architectureModel(snapshot);
    expect(flow(model, "orders", "users")).toBe("REST :8080");
    expect(flow(model, "trainings", "users")).toBe("REST :8080");
    expect(flow(model, "users", "orders")).toBeUndefined();
    expect(flow(model, "orders", "trainings")).toBeUndefined();
    const calls = model.edges.filter((e) => e.kind === "request" && e.from.startsWith("svc:") && e.to.startsWith("svc:"));
    expect(calls).toHaveLength(2);
    expect(toDot(model)).toMatch(/"svc:orders\/orders" -> "svc:users\/users" \[label="REST :8080", [^\]]*constraint=false\];/);
  });
});

describe("backup flows", () => {
  it("follow the AWS Backup selection exactly as the audit's backup facts match it, not the hosts' tags", async () => {
    const snapshot = load();
    const resources = snapshot.deployment.resources;
    const selection = resources.find((r) => r.type === "aws:backup/selection:Selection") as ResourceState;
    const volume = resources.find((r) => r.urn.endsWith("::personal-data-data")) as ResourceState;
    const otherHost = resources.find((r) => r.urn.endsWith("::training-records-host")) as ResourceState;
    // The selection now picks by a tag only one data volume carries; another host (not its volume) carries it too.
    // Inputs and outputs alike: the audit reads a state's outputs, as the engine hands them to stack policies.
    for (const state of [selection.inputs, selection.outputs]) if (state !== undefined) state.selectionTags = [{ type: "STRINGEQUALS", key: "backup", value: "daily" }];
    for (const r of [volume, otherHost]) {
      for (const state of [r.inputs, r.outputs]) {
        for (const key of ["tags", "tagsAll"]) {
          const tags = state?.[key] as Record<string, string> | undefined;
          if (tags !== undefined) tags.backup = "daily";
        }
      }
    }
    const model = architectureModel(snapshot);
    const vault = "Backup vault backups-vault";
    expect(flow(model, "PostgreSQL personal-data", vault)).toBe("snapshots daily 7 d");
    expect(flow(model, "PostgreSQL training-records", vault)).toBeUndefined();
    expect(flow(model, "PostgreSQL purchase-history", vault)).toBeUndefined();
    // The audit's backup coverage, from the same reader, says the same per host.
    const audit = await runAudit(snapshot, { now: new Date("2026-12-03T00:00:00Z") });
    const drawn = new Set(model.edges.filter((e) => e.kind === "backup" && e.to.startsWith("vault:")).map((e) => model.nodes.find((n) => n.id === e.from)?.urns[0]));
    for (const row of audit.backupCoverage.rows) {
      const host = resources.find((r) => r.type === "aws:ec2/instance:Instance" && (r.inputs?.tags as Record<string, string> | undefined)?.Name === row.host);
      expect(drawn.has(host?.urn), row.host).toBe(row.snapshots !== "NO");
    }
  });
});

describe("the drawing", () => {
  it("has a legend naming every flow kind and node shape it draws", async () => {
    const model = architectureModel(load());
    const svg = await dotToSvg(toDot(model));
    expect(svg).toContain(">Legend<");
    expect(svg).toContain("synchronous request (HTTPS at the edge, REST between services: D3)");
    expect(svg).toContain("backups: pgBackRest PITR and AWS Backup snapshots (D7)");
    expect(svg).toContain("bold cylinder: PostgreSQL host (critical data: D5)");
    // Kinds the picture does not draw are not explained.
    expect(svg).not.toContain("topics and queues folded");
  });

  it("places dmz, app, data, then the regional services left to right, whatever the input order", async () => {
    const snapshot = load();
    const reversed: StackExport = { ...snapshot, deployment: { ...snapshot.deployment, resources: [...snapshot.deployment.resources].reverse() } };
    const dots = [toDot(architectureModel(snapshot)), toDot(architectureModel(reversed))];
    expect(dots[1]).toBe(dots[0]);
    const svg = await dotToSvg(dots[0] as string);
    const left = (cluster: string): number => {
      const m = new RegExp(`<title>${cluster}</title>\\s*<path[^>]* d="M(-?[\\d.]+),`).exec(svg);
      if (m === null) throw new Error(`no ${cluster} in the SVG`);
      return Number(m[1]);
    };
    const order = ["cluster_zone_dmz", "cluster_zone_app", "cluster_zone_data", "cluster_regional"].map(left);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(new Set(order).size).toBe(4);
  });

  it("puts no label on top of another (Graphviz's own text boxes of the rendered picture)", async () => {
    const viz = await instance();
    for (const model of [architectureModel(load())]) {
      const layout = viz.renderJSON(toDot(model)) as { objects?: DrawnObject[]; edges?: DrawnObject[]; _ldraw_?: DrawOp[] };
      const boxes = [...(layout.objects ?? []), ...(layout.edges ?? []), layout].flatMap((o) => textBoxes(o._ldraw_ ?? []));
      expect(boxes.length).toBeGreaterThan(40);
      const overlapping: string[] = [];
      for (let i = 0; i < boxes.length; i += 1) {
        for (let j = i + 1; j < boxes.length; j += 1) {
          const [a, b] = [boxes[i] as Box, boxes[j] as Box];
          if (a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1) overlapping.push(`${a.text} / ${b.text}`);
        }
      }
      expect(overlapping).toEqual([]);
    }
  });

  it("is legible when shown scaled: no text under 12 pt", async () => {
    const svg = await dotToSvg(toDot(architectureModel(load())));
    const sizes = [...svg.matchAll(/font-size="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(sizes.length).toBeGreaterThan(40);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12);
  });

  it("is byte-identical for the same snapshot", async () => {
    const [a, b] = [toDot(architectureModel(load())), toDot(architectureModel(load()))];
    expect(a).toBe(b);
    expect(await dotToSvg(a)).toBe(await dotToSvg(b));
  });
});

describe("references between landmarks", () => {
  it("are found through one index exactly as a search of every identifier in every text finds them", () => {
    const snapshot = load();
    const index = new SnapshotIndex(snapshot);
    const landmarks = findLandmarks(index, "fitness-platform-dev-");
    const references = new ReferenceIndex(landmarks);
    let compared = 0;
    for (const source of landmarks) {
      const text = source.footprint.map(configText).join("\n");
      const naive = landmarks.filter((t) => t.identifiers.some((id) => containsToken(text, id)));
      expect([...references.namedIn(text)].map((l) => l.id).sort(), source.id).toEqual(naive.map((l) => l.id).sort());
      compared += naive.length;
    }
    expect(compared).toBeGreaterThan(10);
  });

  it("match whole names only", () => {
    const landmark = { id: "q", kind: "queue", label: "q", placement: "regional", urns: [], identifiers: ["shop-orders", "arn:aws:sqs:eu-central-1:1:shop-orders"], footprint: [], tags: {} } as const;
    const references = new ReferenceIndex([landmark]);
    expect(references.namedIn('{"queue":"shop-orders-dlq"}').size).toBe(0);
    expect(references.namedIn('{"arn":"arn:aws:sqs:eu-central-1:1:shop-orders"}').size).toBe(1);
    expect(references.namedIn("QUEUE=shop-orders\n").size).toBe(1);
  });
});

interface DrawOp {
  readonly op: string;
  readonly pt?: [number, number];
  readonly align?: "l" | "c" | "r";
  readonly width?: number;
  readonly text?: string;
  readonly size?: number;
}
interface DrawnObject {
  readonly _ldraw_?: DrawOp[];
}
interface Box {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
  readonly text: string;
}

/** Text operations of an xdot draw list (`F size font` then `T x y align width text`), as boxes. */
function textBoxes(ops: readonly DrawOp[]): Box[] {
  let size = 14;
  const boxes: Box[] = [];
  for (const op of ops) {
    if (op.op === "F" && typeof op.size === "number") size = op.size;
    if (op.op !== "T" || op.pt === undefined || op.width === undefined) continue;
    const [x, y] = op.pt;
    const x0 = op.align === "l" ? x : op.align === "r" ? x - op.width : x - op.width / 2;
    boxes.push({ x0, x1: x0 + op.width, y0: y - size * 0.25, y1: y + size * 0.75, text: op.text ?? "" });
  }
  return boxes;
}
