import { charsFrom, uuidFrom } from "../deterministic";
import { type MockedResource, type ResourceContext } from "./context";

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Kubernetes objects: ids are `<namespace>/<name>` (or `<name>` for cluster-scoped objects), and a
 * missing `metadata.name` is auto-named as the provider does (`<logical name>-<8 characters>`).
 */
export function mockKubernetesResource(ctx: ResourceContext): MockedResource {
  const state: Record<string, unknown> = { ...ctx.inputs };
  if (ctx.type === "kubernetes:helm.sh/v3:Release") {
    const name = typeof ctx.inputs.name === "string" ? ctx.inputs.name : `${ctx.name}-${charsFrom("abcdefghijklmnopqrstuvwxyz0123456789", 8, ctx.urn)}`;
    const namespace = typeof ctx.inputs.namespace === "string" ? ctx.inputs.namespace : "default";
    state.name = name;
    state.status = { name, namespace, status: "deployed", chart: ctx.inputs.chart, version: ctx.inputs.version, revision: 1 };
    return { id: `${namespace}/${name}`, state };
  }
  const metadata = { ...record(ctx.inputs.metadata) };
  if (typeof metadata.name !== "string") metadata.name = `${ctx.name}-${charsFrom("abcdefghijklmnopqrstuvwxyz0123456789", 8, ctx.urn)}`;
  metadata.uid = uuidFrom(ctx.urn, "uid");
  state.metadata = metadata;
  const id = typeof metadata.namespace === "string" ? `${metadata.namespace}/${metadata.name as string}` : (metadata.name as string);
  return { id, state };
}
