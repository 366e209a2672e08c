import type { Catalog } from "./catalog-schema";
import type { ConfigIssue } from "./issues";
import type { StackConfig } from "./schema";
import { PROJECT } from "./schema";

/** References inside the catalog, and between the catalog and the stack config. */
export function catalogRules(catalog: Catalog, catalogSource: string, config: StackConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (path: PropertyKey[], value: unknown, allowed: string) => issues.push({ source: catalogSource, path, value, allowed });
  const services = Object.keys(catalog.services);
  const events = Object.keys(catalog.events);
  const domains = Object.keys(config.databases.domains);
  const published = new Set(Object.values(catalog.services).flatMap((s) => s.publishes));
  const domainOwner = new Map<string, string>();
  const routeOwner = new Map<string, string>();

  for (const [name, svc] of Object.entries(catalog.services)) {
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
    if (svc.dataDomain !== undefined) {
      if (!domains.includes(svc.dataDomain)) {
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
  for (const name of services) {
    if (!(name in config.images.serviceTags)) {
      issues.push({ source: `${PROJECT}:images`, path: ["serviceTags", name], value: undefined, allowed: "allowed: an immutable image tag for every catalog service" });
    }
  }
  for (const name of Object.keys(config.images.serviceTags)) {
    if (!services.includes(name)) {
      issues.push({ source: `${PROJECT}:images`, path: ["serviceTags", name], value: config.images.serviceTags[name], allowed: `allowed: a service of the catalog (${services.join(", ")})` });
    }
  }
  config.egress.exceptions.forEach((ex, i) =>
    ex.services.forEach((svc, j) => {
      if (!services.includes(svc)) {
        issues.push({ source: `${PROJECT}:egress`, path: ["exceptions", i, "services", j], value: svc, allowed: `allowed: a service of the catalog (${services.join(", ")})` });
      }
    }),
  );
  return issues;
}
