import type { PolicyResource } from "@pulumi/policy";
import { isRecord, peekTexts, tagsOf, texts } from "./props";

/**
 * Resources by type, per resource list. Shared only for a frozen list: the offline auditor hands every
 * stack policy one frozen list (src/offline/audit/runner.ts, `stackView`), so its 47 policies build one
 * index instead of 47; under the engine each policy receives a fresh, mutable list and builds its own.
 * A resource's `type` is a plain field, not a property read through the auditor's views, so sharing it
 * changes no rule's recorded scope (the identity and referrer caches below read properties and stay
 * per index).
 */
const sharedTypeMaps = new WeakMap<readonly PolicyResource[], ReadonlyMap<string, readonly PolicyResource[]>>();

function typeMapOf(resources: readonly PolicyResource[]): ReadonlyMap<string, readonly PolicyResource[]> {
  const shared = sharedTypeMaps.get(resources);
  if (shared !== undefined) return shared;
  const map = new Map<string, PolicyResource[]>();
  for (const r of resources) {
    const list = map.get(r.type);
    if (list === undefined) map.set(r.type, [r]);
    else list.push(r);
  }
  if (Object.isFrozen(resources)) sharedTypeMaps.set(resources, map);
  return map;
}

/**
 * Lookups over the resources a stack policy receives. Links between resources are resolved from the
 * engine's property dependencies first (known even during preview, when ids are not), then from
 * literal ids and ARNs (exports without property dependencies, or values set by hand).
 */
export class StackIndex {
  private readonly typeMap: ReadonlyMap<string, readonly PolicyResource[]>;
  private readonly identityCache = new Map<string, Map<string, PolicyResource[]>>();
  private readonly referrerCache = new Map<string, Map<string, PolicyResource[]>>();

  constructor(readonly resources: readonly PolicyResource[]) {
    this.typeMap = typeMapOf(resources);
  }

  ofType(...types: string[]): PolicyResource[] {
    return types.flatMap((t) => this.typeMap.get(t) ?? []);
  }

  /** The resources of `types` that `resource.props[property]` refers to. */
  targets(resource: PolicyResource, property: string, types: readonly string[]): PolicyResource[] {
    const deps = resource.propertyDependencies[property];
    if (deps !== undefined && deps.length > 0) return unique(deps.filter((d) => types.includes(d.type)));
    const identities = this.identities(types);
    const found: PolicyResource[] = [];
    for (const value of texts(resource.props[property])) found.push(...(identities.get(value) ?? []));
    return unique(found);
  }

  /** Resources of `types` whose `property` refers to `target`. */
  referrers(target: PolicyResource, types: readonly string[], property: string): PolicyResource[] {
    const key = `${types.join(",")}|${property}|${target.type}`;
    let byTarget = this.referrerCache.get(key);
    if (byTarget === undefined) {
      byTarget = new Map();
      for (const r of this.ofType(...types)) {
        for (const t of this.targets(r, property, [target.type])) {
          const list = byTarget.get(t.urn) ?? [];
          list.push(r);
          byTarget.set(t.urn, list);
        }
      }
      this.referrerCache.set(key, byTarget);
    }
    return byTarget.get(target.urn) ?? [];
  }

  /** The ids, ARNs and names by which other resources refer to a resource of `types`. */
  private identities(types: readonly string[]): Map<string, PolicyResource[]> {
    const key = types.join(",");
    let map = this.identityCache.get(key);
    if (map === undefined) {
      map = new Map();
      for (const r of this.ofType(...types)) {
        if (!isRecord(r.props)) continue;
        for (const prop of ["id", "arn", "bucket"]) {
          const [value] = peekTexts(r.props, prop);
          if (value === undefined) continue;
          const list = map.get(value) ?? [];
          list.push(r);
          map.set(value, list);
        }
      }
      this.identityCache.set(key, map);
    }
    return map;
  }
}

function unique(resources: PolicyResource[]): PolicyResource[] {
  return [...new Set(resources)];
}

/** The design's `zone` tag of a resource, if it has one. */
export function zoneTag(resource: PolicyResource): string | undefined {
  return isRecord(resource.props) ? tagsOf(resource.props)["zone"] : undefined;
}
