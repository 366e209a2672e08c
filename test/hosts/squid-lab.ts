import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * A lab of network namespaces for the egress proxy's host tests: a proxy namespace wired by veth pairs
 * to client namespaces (one per zone, plus a stray one) and to an "internet" namespace. Only addresses
 * inside 10.99.0.0/16 are used, and only inside the namespaces. Every namespace name starts with the
 * test file's prefix, so a crashed run's leftovers can be found and removed.
 */
export interface LabLink {
  /** Namespace name suffix (the full name is `<prefix>-<name>`). */
  readonly name: string;
  /** The /24 of this link; the proxy side is .1, the far namespace .10. */
  readonly subnet: string;
}

export interface Lab {
  readonly prefix: string;
  readonly proxyNs: string;
  ns(name: string): string;
  /** The far address of a link (`10.99.x.10`) and the proxy's address on it (`10.99.x.1`). */
  farAddress(name: string): string;
  proxyAddress(name: string): string;
}

export function sh(cmd: string, args: readonly string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

export function run(cmd: string, args: readonly string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

const octets = (subnet: string): string => subnet.replace(/\.0\/24$/, "");

/** Removes every namespace with this prefix, ending the processes still running inside them. */
export function destroyLab(prefix: string): void {
  const names = run("ip", ["netns", "list"]).stdout
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name.startsWith(`${prefix}-`));
  for (const name of names) {
    for (const pid of run("ip", ["netns", "pids", name]).stdout.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // already gone
      }
    }
    run("ip", ["netns", "del", name]);
  }
}

export function buildLab(prefix: string, links: readonly LabLink[]): Lab {
  destroyLab(prefix);
  const ns = (name: string): string => `${prefix}-${name}`;
  const proxyNs = ns("proxy");
  const exec = (name: string, ...args: string[]): string => sh("ip", ["netns", "exec", name, ...args]);
  sh("ip", ["netns", "add", proxyNs]);
  exec(proxyNs, "ip", "link", "set", "lo", "up");
  links.forEach((link, i) => {
    const far = ns(link.name);
    const proxySide = `${prefix}p${i}`;
    const farSide = `${prefix}f${i}`;
    sh("ip", ["netns", "add", far]);
    exec(far, "ip", "link", "set", "lo", "up");
    sh("ip", ["link", "add", proxySide, "type", "veth", "peer", "name", farSide]);
    sh("ip", ["link", "set", proxySide, "netns", proxyNs]);
    sh("ip", ["link", "set", farSide, "netns", far]);
    exec(proxyNs, "ip", "addr", "add", `${octets(link.subnet)}.1/24`, "dev", proxySide);
    exec(proxyNs, "ip", "link", "set", proxySide, "up");
    exec(far, "ip", "addr", "add", `${octets(link.subnet)}.10/24`, "dev", farSide);
    exec(far, "ip", "link", "set", farSide, "up");
  });
  const byName = (name: string): LabLink => {
    const link = links.find((l) => l.name === name);
    if (!link) throw new Error(`no lab link ${name}`);
    return link;
  };
  return {
    prefix,
    proxyNs,
    ns,
    farAddress: (name) => `${octets(byName(name).subnet)}.10`,
    proxyAddress: (name) => `${octets(byName(name).subnet)}.1`,
  };
}

/** Starts a long-running process inside a namespace; the caller ends it with `stop`. */
export function startIn(namespace: string, cmd: string, args: readonly string[], logFile: string): ChildProcess {
  const out = fs.openSync(logFile, "a");
  const child = spawn("ip", ["netns", "exec", namespace, cmd, ...args], { stdio: ["ignore", out, out], detached: false });
  fs.closeSync(out);
  return child;
}

export async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Polls until `check` holds; the deadline only bounds a broken lab, it is not what a test asserts. */
export async function waitFor(what: string, check: () => boolean, attempts = 150, intervalMs = 200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`lab: gave up waiting for ${what}`);
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** A self-signed certificate for the lab's test sites (the clients trust it explicitly). */
export function selfSignedCert(dir: string, names: readonly string[]): { cert: string; key: string } {
  const cert = path.join(dir, "sites.crt");
  const key = path.join(dir, "sites.key");
  sh("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
    "-subj", "/CN=lab test sites",
    "-addext", `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}`,
    "-keyout", key, "-out", cert,
  ]);
  return { cert, key };
}

/** The "internet": HTTPS on 443 and 8443, plain HTTP on 80, each answering with the name asked for. */
export function sitesScript(cert: string, key: string): string {
  return `
const fs = require("node:fs");
const http = require("node:http");
const https = require("node:https");
const tls = { cert: fs.readFileSync(${JSON.stringify(cert)}), key: fs.readFileSync(${JSON.stringify(key)}) };
const answer = (port) => (req, res) => { res.writeHead(200, { "content-type": "text/plain" }); res.end("site " + req.headers.host + " port " + port + "\\n"); };
https.createServer(tls, answer(443)).listen(443, "0.0.0.0", () => console.log("listening 443"));
https.createServer(tls, answer(8443)).listen(8443, "0.0.0.0", () => console.log("listening 8443"));
http.createServer(answer(80)).listen(80, "0.0.0.0", () => console.log("listening 80"));
`;
}

export interface CurlResult {
  /** curl's exit status: 0 when the site answered. */
  readonly exit: number;
  /** The proxy's answer to CONNECT (0 when there was none). */
  readonly connect: number;
  /** The final HTTP status (the proxy's, for a plain HTTP request it refused). */
  readonly http: number;
  readonly body: string;
}

/** One request from a client namespace through the proxy. */
export function curlVia(namespace: string, proxy: string, url: string, caFile: string, extra: readonly string[] = []): CurlResult {
  const marker = "\n--curl-codes--";
  const r = run("ip", [
    "netns", "exec", namespace, "curl", "-sS", "--max-time", "15", "--noproxy", "", "--proxy", proxy, "--cacert", caFile,
    "-w", `${marker}%{http_connect} %{http_code}`, ...extra, url,
  ]);
  const at = r.stdout.lastIndexOf(marker);
  const [connect, http] = r.stdout.slice(at + marker.length).trim().split(" ").map(Number);
  return { exit: r.status, connect: connect ?? 0, http: http ?? 0, body: r.stdout.slice(0, at) };
}
