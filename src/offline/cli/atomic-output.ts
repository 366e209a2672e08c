import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { maskSecrets } from "../redaction/secrets";

/**
 * Output that is either complete or not there: every command writes into a temporary file or directory
 * beside its target (same directory, so the same file system) and renames it into place only when
 * everything succeeded. On failure, SIGINT or SIGTERM the temporary is removed and the previous output
 * stays as it was. A directory is replaced by two renames (the old one aside, the new one in), then the
 * old one is removed; between the two an interrupt leaves the old output beside the target, never a mix.
 */

/** An `--out` that cannot or must not be written; one line naming it. */
export class OutputTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputTargetError";
  }
}

/** Temporaries of this process, removed if it is interrupted. */
const temporaries = new Set<string>();
let handlersInstalled = false;

function removeTemporaries(): void {
  for (const p of temporaries) fs.rmSync(p, { recursive: true, force: true });
  temporaries.clear();
}

/** On SIGINT/SIGTERM: remove the temporaries, then exit as the signal would have (128 + its number). */
function installInterruptCleanup(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.once(signal, () => {
      removeTemporaries();
      process.exit(code);
    });
  }
}

function temporaryBeside(target: string, kind: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${kind}-${process.pid}-${randomBytes(4).toString("hex")}`);
}

/** Writes `content` (secrets masked) to `target` through a temporary file in the same directory and a rename. */
export function writeFileAtomically(target: string, content: string): void {
  installInterruptCleanup();
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temporary = temporaryBeside(target, "tmp");
  temporaries.add(temporary);
  try {
    fs.writeFileSync(temporary, maskSecrets(content), { flag: "wx", mode: 0o644 });
    fs.renameSync(temporary, target);
  } finally {
    fs.rmSync(temporary, { force: true });
    temporaries.delete(temporary);
  }
}

/** Masks secrets in every file under `dir` except those `keep` names (relative paths). */
export function maskDirectory(dir: string, keep: ReadonlySet<string>): void {
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (keep.has(path.relative(dir, file))) continue;
    const text = fs.readFileSync(file, "utf8");
    const masked = maskSecrets(text);
    if (masked !== text) fs.writeFileSync(file, masked);
  }
}

/**
 * Runs `build` with an empty staging directory beside `target`; when it resolves, the staging directory
 * replaces `target`. When it throws, `target` is untouched and the staging directory is gone.
 */
export async function withStagedDirectory<T>(target: string, build: (staging: string) => Promise<T>): Promise<T> {
  installInterruptCleanup();
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = temporaryBeside(target, "staging");
  temporaries.add(staging);
  try {
    fs.mkdirSync(staging, { mode: 0o755 });
    const result = await build(staging);
    // A SIGINT/SIGTERM that arrived while `build` ran synchronously is only delivered on an event-loop
    // turn: take one before committing, so an interrupt leaves the previous output instead of replacing it.
    await new Promise((resolve) => setImmediate(resolve));
    const previous = temporaryBeside(target, "previous");
    const hadPrevious = fs.existsSync(target);
    if (hadPrevious) {
      temporaries.delete(staging);
      fs.renameSync(target, previous);
    }
    try {
      fs.renameSync(staging, target);
    } catch (err) {
      if (hadPrevious) fs.renameSync(previous, target);
      throw err;
    }
    if (hadPrevious) fs.rmSync(previous, { recursive: true, force: true });
    return result;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    temporaries.delete(staging);
  }
}

/** File systems that are not places for output (reading or writing them can block or mean something else). */
const SPECIAL_ROOTS = ["/proc", "/sys", "/dev"];
/** statfs magic numbers of procfs, sysfs, cgroup2 and debugfs. */
const SPECIAL_FS_TYPES = new Set([0x9fa0, 0x62656572, 0x63677270, 0x64626720]);

function nearestExisting(p: string): string {
  let current = p;
  while (!fs.existsSync(current)) {
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

/** The absolute path `p` will have once its existing part is resolved through symlinks. */
function realTarget(p: string): string {
  const absolute = path.resolve(p);
  const existing = nearestExisting(absolute);
  return path.join(fs.realpathSync(existing), path.relative(existing, absolute));
}

function isWithin(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/**
 * Refuses an `--out` before any work is done: under /proc, /sys or /dev; an existing target of the wrong
 * kind (a FIFO, a device, a directory where a file goes); a parent that is not a writable directory; and
 * any target that is, or (for a directory) contains, one of the command's inputs.
 */
export function checkOutputTarget(option: string, target: string, kind: "file" | "directory", inputs: readonly string[]): void {
  const fail = (why: string): never => {
    throw new OutputTargetError(`${option} ${target}: ${why}`);
  };
  const real = realTarget(target);
  if (SPECIAL_ROOTS.some((root) => isWithin(real, root))) fail(`is under ${SPECIAL_ROOTS.find((root) => isWithin(real, root))}; allowed: a path on an ordinary file system`);
  const existing = nearestExisting(real);
  if (SPECIAL_FS_TYPES.has(fs.statfsSync(existing).type)) fail("is on a kernel file system (proc, sys, cgroup); allowed: a path on an ordinary file system");
  if (existing === real) {
    const stat = fs.statSync(real);
    if (kind === "file" && !stat.isFile()) fail(`exists and is not a regular file; allowed: a file path (it is replaced)`);
    if (kind === "directory" && !stat.isDirectory()) fail(`exists and is not a directory; allowed: a directory path (it is replaced)`);
  } else {
    if (!fs.statSync(existing).isDirectory()) fail(`${existing} is not a directory`);
  }
  const parent = existing === real ? path.dirname(real) : existing;
  try {
    fs.accessSync(parent, fs.constants.W_OK);
  } catch {
    fail(`${parent} is not writable`);
  }
  for (const input of inputs) {
    if (!fs.existsSync(input)) continue;
    const realInput = fs.realpathSync(input);
    if (realInput === real || (kind === "directory" && isWithin(realInput, real))) {
      fail(`${realInput === real ? "is" : "contains"} an input of this command (${input}); allowed: a path that is not an input`);
    }
    if (existing === real && kind === "file") {
      const a = fs.statSync(real);
      const b = fs.statSync(realInput);
      if (a.dev === b.dev && a.ino === b.ino) fail(`is the same file as the input ${input}; allowed: a path that is not an input`);
    }
  }
}
