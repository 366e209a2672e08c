import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { HostFile } from "../../src/offline/host-files";
import { committedConfigData } from "../support/stack-config";
import { coverageRecorder } from "./support/coverage";
import { filesOfHost, overlayRoot } from "./support/overlay-root";
import { type ShippedStack, type ShippedStackName, shippedStack } from "./support/shipped";
import { calendar, loadableName, shippedUnits, timespanSeconds, unitSetting, verifyInRoot } from "./support/systemd-units";

/**
 * Every systemd unit, timer and drop-in the program ships to any host of dev and prod, found by the
 * inventory (so units another component adds are checked without touching this file):
 * - `systemd-analyze verify` inside a root that holds the host's shipped files over an installed Debian
 *   12 (this machine's root): ExecStart scripts, the units a drop-in extends and every key are checked
 *   by systemd 252 itself; any warning fails;
 * - each timer's schedule, read by `systemd-analyze calendar`/`timespan`, against what it must be: the
 *   stack's configured backup schedules, the README's promises for the proxy's timers.
 * The egress proxy's units also run under a booted systemd in squid-egress.test.ts.
 */
const recorder = coverageRecorder("systemd-units");
const STACKS: readonly ShippedStackName[] = ["dev", "prod"];
const shipped = {} as Record<ShippedStackName, ShippedStack>;

beforeAll(async () => {
  for (const stack of STACKS) shipped[stack] = await shippedStack(stack);
}, 600_000);

interface Expectation {
  readonly why: string;
  /** OnCalendar= must normalise to this expression's normal form. */
  readonly calendar?: string;
  /** Consecutive elapses at most this far apart (minutes). */
  readonly maxGapMinutes?: number;
  /** Monotonic settings (OnBootSec=, OnUnitActiveSec=) in seconds. */
  readonly monotonic?: Readonly<Record<string, number>>;
}

/** What each shipped timer must do; a timer missing here fails the test until someone states it. */
function expectations(stack: ShippedStackName): Record<string, Expectation> {
  const pitr = (committedConfigData(stack)["fitness-platform:backups"] as { pitr: Record<string, string> }).pitr;
  return {
    "fitness-egress-allowlist.timer": { why: "README: an expired exception is dropped within the hour", maxGapMinutes: 60 },
    "fitness-proxy-logship.timer": { why: "access logs ship every 15 minutes", maxGapMinutes: 15 },
    "fitness-pgbackrest-full.timer": { why: `backups.pitr.fullSchedule of ${stack}`, calendar: pitr.fullSchedule },
    "fitness-pgbackrest-diff.timer": { why: `backups.pitr.differentialSchedule of ${stack}`, calendar: pitr.differentialSchedule },
    "fitness-pgbackrest-verify.timer": { why: `backups.pitr.verifySchedule of ${stack}`, calendar: pitr.verifySchedule },
    "fitness-pgbackrest-monitor.timer": { why: "WAL archive monitor every five minutes", monotonic: { OnBootSec: 300, OnUnitActiveSec: 300 } },
    "fitness-patroni-monitor.timer": { why: "replication health every minute", monotonic: { OnBootSec: 120, OnUnitActiveSec: 60 } },
  };
}

function hostsOf(s: ShippedStack): Map<string, HostFile[]> {
  const hosts = new Map<string, HostFile[]>();
  for (const f of s.inventory.files) hosts.set(f.host, [...(hosts.get(f.host) ?? []), f]);
  return hosts;
}

describe.each(STACKS)("systemd units shipped in %s", (stack) => {
  it("every host's units and drop-ins pass systemd-analyze verify in a root holding the host's shipped files", () => {
    let checked = 0;
    for (const [host, all] of hostsOf(shipped[stack])) {
      const files = filesOfHost(all);
      const units = shippedUnits(files);
      if (units.length === 0) continue;
      const root = overlayRoot(path.join(os.tmpdir(), `fphx-units-${stack}-${host}`), files);
      try {
        const names = [...new Set(units.map((u) => loadableName(u.unit)))].sort();
        const result = verifyInRoot(root.root, names);
        expect(result.output, `${stack} ${host}: ${names.join(" ")}`).toBe("");
        expect(result.status, `${stack} ${host}`).toBe(0);
      } finally {
        root.unmount();
      }
      recorder.record(shipped[stack], units.map((u) => u.file), "verified", "systemd-analyze verify in a root with the host's shipped files");
      checked += units.length;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it("the check catches what it is for: an unknown key, a missing ExecStart script, a bad calendar", () => {
    const all = [...hostsOf(shipped[stack]).values()].map(filesOfHost).find((f) => shippedUnits(f).some((u) => u.unit.endsWith(".timer")));
    expect(all).toBeDefined();
    const files = all ?? [];
    const service = shippedUnits(files).find((u) => !u.dropIn && u.unit.endsWith(".service") && unitSetting(u.file.content, "Service", "ExecStart").length > 0);
    const timer = shippedUnits(files).find((u) => u.unit.endsWith(".timer"));
    if (service === undefined || timer === undefined) throw new Error("no service with ExecStart and timer to break");
    const script = unitSetting(service.file.content, "Service", "ExecStart")[0]?.split(" ")[0] ?? "";
    const broken = files
      .filter((f) => f.path !== script)
      .map((f) => (f === service.file ? { ...f, content: `${f.content}[Service]\nNoSuchKey=1\n` } : f === timer.file ? { ...f, content: f.content.replace(/\[Timer\]/, "[Timer]\nOnCalendar=Mon..Fry 25:00") } : f));
    const root = overlayRoot(path.join(os.tmpdir(), `fphx-units-${stack}-broken`), broken);
    try {
      const out = verifyInRoot(root.root, [loadableName(service.unit), loadableName(timer.unit)]).output;
      expect(out).toContain("Unknown key 'NoSuchKey'");
      expect(out).toContain(`Command ${script} is not executable`);
      expect(out).toContain("Failed to parse calendar specification");
    } finally {
      root.unmount();
    }
  });

  it("every shipped timer's schedule is what it must be (systemd-analyze calendar and timespan)", () => {
    const expected = expectations(stack);
    const timers = shippedUnits(shipped[stack].inventory.files).filter((u) => !u.dropIn && u.unit.endsWith(".timer"));
    expect(timers.length).toBeGreaterThan(0);
    for (const t of timers) {
      const want = expected[t.unit];
      expect(want, `${t.unit}: no expected schedule; state it in expectations()`).toBeDefined();
      if (want === undefined) continue;
      const text = t.file.content;
      const onCalendar = unitSetting(text, "Timer", "OnCalendar");
      if (want.calendar !== undefined) {
        expect(onCalendar.map((c) => calendar(c, 1).normalized), `${t.unit} (${want.why})`).toEqual([calendar(want.calendar, 1).normalized]);
        // Identical elapses over a month, from systemd's own calendar arithmetic.
        expect(calendar(onCalendar[0] as string, 40).next).toEqual(calendar(want.calendar, 40).next);
      }
      if (want.maxGapMinutes !== undefined) {
        expect(onCalendar.length, t.unit).toBeGreaterThan(0);
        const next = onCalendar.flatMap((c) => calendar(c, 200).next).sort((a, b) => a.getTime() - b.getTime());
        const gaps = next.slice(1).map((d, i) => (d.getTime() - (next[i] as Date).getTime()) / 60_000);
        expect(Math.max(...gaps), `${t.unit} (${want.why})`).toBeLessThanOrEqual(want.maxGapMinutes);
        expect(unitSetting(text, "Timer", "Persistent"), `${t.unit} catches up after downtime`).toEqual(["true"]);
      }
      for (const [key, seconds] of Object.entries(want.monotonic ?? {})) {
        expect(unitSetting(text, "Timer", key).map(timespanSeconds), `${t.unit} ${key} (${want.why})`).toEqual([seconds]);
      }
    }
    recorder.record(shipped[stack], timers.map((t) => t.file), "verified", "schedule read by systemd-analyze calendar/timespan against the stack's config");
  });
});
