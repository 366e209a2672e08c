import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import {
  AnalyzeStackRequest,
  ConfigureAnalyzerRequest,
  type AnalyzeRequest,
  type AnalyzerResource,
  EnforcementLevel as ProtoLevel,
  PolicyConfig as ProtoPolicyConfig,
  type AnalyzeResponse,
  type AnalyzerInfo,
} from "@pulumi/pulumi/proto/analyzer_pb";
import type { EnforcementLevel } from "@pulumi/policy";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";

/**
 * The policy pack as the Pulumi CLI runs it: `policy/` started through the SDK's run-policy-pack
 * entry point (TypeScript compiled by the SDK's ts-node, PolicyPack serving gRPC), driven with the
 * analyzer protocol the engine speaks: configure, then the engine's own Analyze and AnalyzeStack
 * requests (engine-requests.ts builds them from a snapshot as the engine does).
 */
export interface Diagnostic {
  readonly policy: string;
  readonly level: "advisory" | "mandatory" | "other";
  readonly urn: string | undefined;
  /** The engine prefixes the policy description; this is the part after it. */
  readonly message: string;
}

const PACK_DIR = path.resolve(__dirname, "..", "..", "..", "policy");
const LEVELS: Readonly<Record<EnforcementLevel, ProtoLevel>> = {
  advisory: ProtoLevel.ADVISORY,
  mandatory: ProtoLevel.MANDATORY,
  disabled: ProtoLevel.DISABLED,
  remediate: ProtoLevel.REMEDIATE,
};

function struct(value: Record<string, unknown>): Struct {
  return Struct.fromJavaScript(value as Record<string, JavaScriptValue>);
}

function call<Req, Res>(fn: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    fn(req, (err, res) => (err === null ? resolve(res) : reject(err)));
  });
}

export class PackServer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: AnalyzerClient,
    private readonly descriptions: Map<string, string>,
  ) {}

  static async start(): Promise<PackServer> {
    const entry = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
    const child = spawn(process.execPath, [entry, "127.0.0.1:0", "."], { cwd: PACK_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout?.once("data", (d: Buffer) => resolve(d.toString().trim()));
      child.once("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${stderr.slice(0, 2000)}`)));
    });
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const server = new PackServer(child, client, new Map());
    for (const p of (await server.info()).getPoliciesList()) server.descriptions.set(p.getName(), p.getDescription());
    return server;
  }

  info(): Promise<AnalyzerInfo> {
    return call(this.client.getAnalyzerInfo.bind(this.client), new Empty());
  }

  async configure(config: ReadonlyMap<string, { readonly enforcementLevel: EnforcementLevel; readonly properties: Record<string, unknown> }>): Promise<void> {
    const req = new ConfigureAnalyzerRequest();
    for (const [name, c] of config) {
      const pc = new ProtoPolicyConfig();
      pc.setEnforcementlevel(LEVELS[c.enforcementLevel]);
      pc.setProperties(struct(c.properties));
      req.getPolicyconfigMap().set(name, pc);
    }
    await call(this.client.configure.bind(this.client), req);
  }

  /** Analyze, with a request built as the engine builds it (engine-requests.ts). */
  async analyze(req: AnalyzeRequest): Promise<Diagnostic[]> {
    return this.diagnostics(await call(this.client.analyze.bind(this.client), req), req.getUrn());
  }

  /** AnalyzeStack, with the resources built as the engine builds them (engine-requests.ts). */
  async analyzeStack(resources: AnalyzerResource[]): Promise<Diagnostic[]> {
    const req = new AnalyzeStackRequest();
    req.setResourcesList(resources);
    return this.diagnostics(await call(this.client.analyzeStack.bind(this.client), req), undefined);
  }

  /**
   * CPU time and peak resident memory of the pack's process so far (Linux /proc; for the benchmark,
   * which measures the pack as the engine runs it, apart from whoever sends the requests).
   */
  usage(): { cpuMs: number; peakRssMiB: number } {
    const pid = this.child.pid as number;
    // /proc/<pid>/stat: utime and stime are fields 14 and 15, in clock ticks (100 per second on Linux).
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return { cpuMs: ticks * 10, peakRssMiB: Number(hwm) / 1024 };
  }

  stop(): void {
    this.client.close();
    this.child.kill();
  }

  private diagnostics(response: AnalyzeResponse, urn: string | undefined): Diagnostic[] {
    return response.getDiagnosticsList().map((d) => {
      const description = this.descriptions.get(d.getPolicyname()) ?? "";
      const raw = d.getMessage();
      const level = d.getEnforcementlevel();
      return {
        policy: d.getPolicyname(),
        level: level === ProtoLevel.MANDATORY ? "mandatory" : level === ProtoLevel.ADVISORY ? "advisory" : "other",
        urn: d.getUrn() === "" ? urn : d.getUrn(),
        message: raw.startsWith(`${description}\n`) ? raw.slice(description.length + 1) : raw,
      };
    });
  }
}
