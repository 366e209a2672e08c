import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./program-digest";

/**
 * Stand-ins for what a host reaches outside itself, each a real server process:
 * - the Debian archive: an HTTPS front for deb.debian.org (this machine reaches the real one), caching
 *   what it fetched under /var/cache/fitness-hostlab/debian so reruns need no download;
 * - the instance metadata service (IMDSv2: token, instance id, role credentials);
 * - S3: s3rver (npm) with TLS, logging each request's method, path and encryption headers.
 */
export const MIRROR_CACHE = "/var/cache/fitness-hostlab/debian";
export const LAB_ACCESS_KEY = "S3RVER";

export interface LabProcess {
  readonly child: ChildProcess;
  readonly log: string;
  stop(): Promise<void>;
}

/** A node script (`node -e`) in a namespace (or the root one), output to `log`. */
export function startNode(ns: string | undefined, script: string, args: readonly string[], log: string): LabProcess {
  const out = fs.openSync(log, "a");
  const argv = [process.execPath, "-e", script, ...args];
  const child = ns === undefined ? spawn(argv[0] as string, argv.slice(1), { stdio: ["ignore", out, out] }) : spawn("ip", ["netns", "exec", ns, ...argv], { stdio: ["ignore", out, out] });
  fs.closeSync(out);
  return {
    child,
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}

const MIRROR = `
const fs = require("fs"), https = require("https"), path = require("path");
const [address, cert, key, cache, upstream] = process.argv.slice(1);
const immutable = (p) => p.includes("/pool/") || p.includes("/by-hash/");
const log = (...a) => console.log(new Date().toISOString(), ...a);
function fetch(url, file, res, head) {
  https.get(url, (up) => {
    if (up.statusCode !== 200) { log(up.statusCode, url); res.writeHead(up.statusCode); up.resume(); return res.end(); }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = file + "." + process.pid + "." + Date.now();
    const out = fs.createWriteStream(tmp);
    up.pipe(out);
    out.on("finish", () => { fs.renameSync(tmp, file); log(200, "fetched", url); serve(file, res, head); });
    up.on("error", () => { res.writeHead(502); res.end(); });
  }).on("error", (e) => { log("upstream", e.message); res.writeHead(502); res.end(); });
}
function serve(file, res, head) {
  const size = fs.statSync(file).size;
  res.writeHead(200, { "content-length": size, "content-type": "application/octet-stream" });
  if (head) return res.end();
  fs.createReadStream(file).pipe(res);
}
https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
  const p = decodeURIComponent(req.url.split("?")[0]);
  if (p.includes("..")) { res.writeHead(400); return res.end(); }
  const file = path.join(cache, p);
  const fresh = fs.existsSync(file) && fs.statSync(file).isFile() && (immutable(p) || Date.now() - fs.statSync(file).mtimeMs < 6 * 3600e3);
  log(req.method, p, fresh ? "cached" : "upstream");
  if (fresh) return serve(file, res, req.method === "HEAD");
  fetch(upstream + p, file, res, req.method === "HEAD");
}).listen(443, address, () => log("listening"));
`;

/** The Debian archive stand-in on `address`:443 (root namespace: it fetches from the real archive). */
export function startDebianMirror(address: string, tls: { cert: string; key: string }, log: string): LabProcess {
  fs.mkdirSync(MIRROR_CACHE, { recursive: true });
  return startNode(undefined, MIRROR, [address, tls.cert, tls.key, MIRROR_CACHE, "https://deb.debian.org"], log);
}

const IMDS = `
const http = require("http"), fs = require("fs");
const [address, log, instance, accessKey] = process.argv.slice(1);
http.createServer((req, res) => {
  fs.appendFileSync(log, req.method + " " + req.url + "\\n");
  if (req.method === "PUT" && req.url === "/latest/api/token") return res.end("lab-imds-token");
  if (req.headers["x-aws-ec2-metadata-token"] !== "lab-imds-token") { res.statusCode = 401; return res.end(); }
  const creds = "/latest/meta-data/iam/security-credentials";
  if (req.url === "/latest/meta-data/instance-id") return res.end(instance);
  if (req.url === creds || req.url === creds + "/") return res.end("lab-proxy-role");
  if (req.url === creds + "/lab-proxy-role") {
    return res.end(JSON.stringify({ Code: "Success", Type: "AWS-HMAC", AccessKeyId: accessKey, SecretAccessKey: accessKey, Token: "lab-session-token",
      LastUpdated: new Date().toISOString().replace(/\\.\\d+Z$/, "Z"), Expiration: new Date(Date.now() + 3600e3).toISOString().replace(/\\.\\d+Z$/, "Z") }));
  }
  res.statusCode = 404; res.end();
}).listen(80, address, () => console.log("listening"));
`;

/** IMDSv2 on `address`:80 inside `ns` (169.254.169.254 on the namespace's loopback). */
export function startImds(ns: string, address: string, instanceId: string, dir: string): LabProcess & { requests: string } {
  const requests = path.join(dir, "imds-requests.log");
  fs.writeFileSync(requests, "");
  return { ...startNode(ns, IMDS, [address, requests, instanceId, LAB_ACCESS_KEY], path.join(dir, "imds.log")), requests };
}

const S3 = `
const fs = require("fs");
const S3rver = require(process.argv[1]);
const [, address, cert, key, directory, bucket, log] = process.argv.slice(1);
const server = new S3rver({ address, port: 443, cert: fs.readFileSync(cert), key: fs.readFileSync(key), directory, silent: true, configureBuckets: [{ name: bucket }] });
server.run().then(() => {
  server.httpServer.prependListener("request", (req) => fs.appendFileSync(log, JSON.stringify({
    method: req.method, host: req.headers.host, url: req.url, sse: req.headers["x-amz-server-side-encryption"] || "",
    kmsKeyId: req.headers["x-amz-server-side-encryption-aws-kms-key-id"] || "", credential: (/Credential=([^/]+)/.exec(req.headers.authorization || "") || [])[1] || "",
  }) + "\\n"));
  console.log("listening");
});
`;

export interface S3Lab extends LabProcess {
  readonly storage: string;
  readonly requests: string;
  /** Keys of the objects in the bucket, from s3rver's storage. */
  objects(): string[];
}

/** s3rver with TLS on `address`:443 inside `ns`, holding `bucket`. */
export function startS3(ns: string, address: string, tls: { cert: string; key: string }, bucket: string, dir: string): S3Lab {
  const storage = path.join(dir, "s3");
  const requests = path.join(dir, "s3-requests.log");
  fs.mkdirSync(storage, { recursive: true });
  fs.writeFileSync(requests, "");
  const proc = startNode(ns, S3, [path.join(ROOT, "node_modules", "s3rver"), address, tls.cert, tls.key, storage, bucket, requests], path.join(dir, "s3.log"));
  const objects = (): string[] => {
    const base = path.join(storage, bucket);
    const keys: string[] = [];
    const walk = (d: string): void => {
      if (!fs.existsSync(d)) return;
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const full = path.join(d, e.name);
        if (e.isDirectory()) walk(full);
        else if (e.name.endsWith("._S3rver_object")) keys.push(path.relative(base, full).replace(/\._S3rver_object$/, ""));
      }
    };
    walk(base);
    return keys.sort();
  };
  return { ...proc, storage, requests, objects };
}

/** Polls until `check` holds; the limit only bounds a broken lab, it is not what a test asserts. */
export async function waitFor(what: string, check: () => boolean, seconds = 60): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`lab: gave up waiting for ${what}`);
}
