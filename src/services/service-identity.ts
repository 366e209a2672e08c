/**
 * Which AWS rights a service's pod identity needs, decided from the catalog alone (pure), so that a
 * role policy is registered only when there is something to grant (an empty policy is invalid IAM).
 */
import type { Catalog } from "../config/catalog-schema";

export function needsMessagingRights(catalog: Catalog, service: string, notifier: string): boolean {
  const spec = catalog.services[service];
  return spec !== undefined && (spec.publishes.length > 0 || spec.subscribes.length > 0 || service === notifier);
}

/** Services named by a live exception that admits the app zone: only these get HTTPS_PROXY. */
export function proxiedServices(exceptions: readonly { readonly zones: readonly string[]; readonly services: readonly string[] }[]): Set<string> {
  return new Set(exceptions.filter((ex) => ex.zones.includes("app")).flatMap((ex) => ex.services));
}
