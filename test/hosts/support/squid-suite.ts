import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { Address4, Address6 } from "ip-address";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostFile } from "../../../src/offline/host-files";
import { coverageRecorder } from "./coverage";
import { Machine } from "./debian-machine";
import { waitFor } from "./lab-services";
import { curlVia } from "./lab-sites";
import { inNs } from "./netns";
import { buildProxyLab, INET, INET_EXTRA, INET_EXTRA6, type ProxyLab, proxyFiles, reachesDirectly, shippedWithLabExceptions } from "./proxy-lab";
import { type ShippedStackName, shippedStack } from "./shipped";

/**
 * The egress proxy as shipped, on the OS it ships to: the stack (with the lab's exceptions granted
 * through its config) is synthesised, its launch template's cloud-config is handed to cloud-init on a
 * booted Debian 12 machine (systemd-nspawn), which installs Squid from the archive stand-in, writes the
 * files, starts Squid and the timers. The tests then go through the proxy from client namespaces and
 * run the units under the machine's systemd. Nothing is rendered here: every file comes from the
 * snapshot. squid-egress.test.ts runs it for dev (plus a second run and a machine without the
 * archive), squid-egress-prod.test.ts for prod.
 */

/** An address of each range the proxy must never reach, reachable in the lab where the network allows. */
const PROBES: readonly (readonly [string, string])[] = [
  ["this-network", "0.0.0.0"],
  ["private-10", INET_EXTRA[0]],
  ["cgnat", INET_EXTRA[1]],
  ["private-172", INET_EXTRA[2]],
  ["private-192", INET_EXTRA[3]],
  ["loopback", "127.0.0.1"],
  ["metadata", "169.254.169.254"],
  ["link-local", "169.254.0.1"],
  ["multicast", "224.0.0.1"],
  ["reserved", "240.0.0.1"],
  ["unspecified6", "::"],
  ["loopback6", "::1"],
  ["link-local6", "fe80::1"],
  ["metadata6", INET_EXTRA6[0]],
  ["mapped-metadata", "::ffff:169.254.169.254"],
];
const probeName = (label: string): string => `r-${label}.egress-lab.example.net`;

function inRange(address: string, range: string): boolean {
  if (range.includes(":")) return address.includes(":") && new Address6(address).isInSubnet(new Address6(range));
  return !address.includes(":") && new Address4(address).isInSubnet(new Address4(range));
}

/**
 * The suite for one stack. `full` adds what depends only on the bootstrap's code, not on the stack's
 * values (a failing S3, a second run, a missing archive): dev runs it, prod runs the rest.
 */
export function egressProxySuite(stack: ShippedStackName, mode: "full" | "core"): void {
  const full = mode === "full";
  const PREFIX = stack === "dev" ? "fphx" : "fphp";
  const DIR = path.join(os.tmpdir(), `${PREFIX}-proxy-lab`);
  const recorder = coverageRecorder(stack === "dev" ? "squid-egress" : `squid-egress-${stack}`);

  let lab: ProxyLab;
  const files = (...paths: string[]): HostFile[] => paths.map((p) => lab.proxy.file(p));
  const SQUID_FILES = ["/etc/squid/squid.conf", "/etc/squid/egress/exceptions.tsv", "/usr/local/sbin/fitness-egress-allowlist", "/etc/systemd/system/squid.service.d/10-fitness-allowlist.conf"];
  const accessLog = (): string => (lab.machine.exists("/var/log/squid/access.log") ? lab.machine.read("/var/log/squid/access.log") : "");
  const via = (zone: string, host: string, extra: string[] = []) => curlVia(lab.ns(zone), lab.proxyUrl(zone), `https://${host}/`, lab.ca.certFile, extra);

  beforeAll(async () => {
    const shipped = await shippedWithLabExceptions(stack);
    const proxy = proxyFiles(shipped);
    const far = INET.far;
    lab = await buildProxyLab({
      prefix: PREFIX,
      dir: DIR,
      proxy,
      hosts: [
        [far, "public.egress-lab.example.net plain.egress-lab.example.net other.example.net data.egress-lab-data.example.net expiring.egress-lab-exp.example.net"],
        [INET.far6, "public6.egress-lab.example.net"],
        ...PROBES.map(([label, address]) => [address, probeName(label)] as const),
      ],
      siteNames: ["*.egress-lab.example.net", "other.example.net", "data.egress-lab-data.example.net", "expiring.egress-lab-exp.example.net"],
    });
    // The VPC itself: the data zone's client address, under an allowlisted name.
    lab.machine.write("/etc/hosts", `${lab.machine.read("/etc/hosts")}${lab.client("data")} vpc.egress-lab.example.net\n`);
    await lab.machine.boot();
    lab.machine.awaitCloudInit("/var/log/cloud-init-output.log", 900_000);
  }, 1_800_000);

  afterAll(async () => {
    await lab?.destroy();
  }, 300_000);

  describe(`bootstrap from the shipped cloud-config on Debian 12 (${stack})`, () => {
    it("cloud-init ran it to the end: Squid 5.7 from the archive, the shipped files in place verbatim, Squid and the timers running", () => {
      const out = lab.machine.read("/var/log/cloud-init-output.log");
      expect(out).toContain("fitness-proxy-bootstrap: done");
      expect(lab.machine.must(["dpkg-query", "-W", "-f", "${Version}", "squid"])).toMatch(/^5\.7-/);
      expect(lab.machine.must(["dpkg-query", "-W", "-f", "${Version}", "awscli"])).toMatch(/^2\./);
      expect(lab.machine.read("/etc/os-release")).toContain('VERSION_ID="12"');
      for (const f of lab.proxy.files.filter((x) => x.kind === "file")) {
        expect(lab.machine.read(f.path), f.path).toBe(f.content);
        const mode = (fs.statSync(path.join(lab.machine.root, f.path)).mode & 0o7777).toString(8).padStart(4, "0");
        expect(mode, f.path).toBe(f.mode);
      }
      // The package's conffiles did not replace ours, and the image's other sources are set aside.
      expect(fs.readdirSync(path.join(lab.machine.root, "etc/apt/sources.list.d"))).toEqual(["fitness.sources"]);
      expect(lab.machine.exec(["systemctl", "is-active", "squid.service"]).stdout.trim()).toBe("active");
      for (const timer of ["fitness-egress-allowlist.timer", "fitness-proxy-logship.timer"]) {
        expect(lab.machine.exec(["systemctl", "is-active", timer]).stdout.trim(), timer).toBe("active");
        expect(lab.machine.exec(["systemctl", "is-enabled", timer]).stdout.trim(), timer).toBe("enabled");
      }
      expect(lab.machine.exec(["systemctl", "is-active", "fitness-proxy-logship-on-stop.service"]).stdout.trim()).toBe("active");
      // The drop-in put the allowlist build before Squid's start.
      expect(lab.machine.must(["systemctl", "show", "-p", "ExecStartPre", "squid.service"])).toContain("/usr/local/sbin/fitness-egress-allowlist");
      expect(lab.machine.read("/etc/squid/egress/allow-app.domains").split("\n")).toEqual([".egress-lab.example.net", "expiring.egress-lab-exp.example.net", ""]);
      // apt went to the archive the shipped sources name (the stand-in answered for deb.debian.org).
      expect(fs.readFileSync(path.join(DIR, "mirror.log"), "utf8")).toMatch(/GET \/debian\/dists\/bookworm\/InRelease/);
      recorder.record(lab.proxy.shipped, [lab.proxy.userData, ...files("/usr/local/sbin/fitness-proxy-bootstrap", "/etc/apt/sources.list.d/fitness.sources")], "ran", "cloud-init ran the shipped cloud-config on Debian 12; apt used the shipped sources");
    });
  });

  describe("egress through the proxy (D6)", () => {
    it("tunnels HTTPS to an allowlisted name from an allowed zone, over IPv4 and IPv6", () => {
      const r = via("app", "public.egress-lab.example.net");
      expect(r.connect).toBe(200);
      expect(r.body).toBe(`site public.egress-lab.example.net port 443 at ${INET.far}\n`);
      const r6 = via("app", "public6.egress-lab.example.net");
      expect(r6.connect).toBe(200);
      expect(r6.body).toBe(`site public6.egress-lab.example.net port 443 at ${INET.far6}\n`);
    });

    it("refuses a name not on the allowlist, a raw IP, plain HTTP and a port other than 443", () => {
      expect(via("app", "other.example.net").connect).toBe(403);
      const raw = curlVia(lab.ns("app"), lab.proxyUrl("app"), `https://${INET.far}/`, lab.ca.certFile, ["--insecure"]);
      expect(raw.connect).toBe(403);
      const plain = curlVia(lab.ns("app"), lab.proxyUrl("app"), "http://plain.egress-lab.example.net/", lab.ca.certFile);
      expect(plain.http).toBe(403);
      expect(plain.body).not.toContain("site plain");
      const tunnelled = curlVia(lab.ns("app"), lab.proxyUrl("app"), "http://public.egress-lab.example.net/", lab.ca.certFile, ["--proxytunnel"]);
      expect(tunnelled.connect).toBe(403);
      const port = curlVia(lab.ns("app"), lab.proxyUrl("app"), "https://public.egress-lab.example.net:8443/", lab.ca.certFile);
      expect(port.connect).toBe(403);
      expect(port.body).not.toContain("port 8443");
    });

    it("holds each zone to its own exceptions and refuses clients of no admitted zone", () => {
      expect(via("data", "data.egress-lab-data.example.net").connect).toBe(200);
      expect(via("app", "data.egress-lab-data.example.net").connect).toBe(403);
      expect(via("data", "public.egress-lab.example.net").connect).toBe(403);
      expect(via("stray", "public.egress-lab.example.net").connect).toBe(403);
    });

    it("is the only way out: clients cannot reach the internet directly", () => {
      expect(reachesDirectly(lab, "app", `https://${INET.far}/`)).toBe(false);
    });

    it("refuses every allowlisted name that resolves into a blocked range: each range of the shipped squid.conf, probed", () => {
      const probes = [...PROBES, ["vpc", lab.client("data")] as const];
      expect(lab.proxy.blocked.length).toBeGreaterThan(0);
      for (const range of lab.proxy.blocked) {
        expect(probes.some(([, address]) => inRange(address, range)), `a probe address inside ${range}`).toBe(true);
      }
      // The same proxy reaches a public address, and each reachable probe answers without the proxy in the way.
      expect(via("app", "public.egress-lab.example.net").connect).toBe(200);
      for (const address of [...INET_EXTRA, ...INET_EXTRA6, "127.0.0.1", "169.254.169.254", "::1"]) {
        const url = address.includes(":") ? `https://[${address}]/` : `https://${address}/`;
        expect(inNs(lab.ns("proxy"), "curl", ["-sS", "--max-time", "5", "--insecure", "--noproxy", "*", url]).status, `${address} answers in the proxy's namespace`).toBe(0);
      }
      for (const [label] of probes) {
        const name = label === "vpc" ? "vpc.egress-lab.example.net" : probeName(label);
        const r = via("app", name);
        expect(r.connect, `${name} (${label})`).toBe(403);
        expect(r.body, name).not.toContain("site ");
        expect(accessLog(), name).toMatch(new RegExp(` CONNECT ${name.replace(/\./g, "\\.")}:443 403 TCP_DENIED `));
      }
      recorder.record(lab.proxy.shipped, files(...SQUID_FILES), "ran", "Squid served the shipped squid.conf and allowlists: allowed, refused, each blocked range probed");
    });

    it("logs allowed and denied requests with the client's address", () => {
      const log = accessLog();
      expect(log).toContain(` ${lab.client("app")} CONNECT public.egress-lab.example.net:443 200 TCP_TUNNEL `);
      expect(log).toContain(` ${lab.client("app")} CONNECT other.example.net:443 403 TCP_DENIED `);
      expect(log).toContain(` ${lab.client("stray")} CONNECT public.egress-lab.example.net:443 403 TCP_DENIED `);
    });
  });

  describe("units under the machine's systemd", () => {
    it("the expiry service, run by systemd on a later day, drops the expired exception and Squid refuses it; the others live on", async () => {
      expect(via("app", "expiring.egress-lab-exp.example.net").connect).toBe(200);
      // The only thing the lab changes: the unit's clock, three days on (libfaketime), through a drop-in.
      const dropIn = "/etc/systemd/system/fitness-egress-allowlist.service.d/99-lab-clock.conf";
      lab.machine.write(dropIn, "[Service]\nEnvironment=LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 FAKETIME=+3d\n");
      lab.machine.must(["systemctl", "daemon-reload"]);
      const since = lab.machine.must(["date", "+%Y-%m-%d %H:%M:%S"]).trim();
      lab.machine.must(["systemctl", "start", "fitness-egress-allowlist.service"], { timeoutMs: 120_000 });
      expect(lab.machine.must(["systemctl", "show", "-p", "Result", "fitness-egress-allowlist.service"]).trim()).toBe("Result=success");
      const journal = lab.machine.must(["journalctl", "-u", "fitness-egress-allowlist.service", "--since", since, "--no-pager", "-o", "cat"]);
      expect(journal).toContain("left out expiring.egress-lab-exp.example.net (OPS-1,");
      expect(journal).toContain("squid reconfigured");
      expect(lab.machine.read("/etc/squid/egress/allow-app.domains").split("\n")).toEqual([".egress-lab.example.net", ""]);
      await waitFor("Squid to refuse the expired name", () => via("app", "expiring.egress-lab-exp.example.net").connect === 403, 60);
      expect(via("app", "public.egress-lab.example.net").connect).toBe(200);
      expect(via("data", "data.egress-lab-data.example.net").connect).toBe(200);
      fs.rmSync(path.join(lab.machine.root, path.dirname(dropIn)), { recursive: true });
      lab.machine.must(["systemctl", "daemon-reload"]);
      recorder.record(lab.proxy.shipped, files("/etc/systemd/system/fitness-egress-allowlist.service", "/usr/local/sbin/fitness-egress-allowlist", "/etc/squid/egress/exceptions.tsv"), "ran", "systemd ran the expiry service; the expired exception was refused");
    });

    it("the expiry timer is active under systemd and elapses within the hour", () => {
      const next = lab.machine.must(["systemctl", "show", "-p", "NextElapseUSecRealtime", "--value", "fitness-egress-allowlist.timer"]).trim();
      expect(next).not.toBe("");
      const list = lab.machine.must(["systemctl", "list-timers", "--all", "--no-pager", "fitness-egress-allowlist.timer", "fitness-proxy-logship.timer"]);
      expect(list).toContain("fitness-egress-allowlist.timer");
      expect(list).toContain("fitness-proxy-logship.timer");
      recorder.record(lab.proxy.shipped, files("/etc/systemd/system/fitness-egress-allowlist.timer", "/etc/systemd/system/fitness-proxy-logship.timer"), "ran", "timers enabled and waiting under systemd");
    });

    it("the log shipper, run by systemd, puts the access log into the bucket (SSE-KMS with the archive key) and Squid logs on into a new file", () => {
      via("app", "public.egress-lab.example.net");
      const key = lab.proxy.scriptValue("/usr/local/sbin/fitness-proxy-logship", "kms_key");
      const prefix = lab.proxy.scriptValue("/usr/local/sbin/fitness-proxy-logship", "prefix");
      lab.machine.must(["systemctl", "start", "fitness-proxy-logship.service"], { timeoutMs: 180_000 });
      expect(lab.machine.must(["systemctl", "show", "-p", "Result", "fitness-proxy-logship.service"]).trim()).toBe("Result=success");
      const objects = lab.s3.objects();
      const today = new Date().toISOString().slice(0, 10).replace(/-/g, "/");
      const shipped = objects.filter((o) => o.startsWith(`${prefix}/${lab.instanceId}/${today}/access.log.`) && o.endsWith(".gz"));
      expect(shipped, JSON.stringify(objects)).toHaveLength(1);
      const body = gunzipSync(fs.readFileSync(path.join(lab.s3.storage, lab.bucket, `${shipped[0]}._S3rver_object`))).toString("utf8");
      expect(body).toContain(` ${lab.client("app")} CONNECT public.egress-lab.example.net:443 200 TCP_TUNNEL `);
      const puts = fs.readFileSync(lab.s3.requests, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { method: string; sse: string; kmsKeyId: string; credential: string });
      expect(puts.filter((p) => p.method === "PUT")).toEqual([expect.objectContaining({ sse: "aws:kms", kmsKeyId: key, credential: "S3RVER" })]);
      // Nothing left behind, and Squid writes to a fresh log.
      expect(fs.readdirSync(path.join(lab.machine.root, "var/log/squid")).filter((n) => n.startsWith("access.log."))).toEqual([]);
      via("app", "other.example.net");
      expect(accessLog()).toContain("CONNECT other.example.net:443 403 TCP_DENIED");
      recorder.record(lab.proxy.shipped, files("/etc/systemd/system/fitness-proxy-logship.service", "/usr/local/sbin/fitness-proxy-logship", "/etc/logrotate.d/squid"), "ran", "systemd ran the log shipper; the object landed in s3rver");
    });

    if (full) {
      it("the log shipper fails loudly when S3 cannot be reached and keeps the log for its next run", () => {
        via("app", "public.egress-lab.example.net");
        const before = lab.s3.objects().length;
        lab.machine.write("/etc/hosts", lab.machine.read("/etc/hosts").replace(/^(.*s3\..*)$/m, "# $1"));
        const r = lab.machine.exec(["systemctl", "start", "fitness-proxy-logship.service"], { timeoutMs: 300_000 });
        lab.machine.write("/etc/hosts", lab.machine.read("/etc/hosts").replace(/^# (.*s3\..*)$/m, "$1"));
        expect(r.status).not.toBe(0);
        expect(lab.machine.must(["systemctl", "show", "-p", "Result", "fitness-proxy-logship.service"]).trim()).toBe("Result=exit-code");
        const kept = fs.readdirSync(path.join(lab.machine.root, "var/log/squid")).filter((n) => /^access\.log\.2\d+T\d+Z\.gz$/.test(n));
        expect(kept).toHaveLength(1);
        lab.machine.must(["systemctl", "start", "fitness-proxy-logship.service"], { timeoutMs: 180_000 });
        expect(lab.s3.objects().length).toBe(before + 1);
        expect(fs.readdirSync(path.join(lab.machine.root, "var/log/squid")).filter((n) => n.startsWith("access.log."))).toEqual([]);
      });
    }
  });

  describe(`${stack}'s committed cloud-config (no lab exceptions), run on the same machine as a new instance`, () => {
    it("a second run, with the committed config: converges to its files verbatim, Squid refuses every name (no exception granted), its units run; the last logs shipped at shutdown", async () => {
      const committed = proxyFiles(await shippedStack(stack));
      via("app", "public.egress-lab.example.net");
      const before = lab.s3.objects().length;
      lab.machine.must(["cloud-init", "clean", "--logs"]);
      await lab.machine.poweroff();
      // fitness-proxy-logship-on-stop shipped the quarter hour that was left.
      expect(lab.s3.objects().length).toBe(before + 1);
      lab.machine.write("/var/lib/cloud/seed/nocloud/user-data", committed.userData.content);
      await lab.machine.boot();
      const status = lab.machine.exec(["cloud-init", "status", "--wait", "--long"], { timeoutMs: 900_000 });
      expect(status.stdout).toContain("status: done");
      const out = lab.machine.read("/var/log/cloud-init-output.log");
      expect(out).toContain("fitness-proxy-bootstrap: done");
      // A second run on an installed machine: apt finds everything in place, the files converge to the new config.
      expect(out).toMatch(/squid is already the newest version/);
      for (const f of committed.files.filter((x) => x.kind === "file")) {
        expect(lab.machine.read(f.path), f.path).toBe(f.content);
        expect((fs.statSync(path.join(lab.machine.root, f.path)).mode & 0o7777).toString(8).padStart(4, "0"), f.path).toBe(f.mode);
      }
      expect(lab.machine.exec(["systemctl", "is-active", "squid.service"]).stdout.trim()).toBe("active");
      expect(via("app", "public.egress-lab.example.net").connect).toBe(403);
      expect(via("app", probeName("metadata")).connect).toBe(403);
      for (const unit of ["fitness-egress-allowlist.service", "fitness-proxy-logship.service"]) {
        lab.machine.must(["systemctl", "start", unit], { timeoutMs: 180_000 });
        expect(lab.machine.must(["systemctl", "show", "-p", "Result", unit]).trim(), unit).toBe("Result=success");
      }
      for (const timer of ["fitness-egress-allowlist.timer", "fitness-proxy-logship.timer"]) expect(lab.machine.exec(["systemctl", "is-active", timer]).stdout.trim(), timer).toBe("active");
      expect(lab.s3.objects().length).toBeGreaterThan(before + 1);
      recorder.record(
        committed.shipped,
        [committed.userData, ...committed.files.filter((x) => x.kind === "file")],
        "ran",
        "cloud-init ran the committed cloud-config on Debian 12; Squid served its squid.conf (every name refused), systemd ran its units and timers, the on-stop shipper at poweroff",
      );
    });
  });

  if (full) {
    describe("the same bootstrap elsewhere", () => {
      it("fails loudly when the Debian archive is unreachable: cloud-init reports the error, Squid never serves", async () => {
        await lab.stopMirror();
        const second = new Machine({ name: lab.ns("proxy"), netns: lab.ns("proxy"), dir: path.join(DIR, "machine-no-archive") });
        await lab.machine.poweroff();
        try {
          second.mount();
          for (const f of ["/etc/hosts", "/etc/hostname", "/etc/cloud/cloud.cfg.d/99-fitness-lab.cfg", "/var/lib/cloud/seed/nocloud/meta-data", "/var/lib/cloud/seed/nocloud/user-data", "/usr/local/share/ca-certificates/fitness-lab.crt"]) {
            second.write(f, fs.readFileSync(path.join(lab.machine.root, f), "utf8"));
          }
          second.chroot(["update-ca-certificates"]);
          await second.boot();
          const status = second.exec(["cloud-init", "status", "--wait", "--long"], { timeoutMs: 900_000 });
          expect(status.stdout).toContain("status: error");
          const out = second.read("/var/log/cloud-init-output.log");
          expect(out).toContain("fitness-proxy-bootstrap: FAILED: apt-get update: the Debian archive in /etc/apt/sources.list.d/fitness.sources is unreachable or incomplete");
          expect(out).not.toContain("fitness-proxy-bootstrap: done");
          expect(second.exec(["systemctl", "is-active", "squid.service"]).stdout.trim()).not.toBe("active");
          expect(via("app", "public.egress-lab.example.net").connect).not.toBe(200);
        } finally {
          await second.destroy();
          await lab.restartMirror();
        }
      });
    });
  }
}
