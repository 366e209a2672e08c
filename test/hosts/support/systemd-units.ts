import { spawnSync } from "node:child_process";
import * as path from "node:path";
import type { HostFile } from "../../../src/offline/host-files";

/**
 * systemd units among shipped host files, and systemd's own tools to check them: `systemd-analyze
 * verify` run inside a root that holds the host's rendered files (so ExecStart scripts, drop-ins and the
 * units they extend resolve as on the host), and `systemd-analyze calendar` for timer schedules.
 */
const UNIT_DIRS = ["/etc/systemd/system", "/usr/local/lib/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"];
const UNIT_SUFFIX = /\.(service|timer|socket|path|mount|automount|target|slice|scope)$/;

export interface ShippedUnit {
  /** The unit systemd loads: the file's name, or for a drop-in the unit it extends. */
  readonly unit: string;
  readonly file: HostFile;
  readonly dropIn: boolean;
}

/** Unit files and drop-ins among the files (anything under a unit directory). */
export function shippedUnits(files: readonly HostFile[]): ShippedUnit[] {
  const units: ShippedUnit[] = [];
  for (const file of files) {
    if (file.kind !== "file") continue;
    const dir = UNIT_DIRS.find((d) => file.path.startsWith(`${d}/`));
    if (dir === undefined) continue;
    const rel = file.path.slice(dir.length + 1);
    const dropIn = /^([^/]+)\.d\/[^/]+\.conf$/.exec(rel);
    if (dropIn !== null) units.push({ unit: dropIn[1] as string, file, dropIn: true });
    else if (!rel.includes("/") && UNIT_SUFFIX.test(rel)) units.push({ unit: rel, file, dropIn: false });
  }
  return units;
}

/** An instance name for a template unit (`a@.service` → `a@lab.service`), which verify needs. */
export function loadableName(unit: string): string {
  return unit.replace(/@\./, "@lab.");
}

export interface ToolResult {
  readonly status: number;
  readonly output: string;
}

/** `systemd-analyze verify` of the named units inside `root` (chroot: units, drop-ins and executables resolve there). */
export function verifyInRoot(root: string, units: readonly string[]): ToolResult {
  const r = spawnSync("chroot", [root, "systemd-analyze", "verify", "--man=no", ...units], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

/** The settings of one section of a unit file (repeated keys in order; an empty value resets the list). */
export function unitSetting(text: string, section: string, key: string): string[] {
  let current = "";
  const values: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header !== null) current = header[1] as string;
    else if (current === section && line.startsWith(`${key}=`)) {
      const value = line.slice(key.length + 1).trim();
      if (value === "") values.length = 0;
      else values.push(value);
    }
  }
  return values;
}

export interface Calendar {
  readonly normalized: string;
  /** The next elapses (UTC), in order. */
  readonly next: Date[];
}

/** `systemd-analyze calendar` of an OnCalendar expression, from a fixed base time so results are comparable. */
export function calendar(expression: string, iterations: number, base = "2030-01-07 00:00:00 UTC"): Calendar {
  const r = spawnSync("systemd-analyze", ["calendar", `--iterations=${iterations}`, `--base-time=${base}`, expression], {
    encoding: "utf8",
    env: { ...process.env, TZ: "UTC", LC_ALL: "C" },
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`systemd-analyze calendar '${expression}': ${(r.stderr ?? "").trim()}`);
  const out = r.stdout ?? "";
  const normalized = /Normalized form:\s*(.+)/.exec(out)?.[1]?.trim() ?? "";
  const next = [...out.matchAll(/(?:Next elapse|Iter\. #\d+):\s*\w{3} (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC/g)].map((m) => new Date(`${(m[1] as string).replace(" ", "T")}Z`));
  return { normalized, next };
}

/** `systemd-analyze timespan` in seconds (OnBootSec=, OnUnitActiveSec=, ...). */
export function timespanSeconds(span: string): number {
  const r = spawnSync("systemd-analyze", ["timespan", span], { encoding: "utf8", timeout: 30_000 });
  const micro = /μs:\s*(\d+)/.exec(r.stdout ?? "")?.[1];
  if (r.status !== 0 || micro === undefined) throw new Error(`systemd-analyze timespan '${span}': ${(r.stderr ?? "").trim()}`);
  return Number(micro) / 1e6;
}

export const unitFileName = (unit: ShippedUnit): string => path.basename(unit.file.path);
