import { execFileSync } from "node:child_process";

/**
 * The git revision of the inputs a report judges, for its first line: `--commit` when given (CI passes
 * the commit it checked out), else the HEAD of the checkout holding the inputs, marked `+dirty` when
 * tracked files differ from it (untracked output such as out/ does not count). The same checkout gives
 * the same text, so reports stay deterministic. "unknown" outside a git checkout or without git.
 */
export function detectCommit(directory: string): string {
  const git = (...args: string[]): string | undefined => {
    try {
      return execFileSync("git", ["-C", directory, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 }).trim();
    } catch {
      return undefined;
    }
  };
  const head = git("rev-parse", "--verify", "HEAD");
  if (head === undefined || !/^[0-9a-f]{40,64}$/.test(head)) return "unknown";
  const status = git("status", "--porcelain", "--untracked-files=no");
  return status === undefined || status === "" ? head : `${head}+dirty`;
}

/** A `--commit` value: a full or abbreviated hex revision (optionally `+dirty`); anything else is refused. */
export function checkCommit(value: string): string | undefined {
  return /^[0-9a-f]{7,64}(\+dirty)?$/.test(value) ? undefined : `--commit "${value}" is not a git revision: allowed: 7 to 64 lowercase hex digits (e.g. the output of git rev-parse HEAD)`;
}
