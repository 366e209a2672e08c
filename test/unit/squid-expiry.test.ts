import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatedEntry, liveDomains, renderExceptionsFile } from "../../src/dmz/squid/exceptions-file";
import { EXPIRY_SCRIPT_PATH, renderExpiryScript, renderExpiryUnits } from "../../src/dmz/squid/expiry";
import { allowlistFile, HOST_PATHS, type SquidPaths } from "../../src/dmz/squid/paths";

/**
 * The expiry script is bash and awk; it runs here against files in a temporary directory (no Squid:
 * `--no-reload`, or a squid binary that is absent). The host tests run it against real Squid.
 */
const entry = (host: string, zones: DatedEntry["zones"], granted: string, expires: string, ticket = "OPS-7"): DatedEntry => ({
  host,
  zones,
  granted,
  expires,
  ticket,
  owner: "ops@fitness.example.com",
  reason: "setup\tof the\npush provider",
});
const ENTRIES: DatedEntry[] = [
  entry(".pypi.org", ["app"], "2030-03-01", "2030-03-10"),
  entry("files.pythonhosted.org", ["app", "data"], "2030-03-01", "2030-03-20"),
  entry("apt.postgresql.org", ["data"], "2030-03-05", "2030-03-06"),
  // The same name twice (renewed under another ticket): the later expiry keeps it.
  entry("api.push.example.net", ["app"], "2030-03-01", "2030-03-03", "OPS-8"),
  entry("api.push.example.net", ["app"], "2030-03-03", "2030-03-15", "OPS-9"),
];

let dir: string;
let paths: SquidPaths;
let script: string;

function expire(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync("bash", [script, ...args], { encoding: "utf8" });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const list = (zone: "app" | "data"): string[] => fs.readFileSync(allowlistFile(paths, zone), "utf8").split("\n").filter(Boolean);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fpsq-unit-"));
  paths = { ...HOST_PATHS, squidBinary: path.join(dir, "no-squid-here"), configFile: path.join(dir, "squid.conf"), exceptionsFile: path.join(dir, "exceptions.tsv"), allowlistDir: dir };
  script = path.join(dir, "expire");
  fs.writeFileSync(script, renderExpiryScript({ paths }));
  fs.writeFileSync(paths.exceptionsFile, renderExceptionsFile(ENTRIES));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the dated exceptions file", () => {
  it("has one tab-separated line per exception, with free text folded onto it", () => {
    const rows = renderExceptionsFile(ENTRIES).split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    expect(rows).toHaveLength(ENTRIES.length);
    for (const row of rows) expect(row.split("\t")).toHaveLength(7);
    expect(rows).toContain("2030-03-20\t2030-03-01\tapp,data\tfiles.pythonhosted.org\tOPS-7\tops@fitness.example.com\tsetup of the push provider");
  });
});

describe("the expiry script", () => {
  it("writes, per zone, exactly the names live on the given day (as the plan computes them)", () => {
    for (const today of ["2030-02-28", "2030-03-01", "2030-03-03", "2030-03-05", "2030-03-06", "2030-03-07", "2030-03-10", "2030-03-11", "2030-03-16", "2030-03-21"]) {
      const r = expire("--today", today, "--no-reload");
      expect(r.status, r.stderr).toBe(0);
      expect(list("app"), `app on ${today}`).toEqual(liveDomains(ENTRIES, "app", today));
      expect(list("data"), `data on ${today}`).toEqual(liveDomains(ENTRIES, "data", today));
    }
  });

  it("keeps an exception through its expiry day and drops it the day after", () => {
    expire("--today", "2030-03-10", "--no-reload");
    expect(list("app")).toContain(".pypi.org");
    const r = expire("--today", "2030-03-11", "--no-reload");
    expect(list("app")).not.toContain(".pypi.org");
    expect(r.stderr).toContain("zone app: left out .pypi.org (OPS-7, 2030-03-01..2030-03-10)");
    expect(r.stdout).toContain("allowlist for zone app on 2030-03-11: 2 name(s)");
  });

  it("leaves unchanged lists alone and tells Squid only when a list changed", () => {
    expire("--today", "2030-03-12", "--no-reload");
    const same = expire("--today", "2030-03-12");
    expect(same.status).toBe(0);
    expect(same.stdout).toBe("");
    // A change with Squid absent: the lists are written and the script says Squid will read them at start.
    const changed = expire("--today", "2030-03-16");
    expect(changed.status).toBe(0);
    expect(changed.stdout).toContain("squid is not running");
  });

  it("denies everything when the exceptions file is missing", () => {
    fs.renameSync(paths.exceptionsFile, `${paths.exceptionsFile}.away`);
    try {
      expect(expire("--today", "2030-03-05", "--no-reload").status).toBe(0);
      expect(list("app")).toEqual([]);
      expect(list("data")).toEqual([]);
    } finally {
      fs.renameSync(`${paths.exceptionsFile}.away`, paths.exceptionsFile);
    }
  });

  it("refuses a malformed date or option instead of guessing", () => {
    expect(expire("--today", "11.03.2030").status).toBe(2);
    expect(expire("--today").status).toBe(2);
    expect(expire("--bogus").status).toBe(2);
  });

  it("runs hourly, at boot, catching up missed runs, and before every Squid start", () => {
    const units = renderExpiryUnits();
    expect(units.timer).toContain("OnCalendar=hourly");
    expect(units.timer).toContain("OnBootSec=");
    expect(units.timer).toContain("Persistent=true");
    expect(units.service).toContain(`ExecStart=${EXPIRY_SCRIPT_PATH}\n`);
    expect(units.squidDropIn).toContain(`ExecStartPre=${EXPIRY_SCRIPT_PATH} --no-reload`);
  });
});
