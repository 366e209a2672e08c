import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../../config/errors";
import { InputError } from "../../config/input-error";
import { readYamlFile } from "../../config/yaml-reader";

/** What the offline engine needs from `Pulumi.yaml`. */
export interface ProjectFile {
  readonly root: string;
  readonly name: string;
  /** Absolute path of the program's entry module. */
  readonly main: string;
  /** Project-level config (`config:` in Pulumi.yaml): defaults every stack inherits. */
  readonly config: Readonly<Record<string, unknown>>;
}

const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Through the one bounded reader; its one-line error names the file relative to the project. */
function loadYaml(file: string, onError: (line: string) => Error): unknown {
  try {
    return readYamlFile(file);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    throw onError(`${path.basename(file)}: ${err.problem}`);
  }
}

function resolveEntry(root: string, main: string | undefined): string {
  const target = path.resolve(root, main ?? ".");
  const candidates = fs.existsSync(target) && fs.statSync(target).isDirectory()
    ? [path.join(target, "index.ts"), path.join(target, "index.js")]
    : [target];
  const found = candidates.find((c) => fs.existsSync(c));
  if (found === undefined) throw new InputError(path.join(root, "Pulumi.yaml"), `main: the program's entry ${candidates.join(" or ")} does not exist`);
  return found;
}

export function readProject(root: string): ProjectFile {
  const file = path.join(root, "Pulumi.yaml");
  if (!fs.existsSync(file)) throw new InputError(root, "no Pulumi.yaml here: not a Pulumi project; allowed: --project <the directory of Pulumi.yaml>");
  const doc = loadYaml(file, (line) => new InputError(file, line.slice(path.basename(file).length + 2)));
  if (!isRecord(doc) || typeof doc.name !== "string" || doc.name === "") {
    throw new InputError(file, `name: the project name is missing`);
  }
  return {
    root,
    name: doc.name,
    main: resolveEntry(root, typeof doc.main === "string" ? doc.main : undefined),
    config: isRecord(doc.config) ? doc.config : {},
  };
}

/** Stacks that have a `Pulumi.<stack>.yaml` next to `Pulumi.yaml`, sorted. */
export function listStacks(root: string): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** The `config:` map of `Pulumi.<stack>.yaml`. A missing or unreadable stack file is a config error. */
export function readStackConfig(root: string, stack: string): Record<string, unknown> {
  const known = listStacks(root);
  const allowed = `allowed: ${known.length > 0 ? known.join(", ") : "(no Pulumi.<stack>.yaml in the project)"}`;
  if (!STACK_NAME.test(stack)) {
    throw new ConfigError([`stack "${stack}": not a stack name (letters, digits, ".", "_", "-"); ${allowed}`]);
  }
  const file = ["yaml", "yml"].map((ext) => path.join(root, `Pulumi.${stack}.${ext}`)).find((f) => fs.existsSync(f));
  if (file === undefined) {
    throw new ConfigError([`stack "${stack}": no Pulumi.${stack}.yaml in ${root}; ${allowed}`]);
  }
  const doc = loadYaml(file, (line) => new ConfigError([`stack "${stack}": ${line}`]));
  if (doc === null || doc === undefined) return {};
  if (!isRecord(doc)) throw new ConfigError([`stack "${stack}": ${path.basename(file)}: expected a mapping with a "config:" key`]);
  const config = doc.config ?? {};
  if (!isRecord(config)) throw new ConfigError([`stack "${stack}": ${path.basename(file)}: "config" must be a mapping of keys to values`]);
  return config;
}
