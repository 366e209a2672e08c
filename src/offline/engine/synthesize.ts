import "./defer-closure-modules";
import * as fs from "node:fs";
import * as path from "node:path";
import { format } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import type { StackExport } from "../snapshot/types";
import { buildSnapshot } from "./build";
import { assertNoPlaintextSecrets } from "./leak-guard";
import { createMocks } from "./mocks";
import { instrumentMonitor } from "./monitor";
import { enableTypeScript, programEntry } from "./program-entry";
import { readProject, readStackConfig } from "./project";
import { mapStacksWhileRunning } from "./source-mapped-stacks";
import { Recorder } from "./recorder";
import { toPulumiConfig } from "./stack-config";

export interface SynthOptions {
  /** The stack to evaluate: `Pulumi.<stack>.yaml` next to `Pulumi.yaml` supplies its config. */
  readonly stack: string;
  /** The directory holding `Pulumi.yaml`. */
  readonly projectRoot: string;
  /** A service catalog to use instead of the stack's `<project>:catalogFile` (resolved from the cwd). */
  readonly catalogFile?: string;
  /** Further config over the stack file: `key` (project namespace) or `namespace:key` → string. */
  readonly configOverrides?: Readonly<Record<string, string>>;
  /** Keep full stack traces during the run (`--verbose`): slower, for debugging the program. */
  readonly stackTraces?: boolean;
}

export interface SynthResult {
  readonly project: string;
  readonly stack: string;
  readonly snapshot: StackExport;
  /** Warnings of the run: the program's and the SDK's (`pulumi.log.warn`), and the engine's own. */
  readonly warnings: string[];
}

/** The program ran but failed (resource errors, leaked secrets): not a configuration mistake. */
export class SynthError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(details.length === 0 ? message : `${message}:\n${details.map((d) => `  ${d}`).join("\n")}`);
    this.name = "SynthError";
  }
}

function sdkVersion(): string {
  const file = require.resolve("@pulumi/pulumi/package.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

/** As the Node.js language host does: a module exporting a function is called for the stack outputs. */
async function runEntry(main: string): Promise<Record<string, unknown> | undefined> {
  const entry = programEntry(main);
  const unregister = entry.typescript ? enableTypeScript() : undefined;
  try {
    const mod = (await import(entry.file)) as unknown;
    const candidate = typeof mod === "function" ? mod : (mod as { default?: unknown }).default ?? mod;
    const outputs = typeof candidate === "function" ? await (candidate as () => unknown)() : candidate;
    return typeof outputs === "object" && outputs !== null ? (outputs as Record<string, unknown>) : undefined;
  } finally {
    unregister?.();
  }
}

/** Without an engine, the SDK prints its log to the console; collect warnings and errors instead. */
function captureRuntimeLog(recorder: Recorder, errors: string[]): () => void {
  const original = { warn: console.warn, error: console.error };
  console.warn = (...args: unknown[]) => {
    const text = format(...args);
    if (text.startsWith("warning: [runtime] ")) recorder.warn(text.slice("warning: [runtime] ".length));
    else original.warn(...args);
  };
  console.error = (...args: unknown[]) => {
    const text = format(...args);
    if (text.startsWith("error: [runtime] ")) errors.push(text.slice("error: [runtime] ".length));
    else original.error(...args);
  };
  return () => {
    console.warn = original.warn;
    console.error = original.error;
  };
}

let running = false;

/**
 * Runs the real program for one stack under Pulumi's mock runtime and returns the stack as
 * `pulumi stack export` would show it after an update. Throws the program's ConfigError (one line per
 * problem) for bad configuration, SynthError when the program fails otherwise.
 *
 * Pulumi's runtime is process-global: runs in one process happen one after another, never at once.
 */
export async function synthesize(options: SynthOptions): Promise<SynthResult> {
  if (running) throw new Error("synthesize: another synthesis is running in this process (the Pulumi runtime is process-global)");
  running = true;
  try {
    return await synthesizeOnce(options);
  } finally {
    running = false;
  }
}

async function synthesizeOnce(options: SynthOptions): Promise<SynthResult> {
  const root = path.resolve(options.projectRoot);
  const project = readProject(root);
  const stackConfig = readStackConfig(root, options.stack);
  const overrides: Record<string, string> = { ...options.configOverrides };
  if (options.catalogFile !== undefined) overrides[`${project.name}:catalogFile`] = path.resolve(options.catalogFile);
  const config = toPulumiConfig({ project: project.name, stack: options.stack, projectConfig: project.config, stackConfig, overrides });

  const recorder = new Recorder(project.name, options.stack, root);
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);
  // The CLI hands the secret keys to the language host in this variable; programs read it from there.
  process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(config.secretKeys);
  await pulumi.runtime.setMocks(createMocks(recorder, config), project.name, options.stack, false, "organization");
  instrumentMonitor(pulumi.runtime.getMonitor(), recorder);

  const logErrors: string[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  const restoreLog = captureRuntimeLog(recorder, logErrors);
  process.on("unhandledRejection", onUnhandled);
  // The SDK records a stack trace for every promise it creates; formatting those through the source
  // maps would cost most of a run. With no frames to format they cost nothing, while the SDK lifts the
  // limit itself for the one trace per resource that gives the engine its `sourcePosition` (the
  // program's TypeScript line, mapped through the source maps: source-mapped-stacks.ts).
  const traceLimit = Error.stackTraceLimit;
  if (options.stackTraces !== true) Error.stackTraceLimit = 0;
  const unmapStacks = mapStacksWhileRunning();
  // The program's own exception is caught inside the stack's init, so the SDK's promises never reject
  // with it (no stray unhandled rejection); it is rethrown once the runtime has settled.
  let programError: { error: unknown } | undefined;
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      try {
        return await runEntry(project.main);
      } catch (error) {
        // Its stack is written when first read: now, while frames are still mapped.
        if (error instanceof Error) void error.stack;
        programError = { error };
        return undefined;
      }
    });
  } finally {
    // Let every registration still in flight finish before anything is read (or the next run starts).
    await pulumi.runtime.disconnect().catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    process.off("unhandledRejection", onUnhandled);
    Error.stackTraceLimit = traceLimit;
    unmapStacks();
    restoreLog();
  }
  if (programError !== undefined) throw programError.error;

  const reasons = unhandled.map((r) => (r instanceof Error ? r.message : String(r)));
  const problems = [...new Set([...recorder.errors, ...logErrors, ...reasons])];
  if (problems.length > 0 || pulumi.log.hasErrors()) {
    throw new SynthError(`the program failed for stack "${options.stack}"`, problems);
  }
  const { snapshot, plaintexts } = buildSnapshot({ recorder, config, engineVersion: sdkVersion() });
  assertNoPlaintextSecrets(snapshot, plaintexts);
  return { project: project.name, stack: options.stack, snapshot, warnings: [...recorder.warnings] };
}
