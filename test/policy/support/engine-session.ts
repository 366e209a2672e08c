import { AnalyzerResourceOptions } from "@pulumi/pulumi/proto/analyzer_pb";
import { packInfo, policyRegistry } from "../../../policy/registry";
import { reconcile } from "../../../src/offline/audit/config";
import type { PolicyConfig } from "../../../src/offline/audit";
import type { EngineRequests } from "./engine-requests";
import type { Diagnostic, PackServer } from "./pack-server";

/** Configure, as the engine does with the stack's policy config (levels and properties per policy). */
export async function configurePack(server: PackServer, given: ReadonlyMap<string, PolicyConfig>): Promise<void> {
  const reconciled = reconcile(policyRegistry, given, "test");
  await server.configure(
    new Map(
      policyRegistry.map((p) => {
        const c = reconciled.policies.get(p.policy.name);
        return [p.policy.name, { enforcementLevel: c?.enforcementLevel ?? p.policy.enforcementLevel ?? packInfo.enforcementLevel, properties: { ...(c?.properties ?? {}) } }] as const;
      }),
    ),
  );
}

/** Every live resource through Analyze, then the stack through AnalyzeStack, as `pulumi up` does. */
export async function servePack(server: PackServer, requests: EngineRequests, strip: boolean = false): Promise<Diagnostic[]> {
  const served: Diagnostic[] = [];
  for (const state of requests.live) {
    const req = requests.analyze(state);
    if (strip) {
      // What this harness used to send: the parent only, no other option, no provider.
      req.setOptions(new AnalyzerResourceOptions().setParent(req.getOptions()?.getParent() ?? ""));
      req.clearProvider();
    }
    served.push(...(await server.analyze(req)));
  }
  const stack = requests.analyzeStack();
  if (strip) {
    for (const r of stack) {
      r.setOptions(new AnalyzerResourceOptions());
      r.clearProvider();
    }
  }
  served.push(...(await server.analyzeStack(stack)));
  return served;
}
