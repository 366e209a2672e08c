/**
 * `npm run preflight -- --stack <name> [--format text|json] [--region <region>] [--project <dir>] [--verbose]`
 *
 * Read-only checks of the real account before `pulumi up`: validates the stack config (the same
 * one-line errors as synth and the program), asks STS who the caller is, evaluates the program offline
 * for what it will create, then runs every check in src/preflight/checks/.
 *
 * Exit codes: 0 no findings; 1 findings; 2 bad arguments, bad configuration or no usable credentials
 * (one line, no stack trace); 3 internal fault (a bug or an unexpected AWS answer; --verbose shows the trace).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { validatePlatformConfig } from "../config/validate";
import { readProject, readStackConfig } from "../offline/engine/project";
import { toPulumiConfig } from "../offline/engine/stack-config";
import { synthesize } from "../offline/engine/synthesize";
import { ask } from "./ask";
import { errorName, isCredentialsError } from "./aws-errors";
import { CHECKS } from "./checks";
import { type AwsClients, createClients } from "./clients";
import { type DnsLookup, systemDns } from "./dns-lookup";
import { preflightFacts } from "./facts";
import { renderReport, type ReportFormat } from "./report";
import { runChecks } from "./runner";
import { repositoryRoot } from "../conventions/repository-root";
import { buildIsCurrent } from "../offline/cli/build-freshness";

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_FAULT = 3;

const USAGE = "usage: npm run preflight -- --stack <name> [--format text|json] [--region <region>] [--project <dir>] [--verbose]";
const DEFAULT_PROJECT_ROOT = repositoryRoot(__dirname);
const DRILL_SCRIPT = "scripts/restore-drill.sh";

/** What tests (and only tests) replace: the AWS clients, DNS, the clock and where output goes. */
export interface PreflightDeps {
  readonly clients?: (region: string) => AwsClients;
  readonly dns?: DnsLookup;
  readonly now?: Date;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
}

class UsageError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join("\n"));
    this.name = "UsageError";
  }
}

function configLines(err: unknown): string[] | undefined {
  if (!(err instanceof Error) || err.name !== "ConfigError") return undefined;
  const lines = (err as { lines?: unknown }).lines;
  return Array.isArray(lines) && lines.every((l) => typeof l === "string") ? lines : undefined;
}

/** The instance type the restore drill launches: the script's own default, read from the script. */
function restoreDrillInstanceType(root: string): string {
  const text = fs.readFileSync(path.join(root, DRILL_SCRIPT), "utf8");
  const type = /\bINSTANCE_TYPE=([a-z0-9]+\.[a-z0-9]+)\b/.exec(text)?.[1];
  if (type === undefined) throw new Error(`${DRILL_SCRIPT} sets no default INSTANCE_TYPE; preflight counts the drill's instance from it`);
  return type;
}

interface Options {
  stack: string;
  format: ReportFormat;
  region?: string;
  project: string;
  verbose: boolean;
}

function parse(argv: string[]): Options | "help" {
  let values: { stack?: string; format?: string; region?: string; project?: string; verbose?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stack: { type: "string", short: "s" },
        format: { type: "string", short: "f" },
        region: { type: "string" },
        project: { type: "string" },
        verbose: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError([`preflight: ${(err as Error).message}`, USAGE]);
  }
  if (values.help === true) return "help";
  if (values.stack === undefined || values.stack === "") throw new UsageError(["preflight: --stack is required", USAGE]);
  const format = values.format ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError([`preflight: --format ${format}: allowed: text, json`]);
  if (values.region !== undefined && !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(values.region)) {
    throw new UsageError([`preflight: --region ${values.region}: allowed: an AWS region name such as eu-central-1`]);
  }
  return { stack: values.stack, format, region: values.region, project: path.resolve(values.project ?? DEFAULT_PROJECT_ROOT), verbose: values.verbose === true };
}

async function preflight(options: Options, deps: PreflightDeps, out: (t: string) => void): Promise<number> {
  const project = readProject(options.project);
  const stackConfig = readStackConfig(options.project, options.stack);
  const config = toPulumiConfig({ project: project.name, stack: options.stack, projectConfig: project.config, stackConfig });
  const catalogFile = config.values[`${project.name}:catalogFile`] ?? "src/config/catalog.yaml";
  const catalogPath = path.resolve(options.project, catalogFile);
  const platform = validatePlatformConfig({
    stack: options.stack,
    config: config.values,
    secretKeys: new Set(config.secretKeys),
    catalogFile,
    catalogText: fs.existsSync(catalogPath) ? fs.readFileSync(catalogPath, "utf8") : undefined,
    now: deps.now ?? new Date(),
  });

  const clients = (deps.clients ?? createClients)(platform.aws.region);
  const whoAmI = new GetCallerIdentityCommand({});
  let accountId: string;
  try {
    const identity = await ask(clients.sts, whoAmI, () => clients.sts.send(whoAmI));
    if (identity.Account === undefined) throw new Error("sts:GetCallerIdentity returned no account");
    accountId = identity.Account;
  } catch (err) {
    if (isCredentialsError(err)) {
      const reason = ((err as Error).message ?? "").split("\n")[0];
      throw new UsageError([`preflight: stack "${options.stack}": no usable AWS credentials (${errorName(err)}: ${reason}); log in (e.g. aws sso login, or the deploy role) and run again`]);
    }
    throw err;
  }

  // The program names things after the account it deploys to (bucket names carry the account id).
  const allowed = platform.aws.allowedAccountIds ?? [];
  const overrides = allowed.includes(accountId) ? { "aws:allowedAccountIds": JSON.stringify([accountId]) } : undefined;
  const { snapshot } = await synthesize({ stack: options.stack, projectRoot: options.project, configOverrides: overrides });
  const facts = preflightFacts({ platform, snapshot, requestedRegion: options.region, restoreDrillInstanceType: restoreDrillInstanceType(options.project) });

  const findings = await runChecks(facts, { clients, dns: deps.dns ?? systemDns(), accountId, now: deps.now ?? new Date() });
  out(renderReport({ stack: options.stack, accountId, region: facts.region, checks: CHECKS.map((c) => c.name), findings }, options.format));
  return findings.length === 0 ? EXIT_OK : EXIT_FINDINGS;
}

export async function runPreflight(argv: string[], deps: PreflightDeps = {}): Promise<number> {
  const out = deps.stdout ?? ((t: string) => process.stdout.write(t));
  const err = deps.stderr ?? ((t: string) => process.stderr.write(t));
  let options: Options | "help";
  try {
    options = parse(argv);
  } catch (e) {
    err(`${(e as UsageError).lines.join("\n")}\n`);
    return EXIT_USAGE;
  }
  if (options === "help") {
    out(`${USAGE}\n`);
    return EXIT_OK;
  }
  try {
    return await preflight(options, deps, out);
  } catch (e) {
    const lines = e instanceof UsageError ? e.lines : configLines(e);
    if (lines !== undefined) {
      err(`${lines.join("\n")}\n`);
      return EXIT_USAGE;
    }
    const error = e instanceof Error ? e : new Error(String(e));
    err(`preflight: stack "${options.stack}": internal fault: ${error.name === "Error" ? "" : `${error.name}: `}${error.message.split("\n")[0]}\n`);
    if (options.verbose && error.stack !== undefined) err(`${error.stack}\n`);
    return EXIT_FAULT;
  }
}

if (require.main === module && buildIsCurrent("preflight", __filename)) {
  runPreflight(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`preflight: internal fault: ${(e as Error).message}\n`);
      process.exitCode = EXIT_FAULT;
    },
  );
}
