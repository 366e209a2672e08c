/**
 * The design's tags, set on every taggable resource. Policies (GOV-02, BKP-01 ...) rely on them,
 * so they are built in one place from a closed vocabulary.
 */
export type Zone = "dmz" | "app" | "data" | "global";
export type DataClass = "critical" | "internal";

export interface TagScope {
  readonly project: string;
  readonly environment: string;
}

export interface TagTarget {
  readonly component: string;
  readonly zone: Zone;
  readonly dataClass?: DataClass;
}

export const REQUIRED_TAG_KEYS = ["project", "environment", "zone", "component", "data-class", "managed-by"] as const;

export type PlatformTags = Record<(typeof REQUIRED_TAG_KEYS)[number], string>;

export function platformTags(scope: TagScope, target: TagTarget, name?: string): Record<string, string> {
  const tags: PlatformTags = {
    project: scope.project,
    environment: scope.environment,
    zone: target.zone,
    component: target.component,
    "data-class": target.dataClass ?? "internal",
    "managed-by": "pulumi",
  };
  return name === undefined ? { ...tags } : { Name: name, ...tags };
}
