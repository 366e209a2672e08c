import { hexFrom, uuidFrom } from "../deterministic";
import { mockAwsResource } from "./aws";
import { fakesFor, type MockedResource, type ResourceContext } from "./context";
import { mockKubernetesResource } from "./kubernetes";
import { mockRandomResource } from "./random";
import { mockTlsResource } from "./tls";

export type { MockedResource, ResourceContext } from "./context";

/** The id and state the offline engine gives a custom resource, by package. */
export function mockResource(ctx: ResourceContext): MockedResource {
  if (ctx.type.startsWith("pulumi:providers:")) return { id: uuidFrom(ctx.urn, "provider"), state: { ...ctx.inputs } };
  const pkg = ctx.type.split(":")[0];
  switch (pkg) {
    case "aws":
      return mockAwsResource(ctx, fakesFor(ctx));
    case "random":
      return mockRandomResource(ctx);
    case "tls":
      return mockTlsResource(ctx);
    case "kubernetes":
      return mockKubernetesResource(ctx);
    default:
      return { id: `${ctx.name}-${hexFrom(8, ctx.urn)}`, state: { ...ctx.inputs } };
  }
}
