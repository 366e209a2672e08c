import * as fs from "node:fs";
import * as path from "node:path";

/**
 * What a torn-down lab leaves behind (machines stopped, roots unmounted, loop devices detached): its logs
 * (`*.log`: consoles, daemons, the AWS stand-ins' requests), for a failure's post-mortem. The machines'
 * root overlays and volume images go: gigabytes per lab (the prod boot lab held 9 GB). The next run of the
 * lab clears the logs too. A directory on another filesystem (a mount that teardown could not remove) is
 * left untouched: what lies under it may not be the lab's.
 */
export function pruneToLogs(dir: string): void {
  if (!fs.existsSync(dir)) return;
  const device = fs.statSync(dir).dev;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const entryPath = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (fs.statSync(entryPath).dev !== device) continue;
      pruneToLogs(entryPath);
      if (fs.readdirSync(entryPath).length === 0) fs.rmdirSync(entryPath);
    } else if (!entry.name.endsWith(".log")) {
      fs.rmSync(entryPath, { force: true });
    }
  }
}
