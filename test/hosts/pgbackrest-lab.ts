import { type ChildProcess, type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The lab of the pgBackRest host test: one network namespace standing in for a database host, with
 * - s3rver (an S3-compatible server from npm) on 127.0.0.1:443 with TLS, answering for the bucket's
 *   virtual host and `s3.<region>.amazonaws.com` (names mapped in /etc/netns/<ns>/hosts, which
 *   `ip netns exec` mounts over /etc/hosts), so pgBackRest runs with the production endpoint settings;
 * - an instance-metadata stub on 169.254.169.254:80 (IMDSv2), so `repo1-s3-key-type=auto` fetches
 *   role credentials exactly as on EC2.
 * Nothing leaves the namespace.
 */
export interface CommandOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  readonly timeoutMs?: number;
}

export function run(cmd: string, args: readonly string[], opts: CommandOptions = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, [...args], { encoding: "utf8", env: opts.env ?? process.env, input: opts.input, timeout: opts.timeoutMs ?? 120_000 });
}

export function must(cmd: string, args: readonly string[], opts: CommandOptions = {}): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr || r.stdout || r.error?.message}`);
  return r.stdout;
}

export const inNs = (ns: string, cmd: string, args: readonly string[], opts: CommandOptions = {}) => run("ip", ["netns", "exec", ns, cmd, ...args], opts);

/** Credentials the metadata stub hands out; s3rver accepts only these (its defaults). */
export const LAB_ACCESS_KEY = "S3RVER";

const IMDS_STUB = `
const http = require("http");
const fs = require("fs");
const log = process.argv[1];
http.createServer((req, res) => {
  fs.appendFileSync(log, req.method + " " + req.url + " token=" + (req.headers["x-aws-ec2-metadata-token"] || "-") + "\\n");
  if (req.method === "PUT" && req.url === "/latest/api/token") return res.end("lab-imds-token");
  if (req.headers["x-aws-ec2-metadata-token"] !== "lab-imds-token") { res.statusCode = 401; return res.end(); }
  const base = "/latest/meta-data/iam/security-credentials";
  if (req.url === base || req.url === base + "/") return res.end("lab-db-host-role");
  if (req.url === base + "/lab-db-host-role") {
    return res.end(JSON.stringify({ Code: "Success", AccessKeyId: "${LAB_ACCESS_KEY}", SecretAccessKey: "${LAB_ACCESS_KEY}", Token: "lab-session-token",
      Expiration: new Date(Date.now() + 3600e3).toISOString().replace(/\\.\\d+Z$/, "Z") }));
  }
  res.statusCode = 404; res.end();
}).listen(80, "169.254.169.254");
`;

export interface S3Lab {
  readonly ns: string;
  readonly dir: string;
  readonly caFile: string;
  readonly storage: string;
  readonly requestLog: string;
  readonly imdsLog: string;
  stop(): void;
}

function waitFor(check: () => boolean, what: string): void {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    spawnSync("sleep", ["0.1"]);
  }
  throw new Error(`lab: ${what} did not come up`);
}

function killGroup(child: ChildProcess | undefined): void {
  if (child?.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
}

/** Removes what a crashed earlier run left: processes in the namespace, the namespace, its hosts file. */
export function removeNamespace(ns: string): void {
  const pids = run("ip", ["netns", "pids", ns]).stdout.split(/\s+/).filter((p) => /^\d+$/.test(p));
  for (const pid of pids) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // already gone
    }
  }
  run("ip", ["netns", "del", ns]);
  fs.rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
}

export interface S3LabOptions {
  /** The address s3rver listens on and the names map to (on the namespace's loopback); default 127.0.0.1. A lab
   * whose hosts sit in other namespaces routes this address and 169.254.169.254 to this namespace. */
  readonly address?: string;
}

export function startS3Lab(ns: string, dir: string, region: string, bucket: string, s3rverBin: string, options: S3LabOptions = {}): S3Lab {
  const address = options.address ?? "127.0.0.1";
  const endpoint = `s3.${region}.amazonaws.com`;
  fs.mkdirSync(dir, { recursive: true });
  const f = (name: string) => path.join(dir, name);
  must("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.crt"), "-subj", "/CN=fitness backups lab CA", "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"]);
  must("openssl", ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f("s3.key"), "-out", f("s3.csr"), "-subj", `/CN=${endpoint}`]);
  fs.writeFileSync(f("s3.ext"), `subjectAltName=DNS:${endpoint},DNS:*.${endpoint}\nextendedKeyUsage=serverAuth\n`);
  must("openssl", ["x509", "-req", "-in", f("s3.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", f("s3.ext"), "-out", f("s3.crt")]);
  fs.chmodSync(f("ca.crt"), 0o644);

  must("ip", ["netns", "add", ns]);
  must("ip", ["-n", ns, "link", "set", "lo", "up"]);
  must("ip", ["-n", ns, "addr", "add", "169.254.169.254/32", "dev", "lo"]);
  if (address !== "127.0.0.1") must("ip", ["-n", ns, "addr", "add", `${address}/32`, "dev", "lo"]);
  fs.mkdirSync(`/etc/netns/${ns}`, { recursive: true });
  fs.writeFileSync(`/etc/netns/${ns}/hosts`, `127.0.0.1 localhost\n${address} ${bucket}.${endpoint} ${endpoint}\n`);

  const storage = f("s3");
  const requestLog = f("s3-requests.log");
  const imdsLog = f("imds.log");
  fs.writeFileSync(imdsLog, "");
  const out = fs.openSync(requestLog, "a");
  const s3 = spawn("ip", ["netns", "exec", ns, process.execPath, s3rverBin, "-d", storage, "-a", address, "-p", "443", "--key", f("s3.key"), "--cert", f("s3.crt"), "--configure-bucket", bucket], {
    detached: true,
    stdio: ["ignore", out, out],
  });
  const imds = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", IMDS_STUB, imdsLog], { detached: true, stdio: "ignore" });
  const lab: S3Lab = {
    ns,
    dir,
    caFile: f("ca.crt"),
    storage,
    requestLog,
    imdsLog,
    stop: () => {
      killGroup(s3);
      killGroup(imds);
    },
  };
  try {
    waitFor(() => inNs(ns, "curl", ["-sf", "--cacert", f("ca.crt"), `https://${bucket}.${endpoint}/`], { timeoutMs: 5000 }).status === 0, "s3rver");
    waitFor(() => inNs(ns, "curl", ["-sf", "-X", "PUT", "http://169.254.169.254/latest/api/token"], { timeoutMs: 5000 }).status === 0, "the metadata stub");
  } catch (err) {
    lab.stop();
    throw err;
  }
  return lab;
}
