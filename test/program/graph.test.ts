import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { effectiveTags, isTaggableAwsType } from "../../src/conventions/taggable";
import { REQUIRED_TAG_KEYS } from "../../src/conventions/tags";
import { synthesize } from "../../src/offline/engine/synthesize";
import { graphOf, isProviderType, type SnapshotGraph } from "../../src/offline/snapshot/graph";
import { isSecretValue } from "../../src/offline/snapshot/secrets";
import type { ResourceState } from "../../src/offline/snapshot/types";
import { ROOT_STACK_TYPE } from "../../src/offline/snapshot/urn";

/**
 * The whole program, for dev and prod, under the offline engine: the shape of the resource graph
 * that every component must respect (ownership, tags, unique URNs).
 */
const ROOT = path.resolve(__dirname, "..", "..");
const STACKS = ["dev", "prod"] as const;
const COMPONENT_TYPE = /^fitness:[a-z][a-z0-9-]*:[A-Z][A-Za-z0-9]*$/;
const graphs = new Map<string, SnapshotGraph>();

beforeAll(async () => {
  for (const stack of STACKS) graphs.set(stack, graphOf((await synthesize({ stack, projectRoot: ROOT })).snapshot));
});

function graph(stack: string): SnapshotGraph {
  return graphs.get(stack) as SnapshotGraph;
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

function ancestors(g: SnapshotGraph, r: ResourceState): ResourceState[] {
  const out: ResourceState[] = [];
  for (let parent = r.parent; parent !== undefined; parent = g.byUrn.get(parent)?.parent) {
    const p = g.byUrn.get(parent);
    if (p === undefined || p.type === ROOT_STACK_TYPE) break;
    out.push(p);
  }
  return out;
}

describe.each(STACKS)("the %s stack's resource graph", (stack) => {
  it("has one root stack resource and real content", () => {
    const g = graph(stack);
    expect(g.resources.filter((r) => r.type === ROOT_STACK_TYPE).map((r) => r.urn)).toEqual([
      `urn:pulumi:${stack}::fitness-platform::pulumi:pulumi:Stack::fitness-platform-${stack}`,
    ]);
    expect(g.resources.filter((r) => r.custom && !isProviderType(r.type)).length).toBeGreaterThan(20);
  });

  it("has no duplicate URNs", () => {
    const urns = graph(stack).resources.map((r) => r.urn);
    const duplicates = urns.filter((u, i) => urns.indexOf(u) !== i);
    expect(duplicates).toEqual([]);
  });

  it("parents every cloud resource to a platform component (none at the stack root but providers)", () => {
    const g = graph(stack);
    const orphans = g.resources
      .filter((r) => r.custom && !isProviderType(r.type))
      .filter((r) => {
        const parent = r.parent === undefined ? undefined : g.byUrn.get(r.parent);
        return parent === undefined || parent.custom || !COMPONENT_TYPE.test(parent.type);
      })
      .map((r) => `${r.urn} (parent ${r.parent ?? "none"})`);
    expect(orphans).toEqual([]);
  });

  it("nests components only under the stack or other platform components, with fitness:<area>:<Name> types", () => {
    const g = graph(stack);
    const components = g.resources.filter((r) => !r.custom && r.type !== ROOT_STACK_TYPE);
    expect(components.length).toBeGreaterThan(0);
    const bad = components
      .filter((c) => {
        const parent = c.parent === undefined ? undefined : g.byUrn.get(c.parent);
        const parentOk = parent !== undefined && (parent.type === ROOT_STACK_TYPE || (!parent.custom && COMPONENT_TYPE.test(parent.type)));
        return !COMPONENT_TYPE.test(c.type) || !parentOk;
      })
      .map((c) => `${c.urn} (parent ${c.parent ?? "none"})`);
    expect(bad).toEqual([]);
  });

  it("puts the design's tags on every taggable AWS resource", () => {
    const g = graph(stack);
    const taggable = g.resources.filter((r) => r.custom && isTaggableAwsType(r.type));
    expect(taggable.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const r of taggable) {
      const tags = effectiveTags(r);
      const missing = REQUIRED_TAG_KEYS.filter((k) => typeof tags[k] !== "string" || tags[k] === "");
      if (missing.length > 0) {
        problems.push(`${r.urn}: missing ${missing.join(", ")} (if this type takes no tags, add it to src/conventions/taggable.ts)`);
        continue;
      }
      const owners = ancestors(g, r);
      // The component tag must name a component that owns the resource: by its name, area or kind.
      const claims = new Set(owners.flatMap((c) => [c.urn.slice(c.urn.lastIndexOf("::") + 2), ...c.type.split(":").slice(1).map(kebab)]));
      const expected: Array<[string, boolean]> = [
        ["project", tags.project === "fitness-platform"],
        ["environment", tags.environment === stack],
        ["managed-by", tags["managed-by"] === "pulumi"],
        ["zone", ["dmz", "app", "data", "global"].includes(String(tags.zone))],
        ["data-class", ["critical", "internal"].includes(String(tags["data-class"]))],
        ["component", claims.has(String(tags.component))],
      ];
      for (const [key, ok] of expected) if (!ok) problems.push(`${r.urn}: tag ${key}=${String(tags[key])}`);
    }
    expect(problems).toEqual([]);
  });

  it("keeps generated secrets secret wherever they are stored", () => {
    const g = graph(stack);
    const generated = g.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
    const stored = g.resources.filter((r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion");
    expect(generated.length).toBeGreaterThan(0);
    for (const r of generated) expect(isSecretValue(r.outputs?.result), r.urn).toBe(true);
    for (const r of stored) expect(isSecretValue(r.inputs?.secretString), r.urn).toBe(true);
  });
});
