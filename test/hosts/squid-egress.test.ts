import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatedEntry, renderExceptionsFile } from "../../src/dmz/squid/exceptions-file";
import { renderExpiryScript } from "../../src/dmz/squid/expiry";
import { allowlistFile, type SquidPaths } from "../../src/dmz/squid/paths";
import { renderSquidConf } from "../../src/dmz/squid/squid-conf";
import {
  buildLab,
  curlVia,
  destroyLab,
  type Lab,
  run,
  selfSignedCert,
  sh,
  sitesScript,
  startIn,
  stop,
  tempDir,
  waitFor,
} from "./squid-lab";

/**
 * The egress proxy's own squid.conf, allowlist and expiry script, rendered by the project's renderers
 * (only file paths and the lab's name table differ from production) and run on real Squid in a lab:
 *
 *   app client 10.99.1.10 ─┐                      ┌─ "internet" 10.99.200.10: HTTPS 443 and 8443, HTTP 80
 *   data client 10.99.2.10 ├─ proxy (Squid 3128) ─┘
 *   stray client 10.99.9.10┘   (no forwarding: the proxy is the only way out)
 *
 * The lab's "VPC" is 10.99.0.0/20 (app and data zones inside it); the "internet" is outside it.
 */
const PREFIX = "fpsq";
const VPC = "10.99.0.0/20";
const SITES = ["allowed.test", "expiring.test", "dataonly.test", "other.test", "plain.test", "inward.test"];

const GRANTED = "2030-01-01";
const entry = (host: string, zones: DatedEntry["zones"], expires: string): DatedEntry => ({
  host,
  zones,
  granted: GRANTED,
  expires,
  ticket: "OPS-1",
  owner: "lab@fitness.example.com",
  reason: "host test of the egress proxy",
});
const ENTRIES: DatedEntry[] = [
  entry("allowed.test", ["app", "data"], "2030-01-30"),
  entry("expiring.test", ["app"], "2030-01-10"),
  entry("dataonly.test", ["data"], "2030-01-30"),
  // An allowlisted name that resolves into the VPC must still be refused.
  entry("inward.test", ["app"], "2030-01-30"),
];

let lab: Lab;
let dir: string;
let paths: SquidPaths;
let ca: string;
let squid: ChildProcess | undefined;
let sites: ChildProcess | undefined;
let proxyFor: (zone: string) => string;

function expiry(today: string, ...flags: string[]): { status: number; stdout: string; stderr: string } {
  return run("bash", [path.join(dir, "fitness-egress-allowlist"), "--today", today, ...flags]);
}

const cacheLog = (): string => (fs.existsSync(paths.cacheLog) ? fs.readFileSync(paths.cacheLog, "utf8") : "");
const count = (text: string, needle: string): number => text.split(needle).length - 1;
/** Squid has reread its configuration (more reconfigurations than before) and listens again. */
function reconfiguredSince(before: number): boolean {
  const log = cacheLog();
  return count(log, "Reconfiguring Squid Cache") > before && log.lastIndexOf("Accepting HTTP Socket connections") > log.lastIndexOf("Reconfiguring Squid Cache");
}

beforeAll(async () => {
  lab = buildLab(PREFIX, [
    { name: "app", subnet: "10.99.1.0/24" },
    { name: "data", subnet: "10.99.2.0/24" },
    { name: "stray", subnet: "10.99.9.0/24" },
    { name: "inet", subnet: "10.99.200.0/24" },
  ]);
  dir = tempDir(PREFIX);
  fs.chmodSync(dir, 0o755);
  paths = {
    squidBinary: "/usr/sbin/squid",
    configFile: path.join(dir, "squid.conf"),
    exceptionsFile: path.join(dir, "exceptions.tsv"),
    allowlistDir: dir,
    accessLog: path.join(dir, "logs", "access.log"),
    cacheLog: path.join(dir, "logs", "cache.log"),
    pidFile: path.join(dir, "logs", "squid.pid"),
    coredumpDir: path.join(dir, "logs"),
    hostsFile: path.join(dir, "hosts"),
  };
  // Squid drops to its unprivileged user; it must be able to write its logs and pid file.
  fs.mkdirSync(path.join(dir, "logs"));
  const proxyUser = Number(sh("id", ["-u", "proxy"]).trim());
  const proxyGroup = Number(sh("id", ["-g", "proxy"]).trim());
  fs.chownSync(path.join(dir, "logs"), proxyUser, proxyGroup);

  const inet = lab.farAddress("inet");
  fs.writeFileSync(
    paths.hostsFile,
    [`${inet} allowed.test expiring.test dataonly.test other.test plain.test`, `${lab.farAddress("data")} inward.test`, ""].join("\n"),
  );
  fs.writeFileSync(
    paths.configFile,
    renderSquidConf({
      sources: [
        { zone: "app", cidrs: ["10.99.1.0/24"] },
        { zone: "data", cidrs: ["10.99.2.0/24"] },
      ],
      blockedDestinations: [VPC],
      paths,
    }),
  );
  fs.writeFileSync(paths.exceptionsFile, renderExceptionsFile(ENTRIES));
  fs.writeFileSync(path.join(dir, "fitness-egress-allowlist"), renderExpiryScript({ paths }), { mode: 0o755 });

  const first = expiry("2030-01-05", "--no-reload");
  if (first.status !== 0) throw new Error(`expiry script failed: ${first.stderr}`);

  const cert = selfSignedCert(dir, SITES);
  ca = cert.cert;
  fs.writeFileSync(path.join(dir, "sites.js"), sitesScript(cert.cert, cert.key));
  sites = startIn(lab.ns("inet"), process.execPath, [path.join(dir, "sites.js")], path.join(dir, "sites.log"));
  await waitFor("the test sites", () => count(fs.readFileSync(path.join(dir, "sites.log"), "utf8"), "listening") === 3);

  const parse = run(paths.squidBinary, ["-k", "parse", "-f", paths.configFile]);
  if (parse.status !== 0) throw new Error(`squid -k parse failed:\n${parse.stderr}`);
  squid = startIn(lab.proxyNs, paths.squidBinary, ["-N", "-f", paths.configFile], path.join(dir, "squid.out"));
  await waitFor("squid to accept connections", () => count(cacheLog(), "Accepting HTTP Socket connections") >= 1);
  proxyFor = (zone) => `http://${lab.proxyAddress(zone)}:3128`;
});

afterAll(async () => {
  await stop(squid);
  await stop(sites);
  destroyLab(PREFIX);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("egress proxy on real Squid (D6)", () => {
  it("tunnels HTTPS to an allowlisted name from an allowed zone", () => {
    const r = curlVia(lab.ns("app"), proxyFor("app"), "https://allowed.test/", ca);
    expect(r.connect).toBe(200);
    expect(r.http).toBe(200);
    expect(r.body).toBe("site allowed.test port 443\n");
  });

  it("refuses a name that is not on the allowlist", () => {
    const r = curlVia(lab.ns("app"), proxyFor("app"), "https://other.test/", ca);
    expect(r.exit).not.toBe(0);
    expect(r.connect).toBe(403);
    expect(r.body).not.toContain("site other.test");
  });

  it("refuses a raw IP address, even of an allowlisted site", () => {
    const r = curlVia(lab.ns("app"), proxyFor("app"), `https://${lab.farAddress("inet")}/`, ca, ["--insecure"]);
    expect(r.exit).not.toBe(0);
    expect(r.connect).toBe(403);
  });

  it("refuses plain HTTP, both proxied and tunnelled", () => {
    const proxied = curlVia(lab.ns("app"), proxyFor("app"), "http://plain.test/", ca);
    expect(proxied.http).toBe(403);
    expect(proxied.body).not.toContain("site plain.test");
    const tunnelled = curlVia(lab.ns("app"), proxyFor("app"), "http://allowed.test/", ca, ["--proxytunnel"]);
    expect(tunnelled.exit).not.toBe(0);
    expect(tunnelled.connect).toBe(403);
  });

  it("refuses a port other than 443 on an allowlisted name", () => {
    const r = curlVia(lab.ns("app"), proxyFor("app"), "https://allowed.test:8443/", ca);
    expect(r.exit).not.toBe(0);
    expect(r.connect).toBe(403);
    expect(r.body).not.toContain("port 8443");
  });

  it("refuses an allowlisted name that resolves into the VPC", () => {
    const r = curlVia(lab.ns("app"), proxyFor("app"), "https://inward.test/", ca);
    expect(r.connect).toBe(403);
  });

  it("holds each zone to its own exceptions", () => {
    expect(curlVia(lab.ns("data"), proxyFor("data"), "https://dataonly.test/", ca).http).toBe(200);
    expect(curlVia(lab.ns("app"), proxyFor("app"), "https://dataonly.test/", ca).connect).toBe(403);
    expect(curlVia(lab.ns("data"), proxyFor("data"), "https://expiring.test/", ca).connect).toBe(403);
  });

  it("refuses a client outside the zones the exceptions name", () => {
    const r = curlVia(lab.ns("stray"), proxyFor("stray"), "https://allowed.test/", ca);
    expect(r.exit).not.toBe(0);
    expect(r.connect).toBe(403);
  });

  it("is the only way out: a client cannot reach the internet directly", () => {
    const r = run("ip", ["netns", "exec", lab.ns("app"), "curl", "-sS", "--max-time", "5", "--noproxy", "*", "--cacert", ca, `https://${lab.farAddress("inet")}/`]);
    expect(r.status).not.toBe(0);
  });

  it("logs allowed and denied requests", () => {
    const log = fs.readFileSync(paths.accessLog, "utf8");
    expect(log).toMatch(/ 10\.99\.1\.10 CONNECT allowed\.test:443 200 TCP_TUNNEL /);
    expect(log).toMatch(/ 10\.99\.1\.10 CONNECT other\.test:443 403 TCP_DENIED /);
    expect(log).toMatch(/ 10\.99\.9\.10 CONNECT allowed\.test:443 403 TCP_DENIED /);
    expect(log).toMatch(/ 10\.99\.1\.10 GET http:\/\/plain\.test\/ 403 TCP_DENIED /);
  });

  it("drops an exception on its date without a deploy: the timer's script rewrites the list and reloads Squid", async () => {
    expect(curlVia(lab.ns("app"), proxyFor("app"), "https://expiring.test/", ca).http).toBe(200);
    const reconfigures = count(cacheLog(), "Reconfiguring Squid Cache");

    // The last day of the exception: nothing changes, and Squid is left alone.
    const lastDay = expiry("2030-01-10");
    expect(lastDay.status).toBe(0);
    expect(lastDay.stdout).not.toContain("squid reconfigured");
    expect(fs.readFileSync(allowlistFile(paths, "app"), "utf8")).toContain("expiring.test");

    // The day after: the entry leaves the list and Squid rereads it.
    const dayAfter = expiry("2030-01-11");
    expect(dayAfter.status).toBe(0);
    expect(dayAfter.stdout).toContain("squid reconfigured");
    expect(dayAfter.stderr).toContain("left out expiring.test (OPS-1, 2030-01-01..2030-01-10)");
    expect(fs.readFileSync(allowlistFile(paths, "app"), "utf8").split("\n")).toEqual(["allowed.test", "inward.test", ""]);
    await waitFor("squid to finish reconfiguring", () => reconfiguredSince(reconfigures));

    const expired = curlVia(lab.ns("app"), proxyFor("app"), "https://expiring.test/", ca);
    expect(expired.connect).toBe(403);
    expect(expired.body).not.toContain("site expiring.test");
    // The others live on.
    expect(curlVia(lab.ns("app"), proxyFor("app"), "https://allowed.test/", ca).http).toBe(200);
    expect(curlVia(lab.ns("data"), proxyFor("data"), "https://dataonly.test/", ca).http).toBe(200);
  });

  it("denies everything once the last exception has ended", async () => {
    const reconfigures = count(cacheLog(), "Reconfiguring Squid Cache");
    const r = expiry("2030-02-01");
    expect(r.stdout).toContain("squid reconfigured");
    expect(fs.readFileSync(allowlistFile(paths, "app"), "utf8")).toBe("");
    expect(fs.readFileSync(allowlistFile(paths, "data"), "utf8")).toBe("");
    await waitFor("squid to finish reconfiguring", () => reconfiguredSince(reconfigures));
    expect(curlVia(lab.ns("app"), proxyFor("app"), "https://allowed.test/", ca).connect).toBe(403);
    expect(curlVia(lab.ns("data"), proxyFor("data"), "https://dataonly.test/", ca).connect).toBe(403);
  });
});
