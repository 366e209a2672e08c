import { createHash } from "node:crypto";
import * as path from "node:path";
import { readYamlFile, renderYaml } from "../src/config/yaml-reader";
import { REPO_ROOT } from "./measure";

/**
 * A service catalog of `total` services for the scale benchmark: the real five plus generated ones,
 * each publishing its own event, subscribing to its neighbour's and to user-deleted, and calling
 * the users service and its neighbour, so messaging and the per-service wiring grow with it.
 */
interface CatalogDoc {
  events: Record<string, unknown>;
  services: Record<string, Record<string, unknown>>;
}

export function generatedCatalog(total: number): { text: string; services: string[] } {
  const doc = readYamlFile(path.join(REPO_ROOT, "src/config/catalog.yaml")) as CatalogDoc;
  const existing = Object.keys(doc.services);
  const generated: string[] = [];
  for (let i = 1; generated.length < total - existing.length; i++) generated.push(`svc${String(i).padStart(3, "0")}`);
  generated.forEach((name, i) => {
    const neighbour = generated[(i + 1) % generated.length] as string;
    doc.events[`${name}-changed`] = { description: `Something in ${name} changed.` };
    doc.services[name] = {
      description: `Generated service ${name} for the scale benchmark.`,
      port: 8080,
      publicRoutes: [`/api/${name}`],
      publishes: [`${name}-changed`],
      subscribes: ["user-deleted", `${neighbour}-changed`],
      calls: ["users", neighbour],
      replicas: { min: 1, max: 3 },
      resources: { cpuRequest: "100m", memoryRequest: "128Mi", cpuLimit: "500m", memoryLimit: "256Mi" },
      healthPath: "/healthz",
    };
  });
  return { text: renderYaml(doc), services: [...existing, ...generated] };
}

/** The stack's `images` config with an image tag for every service (the catalog rules require one). */
export function imagesWithTags(stack: string, services: readonly string[]): string {
  const doc = readYamlFile(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`)) as { config: Record<string, unknown> };
  const images = (doc.config["fitness-platform:images"] ?? {}) as { serviceTags?: Record<string, string> };
  const serviceTags = Object.fromEntries(services.map((s) => [s, images.serviceTags?.[s] ?? `1.0.0@sha256:${createHash("sha256").update(s).digest("hex")}`]));
  return JSON.stringify({ ...images, serviceTags });
}

/**
 * The stack's `cluster` config with a node group large enough for a generated catalog: the capacity
 * plan refuses maxima that cannot run every service at its HPA maximum with one zone lost.
 */
export function clusterSizedFor(stack: string, services: readonly string[]): string {
  const doc = readYamlFile(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`)) as { config: Record<string, unknown> };
  const cluster = (doc.config["fitness-platform:cluster"] ?? {}) as { nodeGroup?: Record<string, unknown> };
  const maxSize = Math.min(100, 10 + Math.ceil(services.length * 0.4));
  return JSON.stringify({ ...cluster, nodeGroup: { ...cluster.nodeGroup, maxSize } });
}
