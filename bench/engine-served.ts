import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { stackPolicyConfig, stackPolicyConfigFile, type PolicyConfig } from "../src/offline/audit";
import { readSnapshot } from "../src/offline/snapshot/reader";
import { EngineRequests } from "../test/policy/support/engine-requests";
import { configurePack, servePack } from "../test/policy/support/engine-session";
import { PackServer } from "../test/policy/support/pack-server";
import { comparable } from "../test/policy/support/verdicts";
import { measure, type Measurement } from "./measure";

/**
 * One stack's synth snapshot judged twice: by `npm run audit` (offline), and by the policy pack started
 * as the Pulumi CLI starts it (`run-policy-pack`, TypeScript through the SDK's ts-node) and driven over
 * gRPC with the engine's own Analyze/AnalyzeStack requests for every resource (test/policy/support).
 * Both sides are timed from start to verdict; the pack's CPU and memory are its own process's.
 */
export interface EngineServedComparison {
  readonly resources: number;
  readonly offline: Measurement;
  readonly served: Measurement;
  readonly identical: boolean;
  /** Verdicts on either side only (empty when identical). */
  readonly differences: string[];
}

interface AuditJson {
  violations: { policy: string; level: "advisory" | "mandatory"; urn?: string; message: string; finding?: string }[];
}

export async function compareEngineServed(stack: string, scratch: string): Promise<EngineServedComparison> {
  const out = path.join(scratch, "synth");
  measure(["synth", "--stack", stack, "--out", out]);
  const snapshotFile = path.join(out, "stack.json");
  const report = path.join(scratch, "offline-audit.json");
  const offline = measure(["audit", "--input", snapshotFile, "--config", stackPolicyConfigFile(stack), "--format", "json", "--out", report]);
  const offlineVerdicts = (JSON.parse(fs.readFileSync(report, "utf8")) as AuditJson).violations.map((v) => comparable(v)).sort();

  const snapshot = readSnapshot(snapshotFile);
  const started = performance.now();
  const server = await PackServer.start();
  let usage: { cpuMs: number; peakRssMiB: number };
  let servedVerdicts: string[];
  try {
    await configurePack(server, stackPolicyConfig(stack) ?? new Map<string, PolicyConfig>());
    servedVerdicts = (await servePack(server, new EngineRequests(snapshot))).map((d) => comparable(d)).sort();
    usage = server.usage();
  } finally {
    server.stop();
  }
  const served: Measurement = { wallMs: performance.now() - started, cpuMs: usage.cpuMs, maxRssMiB: usage.peakRssMiB };
  const offlineSet = new Set(offlineVerdicts);
  const servedSet = new Set(servedVerdicts);
  const differences = [...offlineVerdicts.filter((v) => !servedSet.has(v)).map((v) => `offline only: ${v}`), ...servedVerdicts.filter((v) => !offlineSet.has(v)).map((v) => `served only: ${v}`)];
  const identical = JSON.stringify(offlineVerdicts) === JSON.stringify(servedVerdicts);
  return { resources: snapshot.deployment.resources.length, offline, served, identical, differences };
}
