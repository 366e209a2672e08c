import * as fs from "node:fs";
import * as path from "node:path";
import type { HostFile } from "../../../src/offline/host-files";
import { must, run } from "./netns";
import { materialize } from "./shipped";

/**
 * A root holding a host's shipped files over an installed Debian 12 system (by default this machine's
 * own root, which has the daemons the hosts install: Squid, PostgreSQL 15, pgBackRest): an overlay
 * whose upper layer holds the files, so the lower system is never written.
 */
export interface OverlayRoot {
  readonly root: string;
  unmount(): void;
}

export function overlayRoot(dir: string, files: readonly HostFile[], lower = "/"): OverlayRoot {
  fs.rmSync(dir, { recursive: true, force: true });
  const upper = path.join(dir, "upper");
  const work = path.join(dir, "work");
  const root = path.join(dir, "root");
  for (const d of [upper, work, root]) fs.mkdirSync(d, { recursive: true });
  materialize(files, upper, { chown: true });
  must("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${lower},upperdir=${upper},workdir=${work}`, root]);
  return {
    root,
    unmount() {
      if (run("mountpoint", ["-q", root]).status === 0) run("umount", ["-l", root]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One record per path (user-data and its SSM copy write the same file); throws if two records of one host disagree. */
export function filesOfHost(files: readonly HostFile[]): HostFile[] {
  const byPath = new Map<string, HostFile>();
  for (const f of files) {
    if (f.kind !== "file") continue;
    const seen = byPath.get(f.path);
    if (seen !== undefined && seen.content !== f.content) throw new Error(`${f.host}: ${f.path} differs between ${seen.source.via.join(" > ")} and ${f.source.via.join(" > ")}`);
    byPath.set(f.path, seen ?? f);
  }
  return [...byPath.values()];
}
