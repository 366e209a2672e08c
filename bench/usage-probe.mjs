/**
 * Loaded with `--import` into a measured child process: at exit it writes the process's own peak
 * resident memory and CPU time to $BENCH_USAGE_FILE (no dependency on GNU time being installed).
 * Plain JavaScript, so the measured process runs exactly what its npm script runs (no TypeScript loader).
 */
import * as fs from "node:fs";
import process from "node:process";

const file = process.env.BENCH_USAGE_FILE;
if (file !== undefined && file !== "") {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    fs.writeFileSync(file, JSON.stringify({ maxRssKiB: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
  });
}
