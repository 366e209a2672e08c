import { spawn } from "node:child_process";
import * as fs from "node:fs";

/**
 * The lowest memory the kernel reported available (MemAvailable) while a lab ran, sampled every second
 * by a shell of its own: the test's event loop is blocked for long stretches by synchronous commands,
 * so a timer in this process would miss the peak.
 */
export interface MemoryWatch {
  stop(): { readonly lowestAvailableMiB: number; readonly totalMiB: number };
}

const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(fs.readFileSync("/proc/meminfo", "utf8"))?.[1] ?? 0);

export function watchMemory(file: string): MemoryWatch {
  fs.writeFileSync(file, "");
  const child = spawn("sh", ["-c", `while :; do awk '/^MemAvailable:/ {print $2}' /proc/meminfo >> '${file}'; sleep 1; done`], { stdio: "ignore", detached: true });
  return {
    stop() {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
      const samples = fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "").map(Number);
      return { lowestAvailableMiB: Math.round(Math.min(kib("MemAvailable"), ...samples) / 1024), totalMiB: Math.round(kib("MemTotal") / 1024) };
    },
  };
}
