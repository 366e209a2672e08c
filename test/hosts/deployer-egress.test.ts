import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOST_PATHS } from "../../src/dmz/squid/paths";
import { coverageRecorder } from "./support/coverage";
import { addNamespace, inNs, link, removeNamespaces } from "./support/netns";
import { hostIn, proxyFiles } from "./support/proxy-lab";
import { shippedStack } from "./support/shipped";

/**
 * The in-VPC deployer's egress on real Squid (5.7, Debian's): the squid.conf and the deployer's allowlist
 * the dev stack ships in the proxy's user-data, run in a network namespace (paths moved into a lab
 * directory, nothing else changed). A client with an address in a DMZ subnet (where the deployer's build
 * containers live) tunnels to GitHub's hosts and nothing else; the app zone, with no live exception in
 * dev, gets nothing, GitHub included. Root only; never skipped under CI=true. Names `d0eg-*` and the
 * addresses below belong to this file.
 */
const PREFIX = "d0eg";
const isRoot = process.getuid?.() === 0;
const canRun = isRoot && fs.existsSync(HOST_PATHS.squidBinary);
if (process.env.CI === "true" && !canRun) throw new Error("host tests must run under CI=true: run as root with squid installed (.ci/run)");

const FAR = { proxy: "198.51.100.1", site: "198.51.100.10" } as const;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "day0-deployer-egress-"));
const processes: ChildProcess[] = [];
const recorder = coverageRecorder("deployer-egress");
let shipped: ReturnType<typeof proxyFiles> | undefined;
let dmz = { proxy: "", client: "" };
let app = { proxy: "", client: "" };

const connectCode = (source: string, proxy: string, target: string): string =>
  inNs(`${PREFIX}-cli`, "curl", ["-s", "-o", "/dev/null", "-w", "%{http_connect}", "--max-time", "5", "--interface", source, "-x", `http://${proxy}:3128`, target]).stdout.trim();

beforeAll(async () => {
  if (!canRun) return;
  removeNamespaces(PREFIX);
  const proxy = proxyFiles(await shippedStack("dev"));
  shipped = proxy;
  const conf = proxy.file(HOST_PATHS.configFile).content;
  const deployerCidrs = proxy.zoneCidrs["deployer"] ?? [];
  const appCidr = (await shippedStack("dev")).snapshot.deployment.resources
    .filter((r) => r.type === "aws:ec2/subnet:Subnet" && (r.inputs?.tags as Record<string, string> | undefined)?.zone === "app")
    .map((r) => String(r.inputs?.cidrBlock))[0];
  const dmzCidr = deployerCidrs[0];
  if (dmzCidr === undefined || appCidr === undefined) throw new Error("dev ships no deployer source or no app subnet");
  dmz = { proxy: hostIn(dmzCidr, 1).address, client: hostIn(dmzCidr, 10).address };
  app = { proxy: hostIn(appCidr, 1).address, client: hostIn(appCidr, 10).address };

  // The shipped files, under the lab directory instead of /etc, /var and /run.
  const egress = path.join(dir, "egress");
  fs.mkdirSync(egress, { recursive: true });
  const moved = conf
    .replaceAll(`${HOST_PATHS.allowlistDir}/`, `${egress}/`)
    .replace(HOST_PATHS.accessLog, path.join(dir, "access.log"))
    .replace(HOST_PATHS.cacheLog, path.join(dir, "cache.log"))
    .replace(HOST_PATHS.pidFile, path.join(dir, "squid.pid"))
    .replace(`coredump_dir ${HOST_PATHS.coredumpDir}`, `coredump_dir ${dir}`)
    .replace(`hosts_file ${HOST_PATHS.hostsFile}`, `hosts_file ${path.join(dir, "hosts")}`);
  fs.writeFileSync(path.join(dir, "squid.conf"), moved);
  fs.writeFileSync(path.join(egress, "allow-deployer.domains"), proxy.file(`${HOST_PATHS.allowlistDir}/allow-deployer.domains`).content);
  for (const zone of ["app", "data"]) fs.writeFileSync(path.join(egress, `allow-${zone}.domains`), "");
  // The lab's DNS: every name resolves to the one far site.
  fs.writeFileSync(path.join(dir, "hosts"), ["github.com", "api.github.com", "pipelines.actions.githubusercontent.com", "registry.npmjs.org", "evil.example.net"].map((n) => `${FAR.site} ${n}`).join("\n") + "\n");
  fs.chmodSync(dir, 0o777);

  for (const ns of ["proxy", "cli", "far"]) addNamespace(`${PREFIX}-${ns}`);
  const prefixOf = (cidr: string) => cidr.split("/")[1] ?? "32";
  link(
    { ns: `${PREFIX}-cli`, ifname: `${PREFIX}-c0`, addresses: [`${dmz.client}/${prefixOf(dmzCidr)}`, `${app.client}/${prefixOf(appCidr)}`] },
    { ns: `${PREFIX}-proxy`, ifname: `${PREFIX}-p0`, addresses: [`${dmz.proxy}/${prefixOf(dmzCidr)}`, `${app.proxy}/${prefixOf(appCidr)}`] },
  );
  link({ ns: `${PREFIX}-proxy`, ifname: `${PREFIX}-p1`, addresses: [`${FAR.proxy}/24`] }, { ns: `${PREFIX}-far`, ifname: `${PREFIX}-f0`, addresses: [`${FAR.site}/24`] });

  processes.push(spawn("ip", ["netns", "exec", `${PREFIX}-far`, "python3", "-m", "http.server", "443", "--bind", FAR.site], { stdio: "ignore" }));
  processes.push(spawn("ip", ["netns", "exec", `${PREFIX}-proxy`, HOST_PATHS.squidBinary, "-N", "-f", path.join(dir, "squid.conf")], { stdio: "ignore" }));
  for (let i = 0; i < 100; i++) {
    if (inNs(`${PREFIX}-proxy`, "curl", ["-s", "-o", "/dev/null", "--max-time", "1", `http://${FAR.site}:443/`]).status === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  for (let i = 0; i < 100; i++) {
    if (inNs(`${PREFIX}-cli`, "curl", ["-s", "-o", "/dev/null", "--max-time", "1", `http://${dmz.proxy}:3128/`]).status === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 300_000);

afterAll(() => {
  for (const p of processes) p.kill("SIGKILL");
  if (canRun) removeNamespaces(PREFIX);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.runIf(canRun)("the deployer's egress through the shipped squid.conf (dev, no live exception)", () => {
  it("tunnels from a DMZ address to GitHub's runner hosts and npm", () => {
    expect(inNs(`${PREFIX}-proxy`, "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", `http://${FAR.site}:443/`]).stdout, "the far site answers").toBe("200");
    for (const target of ["https://github.com/", "https://api.github.com/", "https://pipelines.actions.githubusercontent.com/", "https://registry.npmjs.org/"]) {
      expect(connectCode(dmz.client, dmz.proxy, target), `${target}: ${fs.existsSync(path.join(dir, "cache.log")) ? fs.readFileSync(path.join(dir, "cache.log"), "utf8").slice(-1500) : ""}`).toBe("200");
    }
  });

  it("refuses the deployer a name off its list, a raw address and a port other than 443", () => {
    expect(connectCode(dmz.client, dmz.proxy, "https://evil.example.net/")).toBe("403");
    expect(connectCode(dmz.client, dmz.proxy, `https://${FAR.site}/`)).toBe("403");
    expect(connectCode(dmz.client, dmz.proxy, "https://github.com:8443/")).toBe("403");
  });

  it("gives the app zone nothing without a live exception, GitHub included", () => {
    expect(connectCode(app.client, app.proxy, "https://github.com/")).toBe("403");
    expect(connectCode(app.client, app.proxy, "https://evil.example.net/")).toBe("403");
    if (shipped !== undefined) {
      recorder.record(shipped.shipped, [shipped.file(HOST_PATHS.configFile), shipped.file(`${HOST_PATHS.allowlistDir}/allow-deployer.domains`)], "ran", "Squid served the shipped squid.conf and the deployer's allowlist: DMZ source to GitHub allowed, other names, raw IPs, other ports and the app zone refused");
    }
  });
});
