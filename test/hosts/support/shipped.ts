import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthesize } from "../../../src/offline/engine/synthesize";
import { type HostFile, type HostFileInventory, hostFileInventory } from "../../../src/offline/host-files";
import type { StackExport } from "../../../src/offline/snapshot/types";
import { programDigest, ROOT } from "./program-digest";

/**
 * What the program ships to its hosts, for the host tests: the stack synthesised by the offline engine
 * (the real program under Pulumi's mock runtime), its host files read out of the snapshot by the
 * inventory. Tests build their labs from these records, never from renderer calls.
 *
 * Synthesis takes a while, so snapshots are cached under the system temp directory, keyed by the
 * program digest, the stack and the config overrides: every test file of one run (and the next run,
 * when nothing changed) reuses them.
 */
export type ShippedStackName = "dev" | "prod";

export interface ShippedOptions {
  /** Config over the stack file, as `synthesize` takes it (e.g. lab egress exceptions). */
  readonly configOverrides?: Readonly<Record<string, string>>;
}

export interface ShippedStack {
  readonly stack: ShippedStackName;
  readonly snapshot: StackExport;
  readonly inventory: HostFileInventory;
  /** The program digest the snapshot was made from (coverage records carry it). */
  readonly digest: string;
  /** A short label of the overrides, empty for the committed config. */
  readonly variant: string;
}

export const CACHE_DIR = path.join(os.tmpdir(), "fitness-shipped");

function cacheFile(stack: string, digest: string, overrides: Readonly<Record<string, string>>): string {
  const key = createHash("sha256")
    .update(JSON.stringify([stack, digest, Object.entries(overrides).sort(([a], [b]) => (a < b ? -1 : 1))]))
    .digest("hex")
    .slice(0, 32);
  return path.join(CACHE_DIR, `${stack}-${key}.json`);
}

const memo = new Map<string, Promise<ShippedStack>>();
/** The Pulumi runtime is process-global: syntheses in one process run one after another. */
let queue: Promise<unknown> = Promise.resolve();

async function load(stack: ShippedStackName, overrides: Readonly<Record<string, string>>): Promise<ShippedStack> {
  const digest = programDigest();
  const file = cacheFile(stack, digest, overrides);
  const variant = Object.keys(overrides).sort().join("+");
  let snapshot: StackExport;
  if (fs.existsSync(file)) {
    snapshot = JSON.parse(fs.readFileSync(file, "utf8")) as StackExport;
  } else {
    const run = queue.then(() => synthesize({ stack, projectRoot: ROOT, configOverrides: overrides }));
    queue = run.catch(() => undefined);
    snapshot = (await run).snapshot;
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    // Atomic: a concurrent reader sees the whole file or none.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(snapshot));
    fs.renameSync(tmp, file);
  }
  return { stack, snapshot, inventory: hostFileInventory(snapshot), digest, variant };
}

/** The synthesised stack and its host files (cached). */
export function shippedStack(stack: ShippedStackName, options: ShippedOptions = {}): Promise<ShippedStack> {
  const overrides = options.configOverrides ?? {};
  const key = JSON.stringify([stack, Object.entries(overrides).sort()]);
  let found = memo.get(key);
  if (found === undefined) {
    found = load(stack, overrides);
    memo.set(key, found);
  }
  return found;
}

export interface FileQuery {
  readonly hostRole?: string;
  readonly host?: string;
  readonly kind?: HostFile["kind"];
  /** Only files written directly by this carrier kind (e.g. "user-data"), not their SSM copies. */
  readonly carrier?: HostFile["source"]["carrier"];
}

export function selectFiles(shipped: ShippedStack, query: FileQuery = {}): HostFile[] {
  return shipped.inventory.files.filter(
    (f) =>
      (query.hostRole === undefined || f.hostRole === query.hostRole) &&
      (query.host === undefined || f.host === query.host) &&
      (query.kind === undefined || f.kind === query.kind) &&
      (query.carrier === undefined || f.source.carrier === query.carrier),
  );
}

/** The one record at `path` among `files` (throws when there is none or several different ones). */
export function fileAt(files: readonly HostFile[], filePath: string): HostFile {
  const found = files.filter((f) => f.path === filePath);
  const contents = new Set(found.map((f) => f.content));
  if (found.length === 0) throw new Error(`shipped files: nothing at ${filePath}`);
  if (contents.size > 1) throw new Error(`shipped files: ${filePath} differs between ${found.map((f) => f.host).join(", ")}: narrow the query`);
  return found[0] as HostFile;
}

export interface MaterializeOptions {
  /** chown to the record's owner when the user and group exist on this machine (default false). */
  readonly chown?: boolean;
}

function ids(owner: string): { uid: number; gid: number } | undefined {
  const [user, group] = owner.split(":");
  const lookup = (file: string, name: string | undefined): number | undefined => {
    if (name === undefined) return undefined;
    const line = fs.readFileSync(file, "utf8").split("\n").find((l) => l.split(":")[0] === name);
    return line === undefined ? undefined : Number(line.split(":")[2]);
  };
  const uid = lookup("/etc/passwd", user);
  const gid = lookup("/etc/group", group ?? user);
  return uid === undefined || gid === undefined ? undefined : { uid, gid };
}

/**
 * Writes the `file` records under `root` (root + absolute path) with their modes, as the shipped
 * scripts would; returns the paths written. Bootstrap records are not files and are skipped.
 */
export function materialize(files: readonly HostFile[], root: string, options: MaterializeOptions = {}): string[] {
  const written: string[] = [];
  for (const f of files) {
    if (f.kind !== "file") continue;
    const target = path.join(root, f.path);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    fs.writeFileSync(target, f.content);
    fs.chmodSync(target, parseInt(f.mode, 8));
    if (options.chown === true) {
      const owner = ids(f.owner);
      if (owner !== undefined) fs.chownSync(target, owner.uid, owner.gid);
    }
    written.push(target);
  }
  return written;
}
