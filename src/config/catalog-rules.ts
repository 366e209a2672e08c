import { RESERVED_NAMESPACES } from "../services/workload-plan";
import type { Catalog } from "./catalog-schema";
import { cpuMillicores, dns1123LabelProblem, memoryBytes, reservedNamespaceProblem } from "./kubernetes-rules";
import type { ConfigIssue } from "./issues";
import { PROJECT } from "./schema";
import type { DatabasesConfig } from "./sections/databases";
import type { EgressConfig } from "./sections/egress";
import type { ImagesConfig } from "./sections/images";
import type { MessagingConfig } from "./sections/messaging";

/** The parts of the stack config the catalog refers to; each is checked when it parsed on its own. */
export interface CatalogReferences {
  readonly databases?: DatabasesConfig;
  readonly images?: ImagesConfig;
  readonly egress?: EgressConfig;
  readonly messaging?: MessagingConfig;
}

/** References inside the catalog, and between the catalog and the stack config. */
export function catalogRules(catalog: Catalog, catalogSource: string, config: CatalogReferences): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (path: PropertyKey[], value: unknown, allowed: string) => issues.push({ source: catalogSource, path, value, allowed });
  const services = Object.keys(catalog.services);
  const events = Object.keys(catalog.events);
  const domains = config.databases ? Object.keys(config.databases.domains) : undefined;
  const published = new Set(Object.values(catalog.services).flatMap((s) => s.publishes));
  const domainOwner = new Map<string, string>();
  const routeOwner = new Map<string, string>();

  if (services.length === 0) at(["services"], catalog.services, "allowed: at least one service (an empty catalog deploys nothing)");
  for (const [name, svc] of Object.entries(catalog.services)) {
    // The service's name is its namespace's and its Service's name.
    const nameProblem = dns1123LabelProblem(name) ?? reservedNamespaceProblem(name, RESERVED_NAMESPACES);
    if (nameProblem !== undefined) at(["services", name], name, nameProblem);
    const r = svc.resources;
    for (const [kind, request, limit, measure] of [
      ["cpu", r.cpuRequest, r.cpuLimit, cpuMillicores],
      ["memory", r.memoryRequest, r.memoryLimit, memoryBytes],
    ] as const) {
      const req = measure(request);
      const lim = measure(limit);
      if (typeof req === "number" && typeof lim === "number" && req > lim) {
        at(["services", name, "resources", `${kind}Request`], request, `allowed: at most ${kind}Limit (${limit}); Kubernetes refuses a request above its limit`);
      }
    }
    svc.calls.forEach((target, i) => {
      if (!services.includes(target)) at(["services", name, "calls", i], target, `allowed: a service of the catalog (${services.join(", ")})`);
      else if (target === name) at(["services", name, "calls", i], target, "allowed: another service (a service does not call itself over the network)");
    });
    svc.publishes.forEach((event, i) => {
      if (!events.includes(event)) at(["services", name, "publishes", i], event, `allowed: an event declared under events (${events.join(", ")})`);
    });
    svc.subscribes.forEach((event, i) => {
      if (!events.includes(event)) at(["services", name, "subscribes", i], event, `allowed: an event declared under events (${events.join(", ")})`);
      else if (!published.has(event)) at(["services", name, "subscribes", i], event, "allowed: an event that some service publishes (nobody publishes this one)");
    });
    for (const event of Object.keys(svc.filters)) {
      if (!svc.subscribes.includes(event)) {
        at(["services", name, "filters", event], svc.filters[event], `allowed: a filter for an event this service subscribes to (${svc.subscribes.join(", ") || "none"})`);
      }
    }
    if (svc.dataDomain !== undefined) {
      if (domains && !domains.includes(svc.dataDomain)) {
        at(["services", name, "dataDomain"], svc.dataDomain, `allowed: a data domain of ${PROJECT}:databases.domains (${domains.join(", ")})`);
      } else if (domainOwner.has(svc.dataDomain)) {
        at(["services", name, "dataDomain"], svc.dataDomain, `allowed: a domain no other service owns (already owned by ${domainOwner.get(svc.dataDomain)})`);
      } else domainOwner.set(svc.dataDomain, name);
    }
    svc.publicRoutes.forEach((route, i) => {
      const owner = routeOwner.get(route);
      if (owner) at(["services", name, "publicRoutes", i], route, `allowed: a route no other service serves (already served by ${owner})`);
      else routeOwner.set(route, name);
    });
    if (svc.replicas.min > svc.replicas.max) at(["services", name, "replicas", "min"], svc.replicas.min, `allowed: <= replicas.max (${svc.replicas.max})`);
  }
  for (const event of events) {
    if (!published.has(event)) at(["events", event], catalog.events[event], "allowed: an event that some service publishes (remove unused events)");
  }

  // Every service has an image tag, and every tag belongs to a service.
  const tags = config.images?.serviceTags ?? {};
  for (const name of config.images ? services : []) {
    if (!(name in tags)) {
      issues.push({ source: `${PROJECT}:images`, path: ["serviceTags", name], value: undefined, allowed: "allowed: an immutable image tag for every catalog service" });
    }
  }
  for (const name of Object.keys(tags)) {
    if (!services.includes(name)) {
      issues.push({ source: `${PROJECT}:images`, path: ["serviceTags", name], value: tags[name], allowed: `allowed: a service of the catalog (${services.join(", ")})` });
    }
  }
  // Messaging: the service that sends e-mail and push is a service of the catalog.
  const notifier = config.messaging?.notifications.service;
  if (notifier !== undefined && !services.includes(notifier)) {
    issues.push({ source: `${PROJECT}:messaging`, path: ["notifications", "service"], value: notifier, allowed: `allowed: a service of the catalog (${services.join(", ")})` });
  }
  (config.egress?.exceptions ?? []).forEach((ex, i) =>
    ex.services.forEach((svc, j) => {
      if (!services.includes(svc)) {
        issues.push({ source: `${PROJECT}:egress`, path: ["exceptions", i, "services", j], value: svc, allowed: `allowed: a service of the catalog (${services.join(", ")})` });
      }
    }),
  );
  return issues;
}
